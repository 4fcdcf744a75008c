/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VECTL_UNIT_H
#define VECTL_UNIT_H

#include <check.h>

Suite *nl_suite(void);
Suite *cli_suite(void);
Suite *list_suite(void);
Suite *config_suite(void);
Suite *net_suite(void);
Suite *cluster_suite(void);

#endif
