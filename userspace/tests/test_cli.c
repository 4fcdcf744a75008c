// SPDX-License-Identifier: GPL-2.0
/* The verb table and vectl's exit codes, run as a user would. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "commands.h"
#include "vectx.h"
#include "err.h"
#include "exitcodes.h"
#include "unit.h"

/* All of vectl's stderr for @args; returns its exit status. */
static int vectl_stderr(const char *args, char *buf, size_t len)
{
	const char *vectl = getenv("VECTL");
	char cmd[512];
	size_t n;
	FILE *f;
	int status;

	ck_assert_msg(vectl, "VECTL must name the vectl binary");
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null", vectl, args);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	/* The rest unread, vectl would die of SIGPIPE on a long message. */
	while (fread((char[256]){ 0 }, 1, 256, f) > 0)
		;
	status = pclose(f);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Run the vectl binary; return its exit status and its stderr's first line. */
static int run_vectl(const char *args, char *errline, size_t len)
{
	char buf[1024];
	int status = vectl_stderr(args, buf, sizeof(buf));

	snprintf(errline, len, "%.*s", (int)strcspn(buf, "\n") + !!buf[strcspn(buf, "\n")], buf);
	return status;
}

START_TEST(find_known_and_unknown)
{
	ck_assert_ptr_nonnull(vectl_find_cmd("version"));
	ck_assert_str_eq(vectl_find_cmd("version")->name, "version");
	ck_assert_ptr_null(vectl_find_cmd("nosuch"));
	ck_assert_ptr_null(vectl_find_cmd(""));
}
END_TEST

START_TEST(exit_codes_follow_vzctl)
{
	ck_assert_int_eq(vectl_exit_for_errno(0), 0);
	ck_assert_int_eq(vectl_exit_for_errno(-EPERM), 12);
	ck_assert_int_eq(vectl_exit_for_errno(-EINVAL), 21);
	ck_assert_int_eq(vectl_exit_for_errno(-EIO), 3);
	ck_assert_int_eq(VECTL_ERR_NOMODULE, 5);
	ck_assert_int_eq(VECTL_ERR_USAGE, 20);
}
END_TEST

START_TEST(unknown_verb_is_one_line_usage_error)
{
	char line[256];

	ck_assert_int_eq(run_vectl("frobnicate", line, sizeof(line)), VECTL_ERR_USAGE);
	ck_assert_str_eq(line, "vectl: unknown command 'frobnicate' (try: vectl --help)\n");
}
END_TEST

START_TEST(no_verb_is_usage_error)
{
	char line[256];

	ck_assert_int_eq(run_vectl("", line, sizeof(line)), VECTL_ERR_USAGE);
	ck_assert_str_eq(line, "usage: vectl [--wait SECONDS] COMMAND [ARGS]\n");
}
END_TEST

START_TEST(bad_wait_is_one_line_usage_error)
{
	static const char *const cases[] = { "--wait", "--wait x version", "--wait=-1 version",
					     "--wait 86401 version" };
	char line[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(run_vectl(cases[i], line, sizeof(line)), VECTL_ERR_USAGE);
		ck_assert_msg(!strncmp(line, "vectl: --wait needs a number of seconds from 0 to 86400",
				       strlen("vectl: --wait needs a number of seconds from 0 to 86400")),
			      "%s: %s", cases[i], line);
	}
	ck_assert_int_eq(run_vectl("--wait 5", line, sizeof(line)), VECTL_ERR_USAGE);
	/* A good --wait is taken, and the verb comes next. */
	ck_assert_int_eq(run_vectl("--wait=0 frobnicate", line, sizeof(line)), VECTL_ERR_USAGE);
	ck_assert_str_eq(line, "vectl: unknown command 'frobnicate' (try: vectl --help)\n");
	ck_assert_int_eq(run_vectl("--wait 3 frobnicate", line, sizeof(line)), VECTL_ERR_USAGE);
	ck_assert_str_eq(line, "vectl: unknown command 'frobnicate' (try: vectl --help)\n");
}
END_TEST

START_TEST(version_bad_option)
{
	char line[256];

	ck_assert_int_eq(run_vectl("version --bogus", line, sizeof(line)),
			 VECTL_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(line, "unknown option '--bogus'"));
}
END_TEST

START_TEST(bad_options_say_so_in_one_line)
{
	static const char *const cases[][2] = {
		{ "list -x", "vectl: list: bad option '-x' (usage: vectl list " },
		{ "list --bogus", "vectl: list: bad option '--bogus' (usage: vectl list " },
		{ "ubc -q", "vectl: ubc: bad option '-q' (usage: vectl ubc [-j] [ID...])\n" },
		{ "monitor -x", "vectl: monitor: bad option '-x' (usage: vectl monitor [-j] [ID...])\n" },
		{ "create 101 --bogus", "vectl: create: bad option '--bogus' (usage: vectl create " },
		{ "set 101 --bogus", "vectl: set: bad option '--bogus' (usage: vectl set " },
	};
	char buf[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(vectl_stderr(cases[i][0], buf, sizeof(buf)), VECTL_ERR_USAGE);
		ck_assert_msg(!strncmp(buf, cases[i][1], strlen(cases[i][1])),
			      "%s: got '%s'", cases[i][0], buf);
		ck_assert_msg(strchr(buf, '\n') == buf + strlen(buf) - 1,
			      "%s: not one line: '%s'", cases[i][0], buf);
	}
}
END_TEST

/* Option values are checked before any config is read or written. */
START_TEST(bad_set_values_say_so_in_one_line)
{
	static const char *const cases[][2] = {
		{ "set 101 --meminfo pages:100 --save",
		  "vectl: set 101: invalid --meminfo 'pages:100' (none or full)\n" },
		{ "set 101 --meminfo '' --save", "vectl: set 101: invalid --meminfo '' (none or full)\n" },
		{ "set 101 --cpus 0 --save",
		  "vectl: set 101: invalid --cpus '0' (a number of CPUs or unlimited)\n" },
	};
	char buf[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(vectl_stderr(cases[i][0], buf, sizeof(buf)), VECTL_ERR_VALUE);
		ck_assert_str_eq(buf, cases[i][1]);
	}
}
END_TEST

/* A command line vectl refuses: its exit code, and the start of its one line. */
struct refusal {
	const char *args;
	int code;
	const char *line;
};

static void expect_refusals(const struct refusal *cases, size_t n)
{
	char buf[1024];

	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(vectl_stderr(cases[i].args, buf, sizeof(buf)), cases[i].code);
		ck_assert_msg(!strncmp(buf, cases[i].line, strlen(cases[i].line)),
			      "%s: got '%s'", cases[i].args, buf);
	}
}

