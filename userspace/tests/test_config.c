// SPDX-License-Identifier: GPL-2.0
/* Config files (KEY="value") and beancounter values (barrier:limit). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "linux/ve.h"
#include "resources.h"
#include "unit.h"

static const char sample[] =
	"# a comment\n"
	"\n"
	"HOSTNAME=\"web\"\n"
	"  NUMPROC='100:200'   # trailing comment\n"
	"UNKNOWN_KEY=\"kept as is\"\n"
	"ONBOOT=yes\n"
	"this line is not a key\n"
	"HOSTNAME=\"web2\"\n";

START_TEST(config_get)
{
	struct conf c;

	ck_assert_int_eq(conf_parse(&c, sample), 0);
	ck_assert_str_eq(conf_get(&c, "HOSTNAME"), "web2");	/* last wins */
	ck_assert_str_eq(conf_get(&c, "NUMPROC"), "100:200");
	ck_assert_str_eq(conf_get(&c, "ONBOOT"), "yes");
	ck_assert_str_eq(conf_get(&c, "UNKNOWN_KEY"), "kept as is");
	ck_assert_ptr_null(conf_get(&c, "NUMFILE"));
	conf_free(&c);
}
END_TEST

START_TEST(config_round_trip)
{
	char path[] = "/tmp/vectl-conf-XXXXXX";
	struct conf c, d;
	char *text;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(conf_parse(&c, sample), 0);
	/* Untouched, the text comes back byte for byte. */
	text = conf_format(&c);
	ck_assert_str_eq(text, sample);
	free(text);

	ck_assert_int_eq(conf_set(&c, "NUMPROC", "300:300"), 0);
	ck_assert_int_eq(conf_set(&c, "HOSTNAME", "db"), 0);
	ck_assert_int_eq(conf_set(&c, "NUMFILE", "1024:1024"), 0);
	ck_assert_int_eq(conf_set(&c, "ONBOOT", NULL), 0);
	ck_assert_int_eq(conf_save(&c, path), 0);
	ck_assert_int_eq(conf_load(&d, path), 0);
	text = conf_format(&d);
	ck_assert_str_eq(text,
		"# a comment\n"
		"\n"
		"NUMPROC=\"300:300\"\n"
		"UNKNOWN_KEY=\"kept as is\"\n"
		"this line is not a key\n"
		"HOSTNAME=\"db\"\n"
		"NUMFILE=\"1024:1024\"\n");
	free(text);
	conf_free(&c);
	conf_free(&d);
	unlink(path);
	ck_assert_int_eq(conf_load(&d, path), -ENOENT);
	conf_free(&d);
}
END_TEST

START_TEST(config_rejects)
{
	struct conf c;

	ck_assert_int_eq(conf_parse(&c, ""), 0);
	ck_assert_int_eq(conf_set(&c, "HOSTNAME", "a\"b"), -EINVAL);
	ck_assert_int_eq(conf_set(&c, "HOSTNAME", "$(reboot)"), -EINVAL);
	ck_assert_int_eq(conf_set(&c, "HOSTNAME", "a\nB=1"), -EINVAL);
	ck_assert_int_eq(conf_set(&c, "BAD KEY", "x"), -EINVAL);
	ck_assert_int_eq(conf_set(&c, "1KEY", "x"), -EINVAL);
	ck_assert_uint_eq(c.n, 0);
	conf_free(&c);
}
END_TEST

