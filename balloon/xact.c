// SPDX-License-Identifier: GPL-2.0
/* hv_balloon's own copy of the transaction helper (see ol_xact.h). */
#include "../lib/ol_xact.c"
