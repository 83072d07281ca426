// SPDX-License-Identifier: GPL-2.0
/*
 * The net_device of openlis's hv_netvsc: probe and remove, open and stop,
 * transmit and receive, the packet filter, MAC and MTU changes, the link
 * state the host reports, and ethtool. A change the host must hear about
 * at connection time (MTU, buffer sizes, channel count) detaches the
 * device from the host and attaches it again, as the in-tree driver does.
 *
 * Locking: see netvsc.h. Attach and detach run under RTNL (or in probe
 * and remove, where nothing else can reach the device).
 */
#include <linux/module.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include "netvsc.h"

#define OLNV_GUID \
	GUID_INIT(0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f, \
		  0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e)
/* One link change at most this often; the host may flap at will. */
#define OLNV_LINK_HOLD		(2 * HZ)

static const char * const olnv_drop_names[OLNV_NR_DROPS] = {
	[OLNV_DROP_NVSP]	= "rx_bad_nvsp",
	[OLNV_DROP_RANGE]	= "rx_bad_range",
	[OLNV_DROP_RNDIS]	= "rx_bad_rndis",
	[OLNV_DROP_TID]		= "bad_completion_id",
	[OLNV_DROP_UNASKED]	= "rndis_unasked",
	[OLNV_DROP_NOMEM]	= "rx_no_memory",
	[OLNV_DROP_TX_BIG]	= "tx_dropped",
	[OLNV_DROP_TX_BUSY]	= "tx_busy",
	[OLNV_DROP_COMP_LOST]	= "rx_comp_lost",
};

static const char * const olnv_queue_stats[] = {
	"rx_packets", "rx_bytes", "tx_packets", "tx_bytes",
};

void olnv_tx_done(struct olnv_chan *c, struct sk_buff *skb)
{
	u64_stats_update_begin(&c->syncp);
	c->tx_packets++;
	c->tx_bytes += skb->len;
	u64_stats_update_end(&c->syncp);
	napi_consume_skb(skb, 1);
}

/* A checked data packet from the copy at @msg: into an skb, up the stack. */
void olnv_rx_frame(struct olnv_chan *c, const u8 *msg,
		   const struct rndis_host_msg *m)
{
	struct net_device *ndev = c->nd->ndev;
	struct sk_buff *skb;
	u32 vlan, csum;

	if (m->pkt.data_len < ETH_HLEN) {
		olnv_count_drop(c, OLNV_DROP_RNDIS);
		return;
	}
	skb = napi_alloc_skb(&c->napi, m->pkt.data_len);
	if (!skb) {
		olnv_count_drop(c, OLNV_DROP_NOMEM);
		return;
	}
	skb_put_data(skb, msg + m->pkt.data_off, m->pkt.data_len);
	skb->protocol = eth_type_trans(skb, ndev);
	csum = m->pkt.csum;
	if ((ndev->features & NETIF_F_RXCSUM) && (m->pkt.has & RNDIS_HAS_CSUM) &&
	    (csum & (NDIS_RXCSUM_TCP_OK | NDIS_RXCSUM_UDP_OK)) &&
	    !(csum & (NDIS_RXCSUM_TCP_FAILED | NDIS_RXCSUM_UDP_FAILED |
		      NDIS_RXCSUM_IP_FAILED)))
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	if ((ndev->features & NETIF_F_RXHASH) && (m->pkt.has & RNDIS_HAS_HASH))
		skb_set_hash(skb, m->pkt.hash, PKT_HASH_TYPE_L4);
	if (m->pkt.has & RNDIS_HAS_VLAN) {
		vlan = m->pkt.vlan;
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q),
				       ((vlan >> NDIS_VLAN_ID_SHIFT) &
					NDIS_VLAN_ID_MASK) |
				       ((vlan & NDIS_VLAN_PRI_MASK) <<
					VLAN_PRIO_SHIFT));
	}
	skb_record_rx_queue(skb, c->idx);
	u64_stats_update_begin(&c->syncp);
	c->rx_packets++;
	c->rx_bytes += m->pkt.data_len;
	u64_stats_update_end(&c->syncp);
	napi_gro_receive(&c->napi, skb);
}

