// SPDX-License-Identifier: GPL-2.0
/*
 * RNDIS over NVSP: initialisation, OID queries and sets (MAC, link, packet
 * filter, offloads, RSS), the MAC change through a config parameter, status
 * indications, and the header of each frame we send.
 *
 * A request waits in a slot for the answer carrying its request id and the
 * completion type of its kind; answers are copied into the slot from the
 * checked copy of the receive range, so the requester reads only memory of
 * the guest's. A late answer finds its slot free or reused under another
 * id, and is dropped and counted.
 *
 * Locking: see netvsc.h. rndis_lock serialises requesters; olnv_rreq_lock
 * (a spinlock) hands an answer from NAPI to its slot.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/nls.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <linux/tcp.h>
#include "netvsc.h"

static DEFINE_SPINLOCK(olnv_rreq_lock);

/*
 * Send request @msg (@len bytes, its request id field at offset 8 filled
 * in here) and wait for the answer of type @want, decoded into @m. For a
 * query, up to *@out_len bytes of the answer go to @out, before another
 * request may reuse the slot.
 */
static int olnv_rndis_request(struct olnv_dev *nd, const void *msg, u32 len,
			      u32 want, struct rndis_host_msg *m, void *out,
			      u32 *out_len)
{
	struct olnv_rndis_req *r = &nd->rreq[0];
	u32 id;
	int ret;

	if (len > sizeof(r->msg)) {
		netdev_err(nd->ndev, "RNDIS request of %u bytes: too big\n", len);
		return -EINVAL;
	}
	mutex_lock(&nd->rndis_lock);
	id = ++nd->next_req_id;
	if (!id)
		id = ++nd->next_req_id;
	memcpy(r->msg, msg, len);
	memcpy(r->msg + RNDIS_HDR_SIZE, &id, sizeof(id));
	spin_lock_bh(&olnv_rreq_lock);
	reinit_completion(&r->done);
	r->req_id = id;
	r->want = want;
	r->len = 0;
	spin_unlock_bh(&olnv_rreq_lock);

	ret = olnv_nvs_send_rndis(nd, &nd->chans[0], r->msg, len,
				  nvsp_tid(NVSP_TID_RNDIS, 0));
	if (!ret && !wait_for_completion_timeout(&r->done, OLNV_CTL_TIMEOUT)) {
		struct hv_ring_buffer_info *in = &nd->chans[0].chan->inbound;

		/* Unread bytes here mean a wakeup we lost, not a silent host. */
		netdev_err(nd->ndev,
			   "RNDIS request %#x: no answer, %u bytes unread, mask %u\n",
			   want, hv_get_bytes_to_read(in),
			   READ_ONCE(in->ring_buffer->interrupt_mask));
		ret = -ETIMEDOUT;
	}

	spin_lock_bh(&olnv_rreq_lock);
	r->req_id = 0;
	if (!ret && !r->len)
		ret = -EMSGSIZE;
	spin_unlock_bh(&olnv_rreq_lock);
	/* The copy was checked when it came; decoding it again is cheap. */
	if (!ret && rndis_check_msg(r->resp, r->len, m) != RNDIS_OK)
		ret = -EPROTO;
	if (!ret && out) {
		if (m->comp.status != RNDIS_STATUS_SUCCESS) {
			ret = -EIO;
		} else {
			*out_len = min(*out_len, m->comp.info_len);
			memcpy(out, r->resp + m->comp.info_off, *out_len);
		}
	}
	mutex_unlock(&nd->rndis_lock);
	if (ret)
		netdev_err(nd->ndev, "RNDIS request %#x: error %d\n", want, ret);
	return ret;
}

