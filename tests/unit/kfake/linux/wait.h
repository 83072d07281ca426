/* SPDX-License-Identifier: GPL-2.0 */
/* Empty: tests/unit/kfake.h declares what offer.c needs. */
