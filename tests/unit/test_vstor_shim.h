/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's types for storvsc's user-space files (vstor_check.c,
 * ol_xact.c), and its one-argument static_assert, which C11's wants a
 * message for.
 */
#ifndef OPENLIS_TEST_VSTOR_SHIM_H
#define OPENLIS_TEST_VSTOR_SHIM_H

#include "test_balloon_shim.h"

#undef static_assert
#define static_assert(e, ...) _Static_assert(e, #e)

#endif