/* migrate refuses what it cannot do before it reads a config or runs ssh. */
START_TEST(migrate_refuses_bad_arguments_at_once)
{
	static const struct refusal cases[] = {
		{ "migrate 101 -- -oProxyCommand=x", VECTL_ERR_VALUE,
		  "vectl: migrate 101: invalid destination '-oProxyCommand=x' (a host name or address, or user@host)\n" },
		{ "migrate 101 'node2;reboot'", VECTL_ERR_VALUE,
		  "vectl: migrate 101: invalid destination 'node2;reboot' (a host name or address, or user@host)\n" },
		{ "migrate 101", VECTL_ERR_USAGE,
		  "vectl: migrate: usage: vectl migrate ID DEST [--online] [--keep-src] [--ssh OPTIONS]\n" },
		{ "migrate 101 node2 --bogus", VECTL_ERR_USAGE,
		  "vectl: migrate: bad option '--bogus' (usage: vectl migrate ID DEST [--online] [--keep-src] [--ssh OPTIONS])\n" },
		{ "migrate 0 node2", VECTL_ERR_VALUE, "vectl: migrate: invalid VE ID '0' " },
	};

	expect_refusals(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(suspend_resume_refuse_bad_arguments_at_once)
{
	static const struct refusal cases[] = {
		{ "suspend", VECTL_ERR_USAGE,
		  "vectl: suspend: usage: vectl suspend ID [--dumpfile DIR]\n" },
		{ "resume 101 --bogus", VECTL_ERR_USAGE,
		  "vectl: resume: usage: vectl resume ID [--dumpfile DIR]\n" },
		{ "suspend 101 --dumpfile", VECTL_ERR_USAGE,
		  "vectl: suspend: usage: vectl suspend ID [--dumpfile DIR]\n" },
		{ "resume 101 --dumpfile dumps/101", VECTL_ERR_VALUE,
		  "vectl: resume 101: --dumpfile 'dumps/101': give the dump directory's absolute path, without a trailing /\n" },
		{ "suspend 101 --dumpfile /var/tmp/d/", VECTL_ERR_VALUE,
		  "vectl: suspend 101: --dumpfile '/var/tmp/d/': give the dump directory's absolute path, without a trailing /\n" },
		{ "suspend 0", VECTL_ERR_VALUE, "vectl: suspend: invalid VE ID '0' " },
	};

	expect_refusals(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(rescue_refuses_bad_arguments_at_once)
{
	static const struct refusal cases[] = {
		{ "rescue", VECTL_ERR_USAGE, "vectl: rescue: usage: vectl rescue ID [--exit]\n" },
		{ "rescue 101 102", VECTL_ERR_USAGE,
		  "vectl: rescue: usage: vectl rescue ID [--exit]\n" },
		{ "rescue 101 --bogus", VECTL_ERR_USAGE,
		  "vectl: rescue: bad option '--bogus' (usage: vectl rescue ID [--exit])\n" },
		{ "rescue 0 --exit", VECTL_ERR_VALUE, "vectl: rescue: invalid VE ID '0' " },
	};

	expect_refusals(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

/* One range for the VEs vectl manages, said the same way by every verb. */
START_TEST(config_verbs_share_one_id_range)
{
	static const char *const verbs[] = {
		"create 65534 --ostemplate busybox", "start 65534", "stop 65534",
		"destroy 65534", "status 65534", "set 65534 --save --numproc 5",
		"exec 65534 true", "enter 65534", "mount 65534", "suspend 65534", "resume 65534",
		"rescue 65534",
	};
	char buf[1024], want[256];

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		ck_assert_int_eq(vectl_stderr(verbs[i], buf, sizeof(buf)), VECTL_ERR_VALUE);
		snprintf(want, sizeof(want), "invalid VE ID '65534' (1 to %u, ", VECTL_ID_MAX);
		ck_assert_msg(strstr(buf, want), "%s: got '%s'", verbs[i], buf);
	}
	ck_assert_uint_eq(VECTL_ID_MAX, 65533);
}
END_TEST

START_TEST(help_succeeds)
{
	char line[256];

	ck_assert_int_eq(run_vectl("--help", line, sizeof(line)), VECTL_OK);
	ck_assert_str_eq(line, "");
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("dispatch");

	tcase_add_test(tc, find_known_and_unknown);
	tcase_add_test(tc, exit_codes_follow_vzctl);
	tcase_add_test(tc, unknown_verb_is_one_line_usage_error);
	tcase_add_test(tc, no_verb_is_usage_error);
	tcase_add_test(tc, bad_wait_is_one_line_usage_error);
	tcase_add_test(tc, version_bad_option);
	tcase_add_test(tc, help_succeeds);
	tcase_add_test(tc, bad_options_say_so_in_one_line);
	tcase_add_test(tc, config_verbs_share_one_id_range);
	tcase_add_test(tc, bad_set_values_say_so_in_one_line);
	tcase_add_test(tc, migrate_refuses_bad_arguments_at_once);
	tcase_add_test(tc, suspend_resume_refuse_bad_arguments_at_once);
	tcase_add_test(tc, rescue_refuses_bad_arguments_at_once);
	suite_add_tcase(s, tc);
	return s;
}
