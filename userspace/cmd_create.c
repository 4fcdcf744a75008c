// SPDX-License-Identifier: GPL-2.0
/*
 * vectl create ID --ostemplate NAME [--config NAME] [--hostname H]
 *                 [--private DIR] [--ipadd ADDR] [--layout image|dir]
 *                 [--diskspace SOFT[:HARD]] [--diskinodes SOFT[:HARD]]
 *                 [--quotatime SECONDS]
 *
 * Makes the private area from the OS template (atomically: as DIR.partial,
 * renamed when complete): an ext4 image or a directory tree (VE_LAYOUT in
 * ve.conf by default, else image). Writes /etc/ve/conf/ID.conf from the
 * sample ve-NAME.conf-sample (CONFIGFILE in ve.conf by default).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "cluster.h"
#include "commands.h"
#include "err.h"
#include "exitcodes.h"
#include "network.h"
#include "parse.h"
#include "image.h"
#include "private.h"
#include "resources.h"
#include "run.h"
#include "template.h"
#include "linux/ve.h"
#include "vectx.h"

/* The sample config to start from; an empty one when none is set. */
static int load_sample(struct vectx *x, const char *name, bool explicit)
{
	char path[PATH_MAX];
	int err;

	if (!name || !*name)
		return 0;
	if (strchr(name, '/')) {
		vectl_err("create %u: invalid config name '%s'", x->id, name);
		return VECTL_ERR_VALUE;
	}
	snprintf(path, sizeof(path), "%s/ve-%s.conf-sample", VE_CONF_DIR, name);
	conf_free(&x->conf);
	err = conf_load(&x->conf, path);
	if (err == -ENOENT && !explicit)
		return 0;
	if (err) {
		vectl_err("create %u: cannot read sample config %s: %s", x->id, path,
			  strerror(-err));
		return VECTL_ERR_BAD_CONFIG;
	}
	return conf_set(&x->conf, "ORIGIN_SAMPLE", name) ? VECTL_ERR_BAD_CONFIG : 0;
}

/* --diskspace, --diskinodes, --quotatime: checked, and kept as config values. */
static int disk_option(int opt, const char *v, const char *disk[3])
{
	static char buf[3][64];
	int i = opt == 'd' ? 0 : opt == 'n' ? 1 : 2;
	uint64_t soft, hard;
	uint32_t secs;
	int err;

	if (i == 2) {
		if (parse_uint(v, 0, UINT32_MAX, &secs)) {
			vectl_err("create: invalid --quotatime '%s' (seconds)", v);
			return VECTL_ERR_VALUE;
		}
		disk[2] = v;
		return 0;
	}
	err = res_parse(v, i ? RES_COUNT : RES_KBLOCKS, &soft, &hard);
	if (err) {
		vectl_err("create: invalid --%s '%s' (%s)", i ? "diskinodes" : "diskspace", v,
			  err == -EDOM ? "soft limit above hard" :
			  "soft[:hard], K/M/G/T suffixes or unlimited");
		return VECTL_ERR_VALUE;
	}
	res_format(soft, hard, buf[i], sizeof(buf[i]));
	disk[i] = buf[i];
	return 0;
}