/* From NAPI: the link work applies it, no more than once in OLNV_LINK_HOLD. */
void olnv_link_change(struct olnv_dev *nd, u32 status)
{
	switch (status) {
	case RNDIS_STATUS_MEDIA_CONNECT:
		WRITE_ONCE(nd->link_up, true);
		break;
	case RNDIS_STATUS_MEDIA_DISCONNECT:
		WRITE_ONCE(nd->link_up, false);
		break;
	case RNDIS_STATUS_NETWORK_CHANGE:
		/* Down now, up after the hold: DHCP clients ask again. */
		netif_carrier_off(nd->ndev);
		nd->link_next = jiffies + OLNV_LINK_HOLD;
		WRITE_ONCE(nd->link_up, true);
		break;
	default:
		return;
	}
	schedule_delayed_work(&nd->link_work, 0);
}

static void olnv_link_work(struct work_struct *w)
{
	struct olnv_dev *nd = container_of(w, struct olnv_dev, link_work.work);
	bool up = READ_ONCE(nd->link_up);

	/* Attach sets the carrier itself; a detached device has none. */
	if (READ_ONCE(nd->detached) || up == netif_carrier_ok(nd->ndev))
		return;
	if (time_before(jiffies, nd->link_next)) {
		schedule_delayed_work(&nd->link_work, nd->link_next - jiffies);
		return;
	}
	nd->link_next = jiffies + OLNV_LINK_HOLD;
	if (up)
		netif_carrier_on(nd->ndev);
	else
		netif_carrier_off(nd->ndev);
	net_info_ratelimited("%s: link %s\n", netdev_name(nd->ndev),
			     up ? "up" : "down");
}

static u32 olnv_filter(struct net_device *ndev)
{
	if (!netif_running(ndev))
		return 0;
	if (ndev->flags & IFF_PROMISC)
		return NDIS_PACKET_TYPE_PROMISCUOUS;
	/* The host keeps no multicast list: all multicast, or none. */
	return NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST |
	       NDIS_PACKET_TYPE_ALL_MULTICAST;
}

static void olnv_filter_work(struct work_struct *w)
{
	struct olnv_dev *nd = container_of(w, struct olnv_dev, filter_work);

	/* Detach cancels this work first, so the channel stays open here. */
	if (!READ_ONCE(nd->detached))
		olnv_rndis_set_filter(nd, olnv_filter(nd->ndev));
}

static void olnv_set_rx_mode(struct net_device *ndev)
{
	struct olnv_dev *nd = netdev_priv(ndev);

	schedule_work(&nd->filter_work);
}

static int olnv_attach(struct olnv_dev *nd)
{
	struct net_device *ndev = nd->ndev;
	int ret;

	ret = olnv_nvs_attach(nd);
	if (!ret)
		ret = olnv_rndis_attach(nd);
	if (ret) {
		olnv_rndis_detach(nd);
		olnv_nvs_detach(nd);
		return ret;
	}
	netif_set_real_num_tx_queues(ndev, nd->num_chn);
	netif_set_real_num_rx_queues(ndev, nd->num_chn);
	nd->detached = false;
	if (netif_running(ndev)) {
		olnv_rndis_set_filter(nd, olnv_filter(ndev));
		netif_tx_wake_all_queues(ndev);
	}
	if (nd->link_up)
		netif_carrier_on(ndev);
	return 0;
}

static void olnv_detach(struct olnv_dev *nd)
{
	struct net_device *ndev = nd->ndev;

	netif_tx_disable(ndev);
	netif_carrier_off(ndev);
	WRITE_ONCE(nd->detached, true);
	cancel_work_sync(&nd->filter_work);
	olnv_rndis_detach(nd);
	olnv_nvs_detach(nd);
	/* Only now can no link indication schedule the work again. */
	cancel_delayed_work_sync(&nd->link_work);
}

/* Detach and attach again; on failure try once more as it was. */
static int olnv_reattach(struct olnv_dev *nd, u32 rxbuf, u32 txbuf, u32 chn,
			 u32 mtu)
{
	u32 o_rx = nd->rxbuf_size, o_tx = nd->txbuf_size, o_chn = nd->want_chn;
	u32 o_mtu = nd->ndev->mtu;
	int ret;

	olnv_detach(nd);
	nd->rxbuf_size = rxbuf;
	nd->txbuf_size = txbuf;
	nd->want_chn = chn;
	WRITE_ONCE(nd->ndev->mtu, mtu);
	ret = olnv_attach(nd);
	if (!ret)
		return 0;
	nd->rxbuf_size = o_rx;
	nd->txbuf_size = o_tx;
	nd->want_chn = o_chn;
	WRITE_ONCE(nd->ndev->mtu, o_mtu);
	if (olnv_attach(nd))
		netdev_err(nd->ndev, "detached: the host refused us again\n");
	return ret;
}

