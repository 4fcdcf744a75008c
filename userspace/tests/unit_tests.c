// SPDX-License-Identifier: GPL-2.0
/* Runs every unit-test suite of vectl; TAP on stdout when CK_TAP_LOG_FILE_NAME=-. */
#include <stdlib.h>

#include "unit.h"

int main(void)
{
	SRunner *sr = srunner_create(nl_suite());
	int failed;

	srunner_add_suite(sr, cli_suite());
	srunner_add_suite(sr, list_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, net_suite());
	srunner_add_suite(sr, cluster_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
