// SPDX-License-Identifier: GPL-2.0
/* The verb table and vectl's exit codes, run as a user would. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "unit.h"

/* Run the vectl binary; return its exit status and its stderr's first line. */
static int run_vectl(const char *args, char *errline, size_t len)
{
	const char *vectl = getenv("VECTL");
	char cmd[512];
	FILE *f;
	int status;

	ck_assert_msg(vectl, "VECTL must name the vectl binary");
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null", vectl, args);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	errline[0] = '\0';
	if (!fgets(errline, (int)len, f))
		errline[0] = '\0';
	while (fgetc(f) != EOF)
		;
	status = pclose(f);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
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
	ck_assert_str_eq(line, "usage: vectl COMMAND [ARGS]\n");
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
	tcase_add_test(tc, version_bad_option);
	tcase_add_test(tc, help_succeeds);
	suite_add_tcase(s, tc);
	return s;
}