static int olnv_open(struct net_device *ndev)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	int ret;

	if (nd->detached)
		return -ENODEV;
	ret = olnv_rndis_set_filter(nd, olnv_filter(ndev));
	if (ret)
		return ret;
	netif_tx_wake_all_queues(ndev);
	if (nd->link_up)
		netif_carrier_on(ndev);
	return 0;
}

static int olnv_stop(struct net_device *ndev)
{
	struct olnv_dev *nd = netdev_priv(ndev);

	netif_tx_disable(ndev);
	cancel_work_sync(&nd->filter_work);
	if (!nd->detached)
		olnv_rndis_set_filter(nd, 0);
	return 0;
}

static u16 olnv_select_queue(struct net_device *ndev, struct sk_buff *skb,
			     struct net_device *sb_dev)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	u32 q = nd->tx_table[skb_get_hash(skb) % NVSP_SEND_TABLE_SIZE];

	(void)sb_dev;
	return q % ndev->real_num_tx_queues;
}

static bool olnv_needs_sw_csum(struct olnv_dev *nd, struct sk_buff *skb)
{
	if (skb->ip_summed != CHECKSUM_PARTIAL ||
	    skb->csum_offset != offsetof(struct udphdr, check))
		return false;
	return skb->protocol == htons(ETH_P_IPV6) ? !nd->udp6_csum :
	       !nd->udp4_csum;
}

static netdev_tx_t olnv_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	u16 q = skb_get_queue_mapping(skb);
	u8 hdr[OLNV_TX_HDR_MAX];
	struct olnv_chan *c;
	u32 hdr_len;

	if (q >= nd->num_chn)
		q = 0;
	c = &nd->chans[q];
	if (nd->detached || !c->chan)
		goto drop;
	if (olnv_needs_sw_csum(nd, skb) && skb_checksum_help(skb))
		goto drop;
	/* LSO rewrites the headers: they must be ours alone. */
	if (skb_is_gso(skb) && skb_cow_head(skb, 0))
		goto drop;
	hdr_len = olnv_rndis_tx_header(nd, skb, hdr);
	if (olnv_nvs_xmit(c, skb, hdr, hdr_len)) {
		netif_tx_stop_queue(netdev_get_tx_queue(ndev, q));
		return NETDEV_TX_BUSY;
	}
	return NETDEV_TX_OK;
drop:
	olnv_count_drop_any(nd, OLNV_DROP_TX_BIG);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

static int olnv_set_mac(struct net_device *ndev, void *p)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	struct sockaddr *sa = p;
	int ret;

	ret = eth_prepare_mac_addr_change(ndev, p);
	if (ret)
		return ret;
	ret = olnv_rndis_set_mac(nd, sa->sa_data);
	if (ret)
		return ret;
	eth_commit_mac_addr_change(ndev, p);
	return 0;
}

static int olnv_change_mtu(struct net_device *ndev, int mtu)
{
	struct olnv_dev *nd = netdev_priv(ndev);

	return olnv_reattach(nd, nd->rxbuf_size, nd->txbuf_size, nd->want_chn,
			     mtu);
}

/* Every drop counter, the channels' and the device's, summed into @sum. */
static void olnv_sum_drops(struct olnv_dev *nd, u64 *sum)
{
	u64 dc[OLNV_NR_DROPS];
	unsigned int start;
	u32 i, d;

	for (d = 0; d < OLNV_NR_DROPS; d++)
		sum[d] = atomic64_read(&nd->drops_any[d]);
	for (i = 0; i < OLNV_MAX_CHANNELS; i++) {
		struct olnv_chan *c = &nd->chans[i];

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			memcpy(dc, c->drops, sizeof(dc));
		} while (u64_stats_fetch_retry(&c->syncp, start));
		for (d = 0; d < OLNV_NR_DROPS; d++)
			sum[d] += dc[d];
	}
}

