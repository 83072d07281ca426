/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_KVP_NET_H
#define HVD_KVP_NET_H

#include "kvp_msg.h"

/* The real network, read and configured through rtnetlink (libnl-route-3). */
extern const struct kvp_net_ops kvp_net_libnl;

#endif