START_TEST(res_values)
{
	uint64_t b, l, page = res_page_size();

	ck_assert_int_eq(res_parse("100", RES_COUNT, &b, &l), 0);
	ck_assert_uint_eq(b, 100);
	ck_assert_uint_eq(l, 100);
	ck_assert_int_eq(res_parse("100:200", RES_COUNT, &b, &l), 0);
	ck_assert_uint_eq(b, 100);
	ck_assert_uint_eq(l, 200);
	ck_assert_int_eq(res_parse("1K:2m", RES_COUNT, &b, &l), 0);
	ck_assert_uint_eq(b, 1024);
	ck_assert_uint_eq(l, 2 * 1024 * 1024);
	ck_assert_int_eq(res_parse("1G:1T", RES_BYTES, &b, &l), 0);
	ck_assert_uint_eq(b, 1ULL << 30);
	ck_assert_uint_eq(l, 1ULL << 40);
	ck_assert_int_eq(res_parse("2P", RES_BYTES, &b, &l), 0);
	ck_assert_uint_eq(b, 2ULL << 50);
	/* Pages: a plain number counts pages, a suffix means bytes. */
	ck_assert_int_eq(res_parse("0:256M", RES_PAGES, &b, &l), 0);
	ck_assert_uint_eq(b, 0);
	ck_assert_uint_eq(l, (256ULL << 20) / page);
	ck_assert_int_eq(res_parse("1K", RES_PAGES, &b, &l), 0);
	ck_assert_uint_eq(b, 1);	/* rounded up */
	ck_assert_int_eq(res_parse("65536", RES_PAGES, &b, &l), 0);
	ck_assert_uint_eq(b, 65536);
	ck_assert_int_eq(res_parse("unlimited", RES_COUNT, &b, &l), 0);
	ck_assert_uint_eq(b, VE_RES_UNLIMITED);
	ck_assert_uint_eq(l, VE_RES_UNLIMITED);
	ck_assert_int_eq(res_parse("10:unlimited", RES_COUNT, &b, &l), 0);
	ck_assert_uint_eq(b, 10);
	ck_assert_uint_eq(l, VE_RES_UNLIMITED);
}
END_TEST

START_TEST(res_bad_values)
{
	uint64_t b, l;

	ck_assert_int_eq(res_parse("200:100", RES_COUNT, &b, &l), -EDOM);
	ck_assert_int_eq(res_parse("unlimited:5", RES_COUNT, &b, &l), -EDOM);
	ck_assert_int_eq(res_parse("", RES_COUNT, &b, &l), -EINVAL);
	ck_assert_int_eq(res_parse(":5", RES_COUNT, &b, &l), -EINVAL);
	ck_assert_int_eq(res_parse("5:", RES_COUNT, &b, &l), -EINVAL);
	ck_assert_int_eq(res_parse("-5", RES_COUNT, &b, &l), -EINVAL);
	ck_assert_int_eq(res_parse("5X", RES_COUNT, &b, &l), -EINVAL);
	ck_assert_int_eq(res_parse("5KK", RES_COUNT, &b, &l), -EINVAL);
	ck_assert_int_eq(res_parse("1:2:3", RES_COUNT, &b, &l), -EINVAL);
	ck_assert_int_eq(res_parse("lots", RES_COUNT, &b, &l), -EINVAL);
	ck_assert_int_eq(res_parse("99999999999999999999", RES_COUNT, &b, &l), -ERANGE);
	ck_assert_int_eq(res_parse("18446744073709551615", RES_COUNT, &b, &l), -ERANGE);
	ck_assert_int_eq(res_parse("16384P", RES_BYTES, &b, &l), -ERANGE);
}
END_TEST

START_TEST(res_names_and_format)
{
	char buf[64];

	ck_assert_uint_eq(res_by_name("numproc")->id, VE_RES_NUMPROC);
	ck_assert_str_eq(res_by_name("numfile")->key, "NUMFILE");
	ck_assert_uint_eq(res_by_name("swappages")->id, VE_RES_SWAPPAGES);
	ck_assert_str_eq(res_by_name("swappages")->key, "SWAPPAGES");
	ck_assert_int_eq(res_by_name("swappages")->unit, RES_PAGES);
	ck_assert_int_eq(res_by_name("numfile")->unit, RES_COUNT);
	ck_assert_int_eq(res_by_name("kmemsize")->unit, RES_BYTES);
	ck_assert_uint_eq(res_count, 21);
	ck_assert_ptr_null(res_by_name("NUMPROC"));
	res_format(100, VE_RES_UNLIMITED, buf, sizeof(buf));
	ck_assert_str_eq(buf, "100:unlimited");
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, config_get);
	tcase_add_test(tc, config_round_trip);
	tcase_add_test(tc, config_rejects);
	tcase_add_test(tc, res_values);
	tcase_add_test(tc, res_bad_values);
	tcase_add_test(tc, res_names_and_format);
	suite_add_tcase(s, tc);
	return s;
}