static void olnv_get_stats64(struct net_device *ndev,
			     struct rtnl_link_stats64 *s)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	u64 rp, rb, tp, tb, drops[OLNV_NR_DROPS];
	unsigned int start, i, d;

	for (i = 0; i < OLNV_MAX_CHANNELS; i++) {
		struct olnv_chan *c = &nd->chans[i];

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			rp = c->rx_packets;
			rb = c->rx_bytes;
			tp = c->tx_packets;
			tb = c->tx_bytes;
		} while (u64_stats_fetch_retry(&c->syncp, start));
		s->rx_packets += rp;
		s->rx_bytes += rb;
		s->tx_packets += tp;
		s->tx_bytes += tb;
	}
	olnv_sum_drops(nd, drops);
	/* A busy ring hands the frame back: nothing is lost. */
	for (d = 0; d < OLNV_NR_DROPS; d++)
		if (d == OLNV_DROP_TX_BIG)
			s->tx_dropped += drops[d];
		else if (d != OLNV_DROP_TX_BUSY)
			s->rx_dropped += drops[d];
}

static const struct net_device_ops olnv_netdev_ops = {
	.ndo_open		= olnv_open,
	.ndo_stop		= olnv_stop,
	.ndo_start_xmit		= olnv_xmit,
	.ndo_select_queue	= olnv_select_queue,
	.ndo_set_rx_mode	= olnv_set_rx_mode,
	.ndo_set_mac_address	= olnv_set_mac,
	.ndo_change_mtu		= olnv_change_mtu,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_get_stats64	= olnv_get_stats64,
};

static void olnv_get_drvinfo(struct net_device *ndev,
			     struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, OPENLIS_VERSION, sizeof(info->version));
}

static void olnv_get_channels(struct net_device *ndev,
			      struct ethtool_channels *ch)
{
	struct olnv_dev *nd = netdev_priv(ndev);

	ch->max_combined = nd->max_chn;
	ch->combined_count = nd->num_chn;
}

static int olnv_set_channels(struct net_device *ndev,
			     struct ethtool_channels *ch)
{
	struct olnv_dev *nd = netdev_priv(ndev);

	if (ch->rx_count || ch->tx_count || ch->other_count ||
	    !ch->combined_count || ch->combined_count > nd->max_chn)
		return -EINVAL;
	if (nd->nvsp_ver < NVSP_VERSION_5)
		return -EOPNOTSUPP;
	return olnv_reattach(nd, nd->rxbuf_size, nd->txbuf_size,
			     ch->combined_count, ndev->mtu);
}

static void olnv_get_ringparam(struct net_device *ndev,
			       struct ethtool_ringparam *r,
			       struct kernel_ethtool_ringparam *kr,
			       struct netlink_ext_ack *ext)
{
	struct olnv_dev *nd = netdev_priv(ndev);

	r->rx_max_pending = OLNV_RXBUF_MAX / nd->rx_section_size;
	r->tx_max_pending = OLNV_TXBUF_MAX / nd->tx_section_size;
	r->rx_pending = nd->rx_sections;
	r->tx_pending = nd->tx_sections;
}

static int olnv_set_ringparam(struct net_device *ndev,
			      struct ethtool_ringparam *r,
			      struct kernel_ethtool_ringparam *kr,
			      struct netlink_ext_ack *ext)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	u64 rx = (u64)r->rx_pending * nd->rx_section_size;
	u64 tx = (u64)r->tx_pending * nd->tx_section_size;

	if (r->rx_pending < 10 || r->tx_pending < 10 ||
	    rx > OLNV_RXBUF_MAX || tx > OLNV_TXBUF_MAX)
		return -EINVAL;
	return olnv_reattach(nd, rx, tx, nd->want_chn, ndev->mtu);
}

static int olnv_get_sset_count(struct net_device *ndev, int sset)
{
	struct olnv_dev *nd = netdev_priv(ndev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return OLNV_NR_DROPS + nd->num_chn * ARRAY_SIZE(olnv_queue_stats);
}

static void olnv_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	u32 i, j;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < OLNV_NR_DROPS; i++)
		netvsc_ethtool_puts(&data, olnv_drop_names[i]);
	for (i = 0; i < nd->num_chn; i++)
		for (j = 0; j < ARRAY_SIZE(olnv_queue_stats); j++)
			ethtool_sprintf(&data, "queue_%u_%s", i,
					olnv_queue_stats[j]);
}

