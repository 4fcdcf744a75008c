// SPDX-License-Identifier: GPL-2.0
/* vectl list's fields and output, and the shared value parsers. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "parse.h"
#include "unit.h"

static char *render(const struct list_opts *o, const struct list_row *rows, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int shown = 0;

	list_print_header(o, f);
	for (int i = 0; i < n; i++)
		if (list_wanted(o, &rows[i]))
			list_print_row(o, &rows[i], shown++ == 0, f);
	list_print_end(o, shown, f);
	fclose(f);
	return buf;
}

static const struct list_row rows[] = {
	{ .info = { .id = 101, .state = VE_STATE_RUNNING, .num_tasks = 12, .init_pid = 4242 },
	  .hostname = "web", .ip = "10.0.0.1" },
	{ .info = { .id = 102, .state = VE_STATE_STOPPED }, .hostname = "db" },
};

START_TEST(fields_parse)
{
	struct list_opts o = { 0 };
	char err[64];

	ck_assert_int_eq(list_parse_fields("ctid,status,initpid", &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.n_fields, 3);
	ck_assert_int_ne(list_parse_fields("ctid,bogus", &o, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "unknown field 'bogus'");
	ck_assert_int_ne(list_parse_fields("", &o, err, sizeof(err)), 0);
	ck_assert_int_ne(list_parse_fields("ctid,", &o, err, sizeof(err)), 0);
	ck_assert_int_ne(list_parse_fields("ctid,,status", &o, err, sizeof(err)), 0);
}
END_TEST

START_TEST(table_default_running_only)
{
	struct list_opts o = { .header = true };
	char *out;

	list_default_fields(&o);
	out = render(&o, rows, 2);
	ck_assert_str_eq(out,
		"      CTID      NPROC STATUS    IP_ADDR         HOSTNAME            \n"
		"       101         12 running   10.0.0.1        web                 \n");
	free(out);
}
END_TEST

START_TEST(table_all_no_header_fields)
{
	struct list_opts o = { .which = LIST_ALL };
	char err[64], *out;

	ck_assert_int_eq(list_parse_fields("ctid,initpid", &o, err, sizeof(err)), 0);
	out = render(&o, rows, 2);
	ck_assert_str_eq(out, "       101       4242\n       102          -\n");
	free(out);

	o.which = LIST_STOPPED;
	out = render(&o, rows, 2);
	ck_assert_str_eq(out, "       102          -\n");
	free(out);
}
END_TEST

START_TEST(json_output)
{
	struct list_opts o = { .json = true, .header = true, .which = LIST_ALL };
	char *out;

	list_default_fields(&o);
	out = render(&o, rows, 2);
	ck_assert_str_eq(out,
		"[\n  {\"ctid\": 101, \"numproc\": 12, \"status\": \"running\", \"ip\": \"10.0.0.1\", \"hostname\": \"web\"},\n"
		"  {\"ctid\": 102, \"numproc\": 0, \"status\": \"stopped\", \"ip\": \"\", \"hostname\": \"db\"}\n]\n");
	free(out);
	out = render(&o, rows, 0);
	ck_assert_str_eq(out, "[]\n");
	free(out);
}
END_TEST

START_TEST(resource_fields)
{
	struct list_opts o = { .which = LIST_ALL, .header = true };
	struct list_row r = { .info = { .id = 7, .state = VE_STATE_RUNNING } };
	char err[64], *out;

	r.info.held[VE_RES_NUMFILE] = 10;
	r.info.maxheld[VE_RES_NUMFILE] = 20;
	r.info.barrier[VE_RES_NUMFILE] = 30;
	r.info.limit[VE_RES_NUMFILE] = VE_RES_UNLIMITED;
	r.info.failcnt[VE_RES_NUMFILE] = 5;
	ck_assert_int_eq(list_parse_fields("numfile,numfile.m,numfile.b,numfile.l,numfile.f",
					   &o, err, sizeof(err)), 0);
	out = render(&o, &r, 1);
	ck_assert_str_eq(out,
		"     NUMFILE    NUMFILE.M    NUMFILE.B    NUMFILE.L    NUMFILE.F\n"
		"          10           20           30    unlimited            5\n");
	free(out);
	o.json = true;
	out = render(&o, &r, 1);
	ck_assert_str_eq(out, "[\n  {\"numfile\": 10, \"numfile.m\": 20, \"numfile.b\": 30, "
			 "\"numfile.l\": null, \"numfile.f\": 5}\n]\n");
	free(out);
	ck_assert_int_ne(list_parse_fields("numfile.x", &o, err, sizeof(err)), 0);
	ck_assert_int_ne(list_parse_fields("numfile.", &o, err, sizeof(err)), 0);
	ck_assert_int_ne(list_parse_fields("nosuch.m", &o, err, sizeof(err)), 0);
}
END_TEST

START_TEST(sorting)
{
	struct list_row v[3] = {
		{ .info = { .id = 3, .num_tasks = 5 }, .hostname = "b" },
		{ .info = { .id = 1, .num_tasks = 9 }, .hostname = "c" },
		{ .info = { .id = 2, .num_tasks = 5 }, .hostname = "a" },
	};
	const struct list_row *p[3] = { &v[0], &v[1], &v[2] };
	struct list_opts o = { 0 };
	char err[64];

	ck_assert_int_eq(list_parse_sort("hostname", &o, err, sizeof(err)), 0);
	list_sort(&o, p, 3);
	ck_assert_uint_eq(p[0]->info.id, 2);
	ck_assert_uint_eq(p[1]->info.id, 3);
	ck_assert_uint_eq(p[2]->info.id, 1);
	/* Descending numbers; equal keys stay in ID order. */
	ck_assert_int_eq(list_parse_sort("-numproc", &o, err, sizeof(err)), 0);
	list_sort(&o, p, 3);
	ck_assert_uint_eq(p[0]->info.id, 1);
	ck_assert_uint_eq(p[1]->info.id, 2);
	ck_assert_uint_eq(p[2]->info.id, 3);
	ck_assert_int_eq(list_parse_sort("ctid", &o, err, sizeof(err)), 0);
	list_sort(&o, p, 3);
	ck_assert_uint_eq(p[0]->info.id, 1);
	ck_assert_uint_eq(p[2]->info.id, 3);
	ck_assert_int_ne(list_parse_sort("-", &o, err, sizeof(err)), 0);
	ck_assert_int_ne(list_parse_sort("bogus", &o, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "unknown sort field 'bogus'");
}
END_TEST

