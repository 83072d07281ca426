/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by netvsc/. */
#ifndef OPENLIS_NETVSC_COMPAT_H
#define OPENLIS_NETVSC_COMPAT_H

/* A fixed ethtool statistics name: ethtool_puts() since 6.8. */
#ifdef OPENLIS_HAVE_NETVSC_ETHTOOL_PUTS
#define netvsc_ethtool_puts(data, s)	ethtool_puts(data, s)
#else
#define netvsc_ethtool_puts(data, s) do {				\
	u8 **__d = (data);						\
									\
	strscpy_pad((char *)*__d, s, ETH_GSTRING_LEN);			\
	*__d += ETH_GSTRING_LEN;					\
} while (0)
#endif

/*
 * ethtool's RSS key and table ops took one struct ethtool_rxfh_param since
 * 6.8, separate arguments before. NETVSC_RXFH_OPS(get, set) wraps
 *	int get(struct net_device *, u32 *indir, u8 *key, u8 *hfunc);
 *	int set(struct net_device *, const u32 *indir, const u8 *key, u8 hfunc);
 * as netvsc_get_rxfh and netvsc_set_rxfh, for the kernel's ops table.
 */
#ifdef OPENLIS_HAVE_NETVSC_ETHTOOL_RXFH_PARAM
#define NETVSC_RXFH_OPS(get, set)					\
static int netvsc_get_rxfh(struct net_device *dev,			\
			   struct ethtool_rxfh_param *p)		\
{									\
	return get(dev, p->indir, p->key, &p->hfunc);			\
}									\
static int netvsc_set_rxfh(struct net_device *dev,			\
			   struct ethtool_rxfh_param *p,		\
			   struct netlink_ext_ack *extack)		\
{									\
	return set(dev, p->indir, p->key, p->hfunc);			\
}
#else
#define NETVSC_RXFH_OPS(get, set)					\
static int netvsc_get_rxfh(struct net_device *dev, u32 *indir, u8 *key,\
			   u8 *hfunc)					\
{									\
	return get(dev, indir, key, hfunc);				\
}									\
static int netvsc_set_rxfh(struct net_device *dev, const u32 *indir,	\
			   const u8 *key, const u8 hfunc)		\
{									\
	return set(dev, indir, key, hfunc);				\
}
#endif

#endif