static void olnv_get_ethtool_stats(struct net_device *ndev,
				   struct ethtool_stats *st, u64 *data)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	unsigned int start;
	u64 q[4];
	u32 i;

	olnv_sum_drops(nd, data);
	for (i = 0; i < nd->num_chn; i++) {
		struct olnv_chan *c = &nd->chans[i];

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			q[0] = c->rx_packets;
			q[1] = c->rx_bytes;
			q[2] = c->tx_packets;
			q[3] = c->tx_bytes;
		} while (u64_stats_fetch_retry(&c->syncp, start));
		memcpy(data + OLNV_NR_DROPS + 4 * i, q, sizeof(q));
	}
}

static u32 olnv_rxfh_key_size(struct net_device *ndev)
{
	return NDIS_RSS_KEY_SIZE;
}

static u32 olnv_rxfh_indir_size(struct net_device *ndev)
{
	struct olnv_dev *nd = netdev_priv(ndev);

	return nd->rss_entries;
}

static int olnv_rxfh_get(struct net_device *ndev, u32 *indir, u8 *key,
			 u8 *hfunc)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	u32 i;

	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	if (indir)
		for (i = 0; i < nd->rss_entries; i++)
			indir[i] = nd->rss_table[i] % nd->num_chn;
	if (key)
		memcpy(key, nd->rss_key, NDIS_RSS_KEY_SIZE);
	return 0;
}

/* Toeplitz only; the host takes the new table and key at once. */
static int olnv_rxfh_set(struct net_device *ndev, const u32 *indir,
			 const u8 *key, u8 hfunc)
{
	struct olnv_dev *nd = netdev_priv(ndev);
	u32 i;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP)
		return -EOPNOTSUPP;
	if (nd->detached || nd->num_chn <= 1)
		return -EOPNOTSUPP;
	if (indir) {
		for (i = 0; i < nd->rss_entries; i++)
			if (indir[i] >= nd->num_chn)
				return -EINVAL;
		for (i = 0; i < nd->rss_entries; i++)
			nd->rss_table[i] = indir[i];
	}
	if (key)
		memcpy(nd->rss_key, key, NDIS_RSS_KEY_SIZE);
	return olnv_rndis_set_rss(nd);
}

NETVSC_RXFH_OPS(olnv_rxfh_get, olnv_rxfh_set)

static const struct ethtool_ops olnv_ethtool_ops = {
	.get_drvinfo		= olnv_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_channels		= olnv_get_channels,
	.set_channels		= olnv_set_channels,
	.get_ringparam		= olnv_get_ringparam,
	.set_ringparam		= olnv_set_ringparam,
	.get_sset_count		= olnv_get_sset_count,
	.get_strings		= olnv_get_strings,
	.get_ethtool_stats	= olnv_get_ethtool_stats,
	.get_rxfh_key_size	= olnv_rxfh_key_size,
	.get_rxfh_indir_size	= olnv_rxfh_indir_size,
	.get_rxfh		= netvsc_get_rxfh,
	.set_rxfh		= netvsc_set_rxfh,
};

