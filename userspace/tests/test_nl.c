// SPDX-License-Identifier: GPL-2.0
/* Parsing of the kernel's acks and extack, and naming of bad attributes. */
#include <errno.h>
#include <string.h>

#include "linux/ve.h"
#include "nl.h"
#include "unit.h"

static char req_buf[1024];
static char ack_buf[2048];

/* A request like vectl sends: genl header, VE_A_ID, and one VE_A_RES nest. */
static struct nlmsghdr *make_request(uint32_t *id_off, uint32_t *limit_off)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req_buf);
	struct genlmsghdr *genl;
	struct nlattr *nest;

	nlh->nlmsg_type = 0x20;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 7;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = VE_CMD_SET;
	*id_off = nlh->nlmsg_len;
	mnl_attr_put_u32(nlh, VE_A_ID, 101);
	nest = mnl_attr_nest_start(nlh, VE_A_RES);
	mnl_attr_put_u64(nlh, VE_A_RES_ID, 5);
	mnl_attr_put_u64(nlh, VE_A_RES_BARRIER, 100);
	*limit_off = nlh->nlmsg_len;
	mnl_attr_put_u64(nlh, VE_A_RES_LIMIT, 50);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* An NLMSG_ERROR for @req as the kernel builds it with NETLINK_EXT_ACK. */
static struct nlmsghdr *make_ack(const struct nlmsghdr *req, int error,
				 const char *msg, int off, int miss, bool capped)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ack_buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	if (capped) {
		nlh->nlmsg_flags |= NLM_F_CAPPED;
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->msg = *req;
	} else {
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e) - sizeof(*req) +
					       req->nlmsg_len);
		memcpy(&e->msg, req, req->nlmsg_len);
	}
	e->error = error;
	if (msg || off >= 0 || miss >= 0)
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	if (off >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, (uint32_t)off);
	if (miss >= 0)
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, (uint32_t)miss);
	return nlh;
}

START_TEST(ack_success)
{
	uint32_t id_off, lim_off;
	struct nlmsghdr *req = make_request(&id_off, &lim_off);
	struct nl_err err;

	ck_assert_int_eq(nl_parse_error(make_ack(req, 0, NULL, -1, -1, true), &err), 0);
	ck_assert_int_eq(err.error, 0);
	ck_assert_str_eq(err.msg, "");
	ck_assert(!err.has_off && !err.has_miss);
}
END_TEST

START_TEST(ack_extack_capped_and_full)
{
	uint32_t id_off, lim_off;
	struct nlmsghdr *req = make_request(&id_off, &lim_off);
	struct nl_err err;

	for (int capped = 0; capped < 2; capped++) {
		struct nlmsghdr *ack = make_ack(req, -EINVAL, "limit below barrier",
						(int)lim_off, -1, capped);

		ck_assert_int_eq(nl_parse_error(ack, &err), 0);
		ck_assert_int_eq(err.error, -EINVAL);
		ck_assert_str_eq(err.msg, "limit below barrier");
		ck_assert(err.has_off);
		ck_assert_uint_eq(err.off, lim_off);
	}
}
END_TEST

START_TEST(ack_missing_attr)
{
	uint32_t id_off, lim_off;
	struct nlmsghdr *req = make_request(&id_off, &lim_off);
	char buf[256];
	struct nl_err err;

	ck_assert_int_eq(nl_parse_error(make_ack(req, -EINVAL, "Missing attribute",
						 -1, VE_A_ID, true), &err), 0);
	ck_assert(err.has_miss);
	ck_assert_uint_eq(err.miss_type, VE_A_ID);
	nl_describe_error(&err, req, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Missing attribute (attribute id)");
}
END_TEST

START_TEST(done_with_error)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ack_buf);
	int *e;
	struct nl_err err;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	*e = -EPERM;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "not from inside a VE");
	ck_assert_int_eq(nl_parse_error(nlh, &err), 0);
	ck_assert_int_eq(err.error, -EPERM);
	ck_assert_str_eq(err.msg, "not from inside a VE");
}
END_TEST

START_TEST(done_empty_is_success)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(ack_buf);
	struct nl_err err = { .error = -1 };

	nlh->nlmsg_type = NLMSG_DONE;
	ck_assert_int_eq(nl_parse_error(nlh, &err), 0);
	ck_assert_int_eq(err.error, 0);
}
END_TEST

START_TEST(truncated_tlvs_are_ignored)
{
	uint32_t id_off, lim_off;
	struct nlmsghdr *req = make_request(&id_off, &lim_off);
	struct nlmsghdr *ack = make_ack(req, -EINVAL, "bad", -1, -1, true);
	struct nlattr *a = (struct nlattr *)((char *)ack + ack->nlmsg_len -
					     MNL_ALIGN(sizeof(*a) + 4));
	struct nl_err err;

	a->nla_len = 200;	/* claims more than the message holds */
	ck_assert_int_eq(nl_parse_error(ack, &err), 0);
	ck_assert_int_eq(err.error, -EINVAL);
	ck_assert_str_eq(err.msg, "");
}
END_TEST

START_TEST(attr_names_by_offset)
{
	uint32_t id_off, lim_off;
	struct nlmsghdr *req = make_request(&id_off, &lim_off);

	ck_assert_str_eq(ve_attr_name_at(req, id_off), "id");
	ck_assert_str_eq(ve_attr_name_at(req, lim_off), "res.limit");
	ck_assert_ptr_null(ve_attr_name_at(req, id_off + 2));
	ck_assert_ptr_null(ve_attr_name_at(req, 100000));
	ck_assert_ptr_null(ve_attr_name(VE_A_MAX + 1));
}
END_TEST

START_TEST(describe_names_attribute)
{
	uint32_t id_off, lim_off;
	struct nlmsghdr *req = make_request(&id_off, &lim_off);
	struct nl_err err;
	char buf[256];

	nl_parse_error(make_ack(req, -EINVAL, "limit below barrier",
				(int)lim_off, -1, false), &err);
	nl_describe_error(&err, req, buf, sizeof(buf));
	ck_assert_str_eq(buf, "limit below barrier (attribute res.limit)");

	/* No extack message: the errno's words, never a bare number. */
	nl_parse_error(make_ack(req, -ENOENT, NULL, -1, -1, true), &err);
	nl_describe_error(&err, req, buf, sizeof(buf));
	ck_assert_str_eq(buf, strerror(ENOENT));
}
END_TEST

Suite *nl_suite(void)
{
	Suite *s = suite_create("nl");
	TCase *tc = tcase_create("ack");

	tcase_add_test(tc, ack_success);
	tcase_add_test(tc, ack_extack_capped_and_full);
	tcase_add_test(tc, ack_missing_attr);
	tcase_add_test(tc, done_with_error);
	tcase_add_test(tc, done_empty_is_success);
	tcase_add_test(tc, truncated_tlvs_are_ignored);
	tcase_add_test(tc, attr_names_by_offset);
	tcase_add_test(tc, describe_names_attribute);
	suite_add_tcase(s, tc);
	return s;
}
