// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: WARNs when loaded. scripts/test-vm loads it to prove
 * that scripts/vm fails a run whose console shows a kernel warning.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init ve_test_warn_init(void)
{
	WARN(1, "ve_test_warn: deliberate warning for the runner self-test\n");
	return 0;
}

static void __exit ve_test_warn_exit(void)
{
}

module_init(ve_test_warn_init);
module_exit(ve_test_warn_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ve test: WARN at load to exercise the guest console check");
