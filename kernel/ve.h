/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide definitions shared by the files of ve.ko.
 */
#ifndef _VE_VE_H
#define _VE_VE_H

#ifndef VE_VERSION
#define VE_VERSION "unknown"
#endif

#endif /* _VE_VE_H */
