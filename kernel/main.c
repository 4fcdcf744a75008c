// SPDX-License-Identifier: GPL-2.0
/*
 * ve: virtual environments on a stock kernel.
 *
 * This file owns module load and unload: it brings the parts of ve up in
 * dependency order and takes them down in reverse. The netlink family is
 * registered last and unregistered first, so that no request can reach a
 * part that is not (or no longer) there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include <uapi/linux/ve.h>

#include "charge.h"
#include "hooks.h"
#include "loadavg.h"
#include "net.h"
#include "netlink.h"
#include "proc.h"
#include "registry.h"
#include "vproc.h"

static int __init ve_init(void)
{
	int err;

	err = ve_registry_init();
	if (err)
		return err;

	err = ve_charge_init();
	if (err)
		goto err_registry;

	err = ve_proc_init();
	if (err)
		goto err_charge;

	err = ve_vproc_init();
	if (err)
		goto err_proc;

	err = ve_hooks_init();
	if (err)
		goto err_vproc;

	err = ve_net_init();
	if (err)
		goto err_hooks;

	err = ve_genl_init();
	if (err)
		goto err_net;

	pr_info("version %s loaded (netlink ABI %u)\n", VE_VERSION,
		VE_FAMILY_VERSION);
	return 0;

err_net:
	ve_net_uninit();
err_hooks:
	ve_hooks_uninit();
err_vproc:
	ve_vproc_uninit();
err_proc:
	ve_proc_uninit();
err_charge:
	ve_charge_uninit();
err_registry:
	ve_registry_uninit();
	return err;
}

static void __exit ve_exit(void)
{
	/*
	 * No VE runs (each holds the module), so no new work is queued; what
	 * is queued may still notify, so it goes before the family.
	 */
	ve_loadavg_uninit();
	ve_flush_work();
	ve_genl_uninit();
	ve_net_uninit();
	ve_hooks_uninit();
	ve_vproc_uninit();
	ve_proc_uninit();
	ve_charge_uninit();
	ve_registry_uninit();
	pr_info("unloaded\n");
}

module_init(ve_init);
module_exit(ve_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual environments (OpenVZ-style containers) on a stock kernel");
MODULE_VERSION(VE_VERSION);
MODULE_ALIAS_GENL_FAMILY(VE_FAMILY_NAME);