/* Query @oid; @in (@in_len bytes) goes along, @out gets up to *@out_len. */
static int olnv_rndis_query(struct olnv_dev *nd, u32 oid, const void *in,
			    u32 in_len, void *out, u32 *out_len)
{
	u8 buf[sizeof(struct rndis_oid_req) + 256] = { 0 };
	struct rndis_oid_req *q = (void *)buf;
	struct rndis_host_msg m;

	if (in_len > sizeof(buf) - sizeof(*q))
		return -EINVAL;
	q->hdr.type = RNDIS_MSG_QUERY;
	q->hdr.len = sizeof(*q) + in_len;
	q->oid = oid;
	q->info_len = in_len;
	q->info_offset = sizeof(*q) - RNDIS_HDR_SIZE;
	if (in_len)
		memcpy(buf + sizeof(*q), in, in_len);
	return olnv_rndis_request(nd, buf, q->hdr.len, RNDIS_MSG_QUERY_C, &m,
				  out, out_len);
}

static int olnv_rndis_set(struct olnv_dev *nd, u32 oid, const void *data,
			  u32 len)
{
	struct rndis_oid_req *s;
	struct rndis_host_msg m;
	u32 total = sizeof(*s) + len;
	int ret;

	s = kzalloc(total, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->hdr.type = RNDIS_MSG_SET;
	s->hdr.len = total;
	s->oid = oid;
	s->info_len = len;
	s->info_offset = sizeof(*s) - RNDIS_HDR_SIZE;
	memcpy(s + 1, data, len);
	ret = olnv_rndis_request(nd, s, total, RNDIS_MSG_SET_C, &m, NULL, NULL);
	kfree(s);
	if (!ret && m.comp.status != RNDIS_STATUS_SUCCESS)
		ret = -EIO;
	return ret;
}

/* An answer or an indication from the host, already checked. */
void olnv_rndis_receive(struct olnv_chan *c, const u8 *msg,
			const struct rndis_host_msg *m)
{
	struct olnv_dev *nd = c->nd;
	struct olnv_rndis_req *r = &nd->rreq[0];
	bool taken = false;
	u32 id;

	switch (m->type) {
	case RNDIS_MSG_INDICATE:
		olnv_link_change(nd, m->ind.status);
		return;
	case RNDIS_MSG_INIT_C:
		id = m->init.req_id;
		break;
	case RNDIS_MSG_QUERY_C:
	case RNDIS_MSG_SET_C:
	case RNDIS_MSG_KEEPALIVE_C:
		id = m->comp.req_id;
		break;
	default:	/* RESET_C and KEEPALIVE: we send neither a reset nor keep alive */
		olnv_count_drop(c, OLNV_DROP_UNASKED);
		return;
	}
	spin_lock(&olnv_rreq_lock);
	if (id && r->req_id == id && r->want == m->type) {
		/* Too large to keep: the requester sees no answer. */
		if (m->len <= sizeof(r->resp)) {
			memcpy(r->resp, msg, m->len);
			r->len = m->len;
		}
		r->req_id = 0;
		complete(&r->done);
		taken = true;
	}
	spin_unlock(&olnv_rreq_lock);
	if (!taken) {
		olnv_count_drop(c, OLNV_DROP_UNASKED);
		net_warn_ratelimited("%s: RNDIS answer %#x id %u not asked for\n",
				     netdev_name(nd->ndev), m->type, id);
	}
}

static int olnv_rndis_init(struct olnv_dev *nd)
{
	struct rndis_init_req req = {
		.hdr = { RNDIS_MSG_INIT, sizeof(req) },
		.major = RNDIS_MAJOR_VERSION,
		.minor = RNDIS_MINOR_VERSION,
		.max_xfer_size = RNDIS_MAX_XFER_SIZE,
	};
	struct rndis_host_msg m;
	int ret;

	ret = olnv_rndis_request(nd, &req, sizeof(req), RNDIS_MSG_INIT_C, &m,
				 NULL, NULL);
	if (ret)
		return ret;
	if (m.init.status != RNDIS_STATUS_SUCCESS) {
		netdev_err(nd->ndev, "RNDIS init refused: %#x\n", m.init.status);
		return -EIO;
	}
	/* We send one frame a message; the host's batching limits are moot. */
	nd->max_pkts = m.init.max_pkts;
	nd->align_shift = min_t(u32, m.init.align_shift, 12);
	return 0;
}

#define OLNV_CSUM_TCP4	(NDIS_CSUM_CAP_TCP4 | NDIS_CSUM_CAP_TCP4OPT)
#define OLNV_CSUM_TCP6	(NDIS_CSUM_CAP_TCP6 | NDIS_CSUM_CAP_TCP6OPT | \
			 NDIS_CSUM_CAP_IP6EXT)