START_TEST(veid_and_pid)
{
	uint32_t v;

	ck_assert_int_eq(parse_veid("101", &v), 0);
	ck_assert_uint_eq(v, 101);
	ck_assert_int_eq(parse_veid("2147483647", &v), 0);
	ck_assert_int_ne(parse_veid("2147483648", &v), 0);
	ck_assert_int_ne(parse_veid("0", &v), 0);
	ck_assert_int_ne(parse_veid("-1", &v), 0);
	ck_assert_int_ne(parse_veid("+5", &v), 0);
	ck_assert_int_ne(parse_veid("10x", &v), 0);
	ck_assert_int_ne(parse_veid("", &v), 0);
	ck_assert_int_ne(parse_veid("99999999999999999999999", &v), 0);
	ck_assert_int_eq(parse_pid("1", &v), 0);
	ck_assert_int_ne(parse_pid("0", &v), 0);
	ck_assert_int_eq(parse_signal("PWR"), SIGPWR);
	ck_assert_int_eq(parse_signal("SIGTERM"), SIGTERM);
	ck_assert_int_eq(parse_signal("RTMIN+3"), SIGRTMIN + 3);
	ck_assert_int_eq(parse_signal("9"), SIGKILL);
	ck_assert_int_lt(parse_signal("NOPE"), 0);
	ck_assert_int_lt(parse_signal("0"), 0);
	ck_assert_int_lt(parse_signal("RTMIN+99"), 0);
}
END_TEST

Suite *list_suite(void)
{
	Suite *s = suite_create("list");
	TCase *tc = tcase_create("output");

	tcase_add_test(tc, fields_parse);
	tcase_add_test(tc, table_default_running_only);
	tcase_add_test(tc, table_all_no_header_fields);
	tcase_add_test(tc, json_output);
	tcase_add_test(tc, resource_fields);
	tcase_add_test(tc, sorting);
	tcase_add_test(tc, veid_and_pid);
	suite_add_tcase(s, tc);
	return s;
}
