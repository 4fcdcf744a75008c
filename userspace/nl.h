/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one netlink helper of vectl: a socket on the "ve" generic netlink
 * family, requests with acks, dumps, and the kernel's extack words.
 */
#ifndef VECTL_NL_H
#define VECTL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#define VE_NL_BUFSZ 32768

/* What the kernel said about a failed request. */
struct nl_err {
	int error;		/* negative errno, 0 when the request succeeded */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" when absent */
	bool has_off;
	uint32_t off;		/* NLMSGERR_ATTR_OFFS: bad attribute's offset */
	bool has_miss;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE: missing attribute */
};

struct ve_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
	uint16_t family;	/* resolved id of the "ve" family */
	uint32_t version;	/* family version the kernel registered */
	uint32_t events_grp;	/* multicast group id of "events", 0 if none */
	struct nlmsghdr *req;	/* the last request, kept to name bad attributes */
	struct nl_err err;	/* filled by ve_nl_run() on failure */
	char errbuf[320];
	char reqbuf[4096];
	char buf[VE_NL_BUFSZ];
};

/*
 * Open a socket and resolve the "ve" family. Returns 0, -ENOENT when the
 * family is not registered (the module is not loaded), or another -errno.
 */
int ve_nl_open(struct ve_nl *nl);
void ve_nl_close(struct ve_nl *nl);

/* Start a request for @cmd in nl->reqbuf. */
struct nlmsghdr *ve_nl_msg(struct ve_nl *nl, uint8_t cmd, uint16_t flags);

/*
 * Send nl->req and feed every reply message to @cb until the ack or the end
 * of the dump. Returns 0, a negative errno from the kernel (with nl->err
 * filled), or -EINTR when a dump was interrupted by a change of the set.
 */
int ve_nl_run(struct ve_nl *nl, mnl_cb_t cb, void *data);

/* Parse an NLMSG_ERROR or NLMSG_DONE message into @err. */
int nl_parse_error(const struct nlmsghdr *nlh, struct nl_err *err);

/*
 * Name the attribute at byte offset @off of request @req as the spec does
 * ("id", "res.limit"), or NULL. Looks into nested res attributes too.
 */
const char *ve_attr_name_at(const struct nlmsghdr *req, uint32_t off);

/* Name of top-level attribute @type ("id"), or NULL. */
const char *ve_attr_name(unsigned int type);

/*
 * Describe a failure in the kernel's words: "<extack message> (attribute
 * id)", falling back to strerror() when the kernel said nothing.
 */
void nl_describe_error(const struct nl_err *err, const struct nlmsghdr *req,
		       char *buf, size_t len);

/*
 * The words for @err, a value ve_nl_open() or ve_nl_run() returned: the
 * kernel's, with the attribute it named, or strerror() for local failures.
 */
const char *ve_nl_strerror(struct ve_nl *nl, int err);

#endif