static int olnv_probe(struct hv_device *hdev, const struct hv_vmbus_device_id *id)
{
	struct net_device *ndev;
	struct olnv_dev *nd;
	u32 i;
	int ret;

	ndev = alloc_etherdev_mq(sizeof(*nd), OLNV_MAX_CHANNELS);
	if (!ndev)
		return -ENOMEM;
	nd = netdev_priv(ndev);
	nd->ndev = ndev;
	nd->hdev = hdev;
	nd->detached = true;
	nd->rxbuf_size = OLNV_RXBUF_DEFAULT;
	nd->txbuf_size = OLNV_TXBUF_DEFAULT;
	nd->want_chn = OLNV_DEFAULT_CHANNELS;
	mutex_init(&nd->ctl.lock);
	init_completion(&nd->ctl.done);
	mutex_init(&nd->rndis_lock);
	init_waitqueue_head(&nd->sc_wait);
	INIT_DELAYED_WORK(&nd->link_work, olnv_link_work);
	INIT_WORK(&nd->filter_work, olnv_filter_work);
	netdev_rss_key_fill(nd->rss_key, sizeof(nd->rss_key));
	for (i = 0; i < NDIS_RSS_IND_ENTRIES_MAX; i++)
		nd->rss_table[i] = i;
	nd->rreq = kcalloc(OLNV_RNDIS_SLOTS, sizeof(*nd->rreq), GFP_KERNEL);
	if (!nd->rreq) {
		free_netdev(ndev);
		return -ENOMEM;
	}
	for (i = 0; i < OLNV_RNDIS_SLOTS; i++)
		init_completion(&nd->rreq[i].done);

	SET_NETDEV_DEV(ndev, &hdev->device);
	hv_set_drvdata(hdev, ndev);
	ndev->netdev_ops = &olnv_netdev_ops;
	ndev->ethtool_ops = &olnv_ethtool_ops;
	ndev->min_mtu = ETH_MIN_MTU;
	ndev->max_mtu = OLNV_MTU_MAX;
	ndev->hw_features = NETIF_F_SG;
	ndev->vlan_features = NETIF_F_SG;
	netif_carrier_off(ndev);

	ret = olnv_attach(nd);
	if (ret)
		goto fail;
	ndev->features = ndev->hw_features | NETIF_F_HW_VLAN_CTAG_TX |
			 NETIF_F_HW_VLAN_CTAG_RX;
	ret = register_netdev(ndev);
	if (ret) {
		olnv_detach(nd);
		goto fail;
	}
	return 0;
fail:
	hv_set_drvdata(hdev, NULL);
	kfree(nd->rreq);
	free_netdev(ndev);
	return ret;
}

static void olnv_remove(struct hv_device *hdev)
{
	struct net_device *ndev = hv_get_drvdata(hdev);
	struct olnv_dev *nd = netdev_priv(ndev);

	/*
	 * Detach while the device is still registered: a carrier change after
	 * unregister would queue the freed device on the link watch list.
	 */
	rtnl_lock();
	if (!nd->detached)
		olnv_detach(nd);
	unregister_netdevice(ndev);
	rtnl_unlock();
	/* Unregister's close may have asked for a filter; it finds us detached. */
	cancel_work_sync(&nd->filter_work);
	cancel_delayed_work_sync(&nd->link_work);
	hv_set_drvdata(hdev, NULL);
	kfree(nd->rreq);
	free_netdev(ndev);
}

/*
 * Hibernation: the host that resumes us knows nothing of this one's
 * channels and buffers, so the device detaches before the image is
 * written and attaches again, as at probe, after it is read.
 */
static int olnv_suspend(struct hv_device *hdev)
{
	struct olnv_dev *nd = netdev_priv(hv_get_drvdata(hdev));

	rtnl_lock();
	netif_device_detach(nd->ndev);
	if (!nd->detached)
		olnv_detach(nd);
	rtnl_unlock();
	return 0;
}

static int olnv_resume(struct hv_device *hdev)
{
	struct olnv_dev *nd = netdev_priv(hv_get_drvdata(hdev));
	int ret;

	rtnl_lock();
	ret = olnv_attach(nd);
	if (!ret)
		netif_device_attach(nd->ndev);
	rtnl_unlock();
	return ret;
}

static OL_HV_REMOVE_RET olnv_remove_cb(struct hv_device *hdev)
{
	olnv_remove(hdev);
	return OL_HV_REMOVE_DONE;
}

static const struct hv_vmbus_device_id olnv_ids[] = {
	{ OLNV_GUID, },
	{ },
};
MODULE_DEVICE_TABLE(vmbus, olnv_ids);

static struct hv_driver olnv_driver = {
	.name = KBUILD_MODNAME,
	.id_table = olnv_ids,
	.probe = olnv_probe,
	.remove = olnv_remove_cb,
	.suspend = olnv_suspend,
	.resume = olnv_resume,
	.driver = {
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

static int __init olnv_init(void)
{
	return vmbus_driver_register(&olnv_driver);
}

static void __exit olnv_exit(void)
{
	vmbus_driver_unregister(&olnv_driver);
}

module_init(olnv_init);
module_exit(olnv_exit);

MODULE_DESCRIPTION("Hyper-V synthetic network adapter, openlis");
MODULE_LICENSE("GPL");
MODULE_VERSION(OPENLIS_VERSION);