int cmd_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ostemplate", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "hostname", required_argument, NULL, 'h' },
		{ "private", required_argument, NULL, 'p' },
		{ "ipadd", required_argument, NULL, 'i' },
		{ "layout", required_argument, NULL, 'l' },
		{ "diskspace", required_argument, NULL, 'd' },
		{ "diskinodes", required_argument, NULL, 'n' },
		{ "quotatime", required_argument, NULL, 'q' },
		{ "node", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	static struct ve_ip ips[VE_ADDR_MAX];
	char ipbuf[VE_ADDR_MAX * (VE_IP_STRLEN + 1)], ipwhy[200];
	int n_ips = 0;
	const char *ostemplate = NULL, *config = NULL, *hostname = NULL, *private = NULL;
	const char *layout_name = NULL, *disk[3] = { NULL, NULL, NULL }, *node = NULL;
	enum ve_layout layout = VE_LAYOUT_IMAGE;
	struct disk_limits limits;
	char tmpl[PATH_MAX], partial[PATH_MAX + 16], why[512];
	struct vectx x;
	struct stat st;
	uint32_t id;
	bool is_dir, claimed = false;
	int opt, rc, err;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			ostemplate = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			hostname = optarg;
			break;
		case 'p':
			private = optarg;
			break;
		case 'N':
			node = optarg;
			break;
		case 'l':
			if (disk_layout_parse(optarg, &layout)) {
				vectl_err("create: invalid --layout '%s' (image or dir)", optarg);
				return VECTL_ERR_VALUE;
			}
			layout_name = optarg;
			break;
		case 'd':
		case 'n':
		case 'q':
			rc = disk_option(opt, optarg, disk);
			if (rc)
				return rc;
			break;
		case 'i':
			if (ve_ip_parse(optarg, &ips[n_ips], ipwhy, sizeof(ipwhy))) {
				vectl_err("create: invalid --ipadd '%s' (%s)", optarg, ipwhy);
				return VECTL_ERR_VALUE;
			}
			if (ve_ip_find(ips, n_ips, &ips[n_ips]) >= 0)
				break;
			if (n_ips == VE_ADDR_MAX) {
				vectl_err("create: --ipadd: a VE has at most %d addresses", VE_ADDR_MAX);
				return VECTL_ERR_VALUE;
			}
			n_ips++;
			break;
		default:
			return cmd_bad_option("create", argv);
		}
	}
	if (optind != argc - 1) {
		vectl_err("create: usage: vectl %s", vectl_find_cmd("create")->usage);
		return VECTL_ERR_USAGE;
	}
	if (cmd_veid("create", argv[optind], &id))
		return VECTL_ERR_VALUE;
	if (hostname && !hostname_ok(hostname)) {
		vectl_err("create %u: invalid hostname '%s' (letters, digits, '-' and '.', up to 64)",
			  id, hostname);
		return VECTL_ERR_BAD_HOSTNAME;
	}
	if (private && private[0] != '/') {
		vectl_err("create %u: --private needs an absolute path, not '%s'", id, private);
		return VECTL_ERR_VALUE;
	}
	if (node && !cluster_configured()) {
		vectl_err("create %u: --node needs a cluster (vectl cluster init, or join)", id);
		return VECTL_ERR_CLUSTER;
	}
	if (node) {
		bool here;

		rc = cluster_create_on(node, argc, argv, &here);
		if (rc || !here)
			return rc;
	}
	rc = vectx_open(&x, "create", id, true);
	if (rc)
		return rc;
	if (x.exists) {
		vectl_err("create %u: VE already exists (%s); destroy it first", id, x.conf_path);
		rc = VECTL_ERR_PRIVATE_EXISTS;
		goto out;
	}
	if (!ostemplate)
		ostemplate = vectx_get(&x, "DEF_OSTEMPLATE");
	if (!ostemplate || !*ostemplate) {
		vectl_err("create %u: no OS template given (use --ostemplate NAME)", id);
		rc = VECTL_ERR_USAGE;
		goto out;
	}
	rc = load_sample(&x, config ? config : vectx_get(&x, "CONFIGFILE"), config);
	if (rc)
		goto out;
	rc = net_check_configs(&x, ips, n_ips);
	if (rc)
		goto out;
	if (!layout_name)
		layout_name = vectx_get(&x, "VE_LAYOUT");
	if (layout_name && disk_layout_parse(layout_name, &layout)) {
		vectl_err("create %u: VE_LAYOUT=\"%s\" in %s is not image or dir", id, layout_name,
			  VE_GLOBAL_CONF);
		rc = VECTL_ERR_BAD_CONFIG;
		goto out;
	}
	conf_set(&x.conf, "VE_LAYOUT", disk_layout_name(layout));
	if (disk[0])
		conf_set(&x.conf, "DISKSPACE", disk[0]);
	if (disk[1])
		conf_set(&x.conf, "DISKINODES", disk[1]);
	if (disk[2])
		conf_set(&x.conf, "QUOTATIME", disk[2]);
	if (disk_limits_get(&x, &limits, why, sizeof(why))) {
		vectl_err("create %u: %s", id, why);
		rc = VECTL_ERR_BAD_CONFIG;
		goto out;
	}
	if (layout == VE_LAYOUT_IMAGE && image_check_limits(&limits, why, sizeof(why))) {
		vectl_err("create %u: %s", id, why);
		rc = VECTL_ERR_VALUE;
		goto out;
	}
	if (private) {
		snprintf(x.private_dir, sizeof(x.private_dir), "%s", private);
		conf_set(&x.conf, "VE_PRIVATE", private);
	}
	if (!stat(x.private_dir, &st)) {
		vectl_err("create %u: private area %s already exists", id, x.private_dir);
		rc = VECTL_ERR_PRIVATE_EXISTS;
		goto out;
	}
	rc = cluster_claim_id("create", id, &claimed);
	if (rc)
		goto out;
	err = tmpl_resolve(x.template_dir, ostemplate, tmpl, sizeof(tmpl), &is_dir);
	if (err) {
		vectl_err("create %u: %s OS template '%s' (looked for %s/%s.tar.gz, .tar.xz or %s/)",
			  id, err == -ENOENT ? "no" : "invalid", ostemplate,
			  x.template_dir, ostemplate, ostemplate);
		rc = VECTL_ERR_BAD_TEMPLATE;
		goto out;
	}
	if (vectx_secure_parents(&x, why, sizeof(why))) {
		vectl_err("create %u: %s", id, why);
		rc = VECTL_ERR_NEW_PRIVATE;
		goto out;
	}
	err = mkdir_p(VE_CONF_DIR, 0755);
	if (err) {
		vectl_err("create %u: cannot create %s: %s", id, VE_CONF_DIR, strerror(-err));
		rc = VECTL_ERR_NEW_PRIVATE;
		goto out;
	}
	snprintf(partial, sizeof(partial), "%s.partial", x.private_dir);
	fault_point("create:unpacking");
	rc = private_create(&x, layout, partial, tmpl, is_dir, &limits);
	if (rc)
		goto out;
	fault_point("create:unpacked");
	conf_set(&x.conf, "OSTEMPLATE", ostemplate);
	if (hostname)
		conf_set(&x.conf, "HOSTNAME", hostname);
	if (n_ips) {
		ve_ip_list_format(ips, n_ips, ipbuf, sizeof(ipbuf));
		conf_set(&x.conf, "IP_ADDRESS", ipbuf);
	}
	if (rename(partial, x.private_dir) ||
	    (fault_point("create:renamed"), err = conf_save(&x.conf, x.conf_path))) {
		vectl_err("create %u: cannot finish %s: %s", id,
			  access(x.private_dir, F_OK) ? x.private_dir : x.conf_path,
			  strerror(err ? -err : errno));
		remove_tree(partial);
		remove_tree(x.private_dir);
		rc = VECTL_ERR_NEW_PRIVATE;
		goto out;
	}
	fault_point("create:saved");
	mkdir_p(x.root, 0755);
	printf("VE %u created from OS template %s\n", id, ostemplate);
out:
	if (rc && claimed)
		cluster_release_id("create", id);
	vectx_close(&x);
	return rc;
}
