/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's types for storvsc's user-space files (vstor_check.c,
 * ol_xact.c): the balloon's shim has them all.
 */
#ifndef OPENLIS_TEST_VSTOR_SHIM_H
#define OPENLIS_TEST_VSTOR_SHIM_H

#include "test_balloon_shim.h"

#endif