#define OLNV_HW_FEATURES (NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM | NETIF_F_TSO | \
			  NETIF_F_TSO6 | NETIF_F_RXCSUM | NETIF_F_SG | \
			  NETIF_F_RXHASH)

static int olnv_rndis_offloads(struct olnv_dev *nd)
{
	struct net_device *ndev = nd->ndev;
	struct ndis_offload_caps *caps = &nd->caps;
	struct ndis_offload_params p = { 0 };
	u8 buf[sizeof(*caps)] = { 0 };
	struct ndis_obj_hdr *h = (void *)buf;
	u32 len = sizeof(buf);
	netdev_features_t f = 0;
	u32 plen = sizeof(p), tso;
	int ret;

	h->type = NDIS_OBJTYPE_OFFLOAD;
	if (nd->nvsp_ver >= NVSP_VERSION_5) {
		h->rev = NDIS_OFFLOAD_REV_3;
		h->size = sizeof(*caps);
	} else if (nd->nvsp_ver >= NVSP_VERSION_4) {
		h->rev = NDIS_OFFLOAD_REV_2;
		h->size = NDIS_OFFLOAD_SIZE_6_1;
	} else {
		h->rev = NDIS_OFFLOAD_REV_1;
		h->size = NDIS_OFFLOAD_SIZE_6_0;
	}
	ret = olnv_rndis_query(nd, RNDIS_OID_TCP_OFFLOAD_HW_CAPS, buf, h->size,
			       buf, &len);
	if (ret || rndis_check_offload_caps(buf, len, caps) != RNDIS_OK) {
		netdev_warn(ndev, "no offload capabilities from the host\n");
		memset(caps, 0, sizeof(*caps));
		return 0;
	}

	p.hdr.type = NDIS_OBJTYPE_DEFAULT;
	p.hdr.rev = NDIS_OFFLOAD_REV_3;
	if (nd->nvsp_ver <= NVSP_VERSION_4)
		plen = NDIS_OFFLOAD_PARAMS_SIZE_4;
	p.hdr.size = plen;
	tso = GSO_LEGACY_MAX_SIZE;
	if ((caps->csum.ip4_txcsum & OLNV_CSUM_TCP4) == OLNV_CSUM_TCP4) {
		p.tcp4_csum = NDIS_OFFLOAD_CSUM_TX_RX;
		f |= NETIF_F_IP_CSUM;
		if (nd->nvsp_ver > NVSP_VERSION_4 &&
		    (caps->csum.ip4_txcsum & NDIS_CSUM_CAP_UDP4))
			p.udp4_csum = NDIS_OFFLOAD_CSUM_TX_RX;
		nd->udp4_csum = p.udp4_csum;
		if ((caps->lsov2.ip4_encap & NDIS_ENCAP_8023) &&
		    caps->lsov2.ip4_maxsz) {
			p.lsov2_ip4 = NDIS_OFFLOAD_LSOV2_ENABLED;
			f |= NETIF_F_TSO;
			tso = min(tso, caps->lsov2.ip4_maxsz);
		}
	}
	if ((caps->csum.ip6_txcsum & OLNV_CSUM_TCP6) == OLNV_CSUM_TCP6) {
		p.tcp6_csum = NDIS_OFFLOAD_CSUM_TX_RX;
		f |= NETIF_F_IPV6_CSUM;
		if (nd->nvsp_ver > NVSP_VERSION_4 &&
		    (caps->csum.ip6_txcsum & NDIS_CSUM_CAP_UDP6))
			p.udp6_csum = NDIS_OFFLOAD_CSUM_TX_RX;
		nd->udp6_csum = p.udp6_csum;
		if ((caps->lsov2.ip6_encap & NDIS_ENCAP_8023) &&
		    (caps->lsov2.ip6_opts & NDIS_LSOV2_CAP_IP6) ==
		    NDIS_LSOV2_CAP_IP6 && caps->lsov2.ip6_maxsz) {
			p.lsov2_ip6 = NDIS_OFFLOAD_LSOV2_ENABLED;
			f |= NETIF_F_TSO6;
			tso = min(tso, caps->lsov2.ip6_maxsz);
		}
	}
	if (!p.lsov2_ip4)
		p.lsov2_ip4 = NDIS_OFFLOAD_LSOV2_DISABLED;
	if (!p.lsov2_ip6)
		p.lsov2_ip6 = NDIS_OFFLOAD_LSOV2_DISABLED;
	ret = olnv_rndis_set(nd, RNDIS_OID_TCP_OFFLOAD_PARAMETERS, &p, plen);
	if (ret) {
		netdev_warn(ndev, "host refused the offload parameters\n");
		return 0;
	}
	if (p.tcp4_csum || p.tcp6_csum)
		f |= NETIF_F_RXCSUM;
	ndev->hw_features = f | NETIF_F_SG | NETIF_F_RXHASH;
	/* What the host stopped offering goes from the features too. */
	ndev->features &= ~OLNV_HW_FEATURES | ndev->hw_features;
	netif_set_tso_max_size(ndev, tso);
	return 0;
}

/* Spread the indirection table over the channels, key as it is. */
int olnv_rndis_set_rss(struct olnv_dev *nd)
{
	u32 n = nd->rss_entries, len, i;
	struct ndis_rss_params *p;
	u32 *tab;
	int ret;

	len = sizeof(*p) + n * sizeof(u32) + NDIS_RSS_KEY_SIZE;
	p = kzalloc(len, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->hdr.type = NDIS_OBJTYPE_RSS_PARAMS;
	p->hdr.rev = NDIS_RSS_PARAMS_REV_2;
	p->hdr.size = sizeof(*p);
	p->hash_info = NDIS_HASH_FUNC_TOEPLITZ | NDIS_HASH_IPV4 |
		       NDIS_HASH_TCP_IPV4 | NDIS_HASH_IPV6 | NDIS_HASH_TCP_IPV6;
	p->ind_size = n * sizeof(u32);
	p->ind_offset = sizeof(*p);
	p->key_size = NDIS_RSS_KEY_SIZE;
	p->key_offset = sizeof(*p) + n * sizeof(u32);
	tab = (u32 *)(p + 1);
	for (i = 0; i < n; i++)
		tab[i] = nd->rss_table[i] % nd->num_chn;
	memcpy((u8 *)p + p->key_offset, nd->rss_key, NDIS_RSS_KEY_SIZE);
	ret = olnv_rndis_set(nd, RNDIS_OID_GEN_RSS_PARAMETERS, p, len);
	kfree(p);
	return ret;
}

/* How many receive queues the host offers: 1 without RSS. */
static u32 olnv_rndis_rss_caps(struct olnv_dev *nd)
{
	struct ndis_rss_caps c = {
		.hdr = { NDIS_OBJTYPE_RSS_CAPS, NDIS_RSS_CAPS_REV_2, sizeof(c) },
	};
	u32 len = sizeof(c), q = 1, n = NDIS_RSS_IND_ENTRIES;

	if (nd->nvsp_ver < NVSP_VERSION_5 ||
	    olnv_rndis_query(nd, RNDIS_OID_GEN_RSS_CAPABILITIES, &c, sizeof(c),
			     &c, &len) ||
	    rndis_check_rss_caps(&c, len, &q, &n) != RNDIS_OK)
		return 1;
	nd->rss_entries = n;
	return min_t(u32, q, OLNV_MAX_CHANNELS);
}

int olnv_rndis_set_filter(struct olnv_dev *nd, u32 filter)
{
	return olnv_rndis_set(nd, RNDIS_OID_GEN_CURRENT_PACKET_FILTER, &filter,
			      sizeof(filter));
}

/* The MAC change: the "NetworkAddress" parameter, as 12 hex digits. */
int olnv_rndis_set_mac(struct olnv_dev *nd, const u8 *mac)
{
	static const char name[] = "NetworkAddress";
	const u32 name_len = 2 * (sizeof(name) - 1), val_len = 4 * ETH_ALEN;
	struct rndis_config_param *cp;
	u32 len = sizeof(*cp) + name_len + val_len;
	char hex[2 * ETH_ALEN + 1];
	int ret;

	cp = kzalloc(len, GFP_KERNEL);
	if (!cp)
		return -ENOMEM;
	cp->name_offset = sizeof(*cp);
	cp->name_len = name_len;
	cp->param_type = RNDIS_CONFIG_PARAM_STRING;
	cp->value_offset = sizeof(*cp) + name_len;
	cp->value_len = val_len;
	utf8s_to_utf16s(name, sizeof(name) - 1, UTF16_LITTLE_ENDIAN,
			(wchar_t *)(cp + 1), name_len / 2);
	snprintf(hex, sizeof(hex), "%pm", mac);
	utf8s_to_utf16s(hex, 2 * ETH_ALEN, UTF16_LITTLE_ENDIAN,
			(wchar_t *)((u8 *)cp + cp->value_offset), 2 * ETH_ALEN);
	ret = olnv_rndis_set(nd, RNDIS_OID_GEN_RNDIS_CONFIG_PARAMETER, cp, len);
	kfree(cp);
	return ret;
}

int olnv_rndis_attach(struct olnv_dev *nd)
{
	u8 mac[ETH_ALEN];
	u32 len = ETH_ALEN, state = RNDIS_MEDIA_STATE_CONNECTED, want, i;
	int ret;

	ret = olnv_rndis_init(nd);
	if (ret)
		return ret;
	ret = olnv_rndis_query(nd, RNDIS_OID_802_3_PERMANENT_ADDRESS, NULL, 0,
			       mac, &len);
	if (ret || len != ETH_ALEN || !is_valid_ether_addr(mac)) {
		netdev_err(nd->ndev, "no valid MAC address from the host\n");
		return ret ? ret : -EPROTO;
	}
	eth_hw_addr_set(nd->ndev, mac);
	len = sizeof(state);
	if (!olnv_rndis_query(nd, RNDIS_OID_GEN_MEDIA_CONNECT_STATUS, NULL, 0,
			      &state, &len) && len == sizeof(state))
		nd->link_up = state == RNDIS_MEDIA_STATE_CONNECTED;
	ret = olnv_rndis_offloads(nd);
	if (ret)
		return ret;

	/*
	 * No more queues than CPUs to serve them, as the in-tree driver
	 * reports: ethtool -l shows what -L may ask for.
	 */
	nd->rss_entries = NDIS_RSS_IND_ENTRIES;
	nd->max_chn = min_t(u32, olnv_rndis_rss_caps(nd), num_online_cpus());
	want = min(nd->want_chn, nd->max_chn);
	ret = olnv_nvs_subchannels(nd, want);
	if (ret)
		return ret;
	/* Every channel sends until the host's own send table comes. */
	for (i = 0; i < NVSP_SEND_TABLE_SIZE; i++)
		nd->tx_table[i] = i % nd->num_chn;
	if (nd->num_chn > 1 && olnv_rndis_set_rss(nd))
		netdev_warn(nd->ndev, "host refused the RSS parameters\n");
	return 0;
}

/* HALT has no answer; the host stops sending on this RNDIS device. */
void olnv_rndis_detach(struct olnv_dev *nd)
{
	struct rndis_halt_req *h;

	if (!nd->chans[0].chan)
		return;
	mutex_lock(&nd->rndis_lock);
	h = (void *)nd->rreq[0].msg;
	memset(h, 0, sizeof(*h));
	h->hdr.type = RNDIS_MSG_HALT;
	h->hdr.len = sizeof(*h);
	h->req_id = ++nd->next_req_id;
	olnv_nvs_send_rndis(nd, &nd->chans[0], h, sizeof(*h),
			    nvsp_tid(NVSP_TID_RNDIS, 0));
	mutex_unlock(&nd->rndis_lock);
}

static u8 *olnv_ppi(u8 *at, u32 type, u32 value)
{
	struct rndis_ppi_u32 r = {
		.ppi = { sizeof(r), type, sizeof(r.ppi) },
		.value = value,
	};

	memcpy(at, &r, sizeof(r));
	return at + sizeof(r);
}

/*
 * The RNDIS packet header for @skb into @hdr (OLNV_TX_HDR_MAX bytes):
 * the packet fields, then per-packet info for the hash, the VLAN tag and
 * the checksum the host computes. Returns its length.
 */
u32 olnv_rndis_tx_header(struct olnv_dev *nd, struct sk_buff *skb, u8 *hdr)
{
	struct rndis_packet pk = { .hdr.type = RNDIS_MSG_PACKET };
	u8 *at = hdr + sizeof(pk);
	u32 csum = 0;

	(void)nd;
	if (skb->hash)
		at = olnv_ppi(at, RNDIS_PPI_HASH_VALUE, skb->hash);
	if (skb_vlan_tag_present(skb)) {
		u16 tci = skb_vlan_tag_get(skb);

		at = olnv_ppi(at, RNDIS_PPI_VLAN,
			      (tci >> VLAN_PRIO_SHIFT) |
			      ((tci & VLAN_VID_MASK) << NDIS_VLAN_ID_SHIFT));
	}
	if (skb_is_gso(skb)) {
		u32 lso = NDIS_LSO2_TYPE | skb_shinfo(skb)->gso_size |
			  skb_transport_offset(skb) << NDIS_LSO2_TCP_OFF_SHIFT;

		/* The host fills in lengths and checksums segment by segment. */
		if (skb->protocol == htons(ETH_P_IP)) {
			ip_hdr(skb)->tot_len = 0;
			ip_hdr(skb)->check = 0;
			tcp_hdr(skb)->check = ~csum_tcpudp_magic(ip_hdr(skb)->saddr,
								 ip_hdr(skb)->daddr,
								 0, IPPROTO_TCP, 0);
		} else {
			lso |= NDIS_LSO2_IPV6;
			tcp_v6_gso_csum_prep(skb);
		}
		at = olnv_ppi(at, RNDIS_PPI_LSO, lso);
	} else if (skb->ip_summed == CHECKSUM_PARTIAL) {
		csum = skb_transport_offset(skb) << NDIS_TXCSUM_TCP_OFF_SHIFT;
		csum |= skb->protocol == htons(ETH_P_IPV6) ? NDIS_TXCSUM_IPV6 :
			NDIS_TXCSUM_IPV4;
		if (skb->csum_offset == offsetof(struct tcphdr, check))
			csum |= NDIS_TXCSUM_TCP;
		else
			csum |= NDIS_TXCSUM_UDP;
		at = olnv_ppi(at, RNDIS_PPI_CSUM, csum);
	}
	pk.ppi_offset = sizeof(pk) - RNDIS_HDR_SIZE;
	pk.ppi_len = at - hdr - sizeof(pk);
	pk.data_offset = at - hdr - RNDIS_HDR_SIZE;
	pk.data_len = skb->len;
	pk.hdr.len = (at - hdr) + skb->len;
	memcpy(hdr, &pk, sizeof(pk));
	return at - hdr;
}
