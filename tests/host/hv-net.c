/*
 * Hyper-V synthetic network adapter (VMBus network, "netvsp" side).
 *
 * The guest's netvsc speaks NVSP over the device's primary channel: INIT
 * (one version at a time, newest first), SEND_NDIS_CONFIG, SEND_NDIS_VER,
 * then the receive and send buffers as GPADLs, then RNDIS inside
 * SEND_RNDIS_PKT messages.  Guest-to-host RNDIS (control and frames) comes
 * in send-buffer sections or page lists; host-to-guest RNDIS (control
 * answers, status indications, frames) goes into sections of the receive
 * buffer, announced by transfer-page packets of many ranges that the guest
 * completes.  The frames go to and come from any QEMU netdev.
 *
 * One thread: everything runs in the main loop under the BQL (VMBus
 * notifications, the netdev's receive, QMP), so there is no lock.
 *
 * Part of openlis's emulated Hyper-V host (tests/host/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitmap.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/qdev-properties.h"
#include "hw/hyperv/vmbus.h"
#include "migration/vmstate.h"
#include "net/net.h"
#include "net/checksum.h"
#include "net/eth.h"

#define TYPE_HV_NET "hv-net"
OBJECT_DECLARE_SIMPLE_TYPE(HvNet, HV_NET)

/* Hyper-V's synthetic network adapter class */
#define HV_NET_GUID "f8615163-df3e-46c5-913f-f2d2f965ed0e"

#define HV_NET_MAX_CHANNELS 64

/* NVSP versions, as the guest names them in INIT */
#define NVSP_V1     0x00002
#define NVSP_V2     0x30002
#define NVSP_V4     0x40000
#define NVSP_V5     0x50000
#define NVSP_V6     0x60000
#define NVSP_V61    0x60001

/* NVSP message types */
enum {
    NVSP_INIT = 1,
    NVSP_INIT_COMPLETE = 2,
    NVSP1_SEND_NDIS_VER = 100,
    NVSP1_SEND_RECV_BUF = 101,
    NVSP1_SEND_RECV_BUF_COMPLETE = 102,
    NVSP1_REVOKE_RECV_BUF = 103,
    NVSP1_SEND_SEND_BUF = 104,
    NVSP1_SEND_SEND_BUF_COMPLETE = 105,
    NVSP1_REVOKE_SEND_BUF = 106,
    NVSP1_SEND_RNDIS_PKT = 107,
    NVSP1_SEND_RNDIS_PKT_COMPLETE = 108,
    NVSP2_SEND_NDIS_CONFIG = 125,
    NVSP4_SEND_VF_ASSOCIATION = 128,
    NVSP4_SWITCH_DATA_PATH = 129,
    NVSP5_SUBCHANNEL = 133,
    NVSP5_SEND_INDIRECTION_TABLE = 134,
};

enum {
    NVSP_STAT_SUCCESS = 1,
    NVSP_STAT_FAIL = 2,
    NVSP_STAT_INVALID_RNDIS_PKT = 5,
};

#define NVSP_SUBCHANNEL_ALLOCATE 1

/* Every NVSP message the host answers with is this long, as Hyper-V's. */
#define NVSP_MSG_LEN 40
/* The send indirection table's entries, and where the table goes */
#define NVSP_SEND_TABLE_LEN 16
#define NVSP_SEND_TABLE_OFF NVSP_MSG_LEN

/* RNDIS message types */
#define RNDIS_COMPLETION    0x80000000u
#define RNDIS_PACKET        1
#define RNDIS_INIT          2
#define RNDIS_HALT          3
#define RNDIS_QUERY         4
#define RNDIS_SET           5
#define RNDIS_RESET         6
#define RNDIS_INDICATE      7
#define RNDIS_KEEPALIVE     8

#define RNDIS_STATUS_SUCCESS            0x00000000u
#define RNDIS_STATUS_MEDIA_CONNECT      0x4001000bu
#define RNDIS_STATUS_MEDIA_DISCONNECT   0x4001000cu
#define RNDIS_STATUS_FAILURE            0xc0000001u
#define RNDIS_STATUS_NOT_SUPPORTED      0xc00000bbu
#define RNDIS_STATUS_INVALID_LENGTH     0xc0010014u
#define RNDIS_STATUS_INVALID_DATA       0xc0010015u

/* OIDs the Linux guest queries and sets */
#define OID_GEN_MAXIMUM_FRAME_SIZE      0x00010106
#define OID_GEN_LINK_SPEED              0x00010107
#define OID_GEN_CURRENT_PACKET_FILTER   0x0001010e
#define OID_GEN_MEDIA_CONNECT_STATUS    0x00010114
#define OID_GEN_RNDIS_CONFIG_PARAMETER  0x0001021b
#define OID_GEN_RECEIVE_SCALE_CAPS      0x00010203
#define OID_GEN_RECEIVE_SCALE_PARAMS    0x00010204
#define OID_GEN_FRIENDLY_NAME           0x00020216
#define OID_802_3_PERMANENT_ADDRESS     0x01010101
#define OID_802_3_CURRENT_ADDRESS       0x01010102
#define OID_TCP_OFFLOAD_PARAMETERS      0xfc01020c
#define OID_TCP_OFFLOAD_HW_CAPS         0xfc01020d

/* packet filter bits */
#define NDIS_FILTER_DIRECTED        0x01
#define NDIS_FILTER_MULTICAST       0x02
#define NDIS_FILTER_ALL_MULTICAST   0x04
#define NDIS_FILTER_BROADCAST       0x08
#define NDIS_FILTER_PROMISCUOUS     0x20

#define NDIS_OBJECT_TYPE_OFFLOAD    0xa7
#define NDIS_OBJECT_TYPE_RSS_CAPS   0x88
/* the offload object's sizes for NDIS 6.0, 6.1 and 6.30 */
#define NDIS_OFFLOAD_SIZE_6_0   112
#define NDIS_OFFLOAD_SIZE_6_1   144
#define NDIS_OFFLOAD_SIZE_6_30  156

/* hash types of the RSS parameters' hashinfo */
#define NDIS_HASH_IPV4          0x00000100
#define NDIS_HASH_TCP_IPV4      0x00000200
#define NDIS_HASH_IPV6          0x00000400
#define NDIS_HASH_TCP_IPV6      0x00001000

/* per-packet info types */
#define PPI_CSUM                0
#define PPI_LSO                 2
#define PPI_VLAN                6
#define PPI_NBL_HASH_VALUE      8
#define PPI_HDR_LEN             12
/* a per-packet info of one 32-bit value, as the host writes them */
#define PPI_LEN                 (PPI_HDR_LEN + 4)

/* NDIS_TCP_IP_CHECKSUM_PACKET_INFO, transmit (guest to host) */
#define CSUM_TX_IPV4            0x01
#define CSUM_TX_IPV6            0x02
#define CSUM_TX_TCP             0x04
#define CSUM_TX_UDP             0x08
#define CSUM_TX_IP_HDR          0x10
#define CSUM_TX_L4_OFF(v)       (((v) >> 16) & 0x3ff)
/* and receive (host to guest) */
#define CSUM_RX_TCP_FAILED      0x01
#define CSUM_RX_UDP_FAILED      0x02
#define CSUM_RX_IP_FAILED       0x04
#define CSUM_RX_TCP_OK          0x08
#define CSUM_RX_UDP_OK          0x10
#define CSUM_RX_IP_OK           0x20

/* NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO, LSO v2 transmit */
#define LSO_MSS(v)              ((v) & 0xfffff)
#define LSO_L4_OFF(v)           (((v) >> 20) & 0x3ff)
#define LSO_V2                  (1u << 30)
#define LSO_IPV6                (1u << 31)

/* NDIS_NET_BUFFER_LIST_8021Q_INFO: priority, CFI, VLAN id */
#define VLAN_INFO_TCI(v)        (((v) & 7) << 13 | (((v) >> 3) & 1) << 12 | \
                                 (((v) >> 4) & 0xfff))
#define VLAN_INFO_RESERVED      0xffff0000u
#define HV_NET_VLAN_HLEN        4

/* NDIS config capability: the host takes and gives 802.1Q tags as PPIs */
#define NDIS_CAP_8021Q          (1u << 3)

/* offload capabilities (NDIS_OFFLOAD) */
#define NDIS_ENCAP_8023         0x02
#define NDIS_CSUM_IP4_CAPS      0x155   /* IP options, TCP options, TCP, UDP, IP */
#define NDIS_CSUM_IP6_CAPS      0x055   /* extension headers, TCP options, TCP, UDP */
#define NDIS_LSOV2_IP6_CAPS     0x005   /* extension headers, TCP options */
/* offload parameters (NDIS_OFFLOAD_PARAMETERS) */
#define NDIS_OFFLOAD_NO_CHANGE  0
#define NDIS_OFFLOAD_CSUM_MAX   4       /* off, tx, rx, tx and rx */
#define NDIS_OFFLOAD_LSO_ON     2
#define NDIS_OFFLOAD_RSC_ON     2
#define NDIS_OFFLOAD_PARAMS_MIN 13      /* through lso_v2_ipv6 */

#define RNDIS_HDR_LEN       8       /* type, length */
#define RNDIS_PKT_LEN       36      /* struct rndis_packet */
#define RNDIS_CONFIG_PARAM_STRING 2

/* the receive buffer's section for a frame of the default MTU */
#define HV_NET_RX_SECTION_MIN   1728
/* what a receive section holds besides the frame: RNDIS, PPIs, a tag */
#define HV_NET_RX_OVERHEAD      128
#define HV_NET_TX_SECTION       6144
#define HV_NET_RX_BUF_MAX       (31 * MiB)
#define HV_NET_RX_BUF_MAX_V2    (15 * MiB)
#define HV_NET_TX_BUF_MAX       (32 * MiB)
/* the most bytes one SEND_RNDIS_PKT may carry (an LSO frame and headers) */
#define HV_NET_TX_MAX           (128 * KiB)
/* the largest LSO send offered, as Hyper-V's, and its smallest segment */
#define HV_NET_LSO_MAX          (62 * KiB)
#define HV_NET_LSO_MIN_MSS      8
/* ranges in one transfer-page packet (Linux takes 375 without RSC) */
#define HV_NET_MAX_RANGES       375
/* completions of the guest's sends a channel holds back (inject) */
#define HV_NET_HELD_MAX         256
/* control answers and indications waiting for a receive section */
#define HV_NET_CTL_QUEUE_MAX    64
#define HV_NET_RNDIS_MAX_XFER   0x40000
#define HV_NET_RNDIS_MAX_PKTS   8
#define HV_NET_RNDIS_ALIGN_SHIFT 3
/* the indirection table the guest's RSS parameters carry at most */
#define HV_NET_ITAB_MAX         256
#define HV_NET_RSS_KEY_LEN      40

#define HV_NET_RX_BUF_ID_NONE   0xffffffffu

/* checksum offloads, in the order of NDIS_OFFLOAD_PARAMETERS */
enum {
    HV_NET_L4_TCP4,
    HV_NET_L4_UDP4,
    HV_NET_L4_TCP6,
    HV_NET_L4_UDP6,
    HV_NET_L4_NUM
};

static const char *const hv_net_l4_names[HV_NET_L4_NUM] = {
    "tcp4", "udp4", "tcp6", "udp6",
};

typedef enum HvNetState {
    HV_NET_CLOSED,
    HV_NET_NEGOTIATING,
    HV_NET_READY,
} HvNetState;

static const char *const hv_net_state_names[] = {
    [HV_NET_CLOSED] = "closed",
    [HV_NET_NEGOTIATING] = "negotiating",
    [HV_NET_READY] = "ready",
};

/* A transfer-page packet sent and not yet completed by the guest. */
typedef struct HvNetXfer {
    uint16_t chan;
    uint32_t count;
    uint32_t sections[];
} HvNetXfer;

typedef struct HvNetRange {
    uint32_t byte_count;
    uint32_t byte_offset;
} HvNetRange;

typedef struct HvNetChan {
    /* frames written to sections, waiting to be announced in one packet */
    uint32_t nranges;
    HvNetRange ranges[HV_NET_MAX_RANGES];
    uint32_t sections[HV_NET_MAX_RANGES];
    /* in hv_net_chan_notify: do not re-enter */
    bool busy;
    /* stopped reading the guest's ring until a completion fits */
    bool stalled;
    uint64_t rx_frames;
    uint64_t tx_frames;
    /*
     * inject=hold-completions: the ids and statuses of the guest's sends
     * whose completions wait, each with its room in the ring reserved
     */
    uint32_t nheld;
    uint64_t held_id[HV_NET_HELD_MAX];
    uint32_t held_status[HV_NET_HELD_MAX];
} HvNetChan;

struct HvNet {
    VMBusDevice parent;

    NICConf conf;
    NICState *nic;
    uint16_t channels;
    uint32_t max_mtu;
    uint32_t max_nvsp;

    HvNetState state;
    uint32_t nvsp_version;
    uint32_t ndis_version;
    uint32_t config_mtu;
    uint64_t config_caps;
    uint16_t subchannels;

    /* receive buffer: sections of rx_section bytes, bitmap of those free */
    VMBusGpadl *rx_gpadl;
    uint16_t rx_id;
    uint32_t rx_section;
    uint32_t rx_nsections;
    unsigned long *rx_free;
    uint32_t rx_nfree;
    /* transfer-page packets in flight, by transaction id */
    GHashTable *xfers;
    uint64_t next_xfer_id;
    /* inject: the transfer whose completion inject-result reports */
    uint64_t inject_id;
    char *inject_result;
    /* inject=subchannel-count: the next SUBCHANNEL answer lies */
    bool lie_subchannels;
    /* inject=hold-completions: the guest's sends complete only on release */
    bool hold_sends;
    uint64_t held;
    /* a frame came that found no room: the netdev holds it */
    bool rx_blocked;
    QEMUBH *rx_bh;

    /* send buffer */
    VMBusGpadl *tx_gpadl;
    uint32_t tx_nsections;

    /* RNDIS */
    bool rndis_up;
    uint32_t filter;
    uint8_t mac[ETH_ALEN];
    GQueue ctl;                 /* GByteArray *: answers to deliver */
    uint8_t rss_key[HV_NET_RSS_KEY_LEN];
    uint32_t rss_itab[HV_NET_ITAB_MAX];
    uint32_t rss_itab_len;
    uint32_t rss_hashinfo;
    /*
     * offloads as the guest set them: NDIS_OFFLOAD_PARAMETERS_* values for
     * TCP and UDP checksums (HV_NET_L4_*), LSO v2 on or off
     */
    uint8_t csum_offload[HV_NET_L4_NUM];
    bool lso[2];

    uint64_t bad;
    uint64_t injected;
    uint64_t rx_filtered;
    uint64_t rx_dropped;
    uint64_t link_changes;
    uint32_t tx_max_frame;
    uint64_t tx_csum;
    uint64_t tx_csum_udp;
    uint64_t tx_lso;
    uint64_t tx_segments;
    uint32_t tx_lso_max;
    uint64_t tx_vlan;
    uint32_t tx_vlan_tci;
    uint64_t rx_csum_ok;
    uint64_t rx_csum_bad;
    uint64_t rx_vlan;

    HvNetChan *chans;
};

static void hv_net_chan_notify(VMBusChannel *chan);

static void G_GNUC_PRINTF(2, 3) hv_net_bad(HvNet *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    s->bad++;
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s\n",
                  object_get_canonical_path_component(OBJECT(s)) ?: TYPE_HV_NET,
                  msg);
}

static VMBusChannel *hv_net_channel(HvNet *s, uint16_t idx)
{
    return vmbus_device_channel(VMBUS_DEVICE(s), idx);
}

/* Receive sections */

static bool hv_net_rx_ready(HvNet *s)
{
    return s->rx_gpadl && s->rndis_up;
}

static bool hv_net_section_get(HvNet *s, uint32_t *sec)
{
    unsigned long n;

    if (!s->rx_nfree) {
        return false;
    }
    n = find_first_bit(s->rx_free, s->rx_nsections);
    assert(n < s->rx_nsections);
    clear_bit(n, s->rx_free);
    s->rx_nfree--;
    *sec = n;
    return true;
}

static void hv_net_section_put(HvNet *s, uint32_t sec)
{
    if (!s->rx_free || sec >= s->rx_nsections || test_bit(sec, s->rx_free)) {
        return;
    }
    set_bit(sec, s->rx_free);
    s->rx_nfree++;
}

/* Frames the netdev held back may come now. */
static void hv_net_rx_unblock(HvNet *s)
{
    if (s->rx_blocked) {
        s->rx_blocked = false;
        qemu_flush_queued_packets(qemu_get_queue(s->nic));
    }
}

static void hv_net_rx_release(HvNet *s)
{
    uint16_t i;

    g_hash_table_remove_all(s->xfers);
    for (i = 0; s->chans && i < VMBUS_DEVICE(s)->num_channels; i++) {
        s->chans[i].nranges = 0;
    }
    vmbus_put_gpadl(s->rx_gpadl);
    s->rx_gpadl = NULL;
    g_free(s->rx_free);
    s->rx_free = NULL;
    s->rx_nsections = s->rx_nfree = 0;
}

/*
 * Write @hdr (an RNDIS message without its payload) and @payload into a
 * free section and add it to channel @idx's next transfer-page packet.
 */
static bool hv_net_rx_put(HvNet *s, uint16_t idx, const void *hdr,
                          size_t hdrlen, const void *payload, size_t len)
{
    HvNetChan *hc = &s->chans[idx];
    struct iovec iov[2] = {
        { .iov_base = (void *)hdr, .iov_len = hdrlen },
        { .iov_base = (void *)payload, .iov_len = len },
    };
    uint32_t sec;

    if (hc->nranges == HV_NET_MAX_RANGES || !hv_net_section_get(s, &sec)) {
        return false;
    }
    if (vmbus_iov_to_gpadl(hv_net_channel(s, idx), s->rx_gpadl,
                           sec * s->rx_section, iov, len ? 2 : 1) < 0) {
        hv_net_bad(s, "receive section %u is not guest memory", sec);
        hv_net_section_put(s, sec);
        return true;
    }
    hc->ranges[hc->nranges].byte_count = hdrlen + len;
    hc->ranges[hc->nranges].byte_offset = sec * s->rx_section;
    hc->sections[hc->nranges] = sec;
    hc->nranges++;
    qemu_bh_schedule(s->rx_bh);
    return true;
}

/* Announce channel @idx's filled sections in one transfer-page packet. */
static void hv_net_rx_flush_chan(HvNet *s, uint16_t idx)
{
    HvNetChan *hc = &s->chans[idx];
    VMBusChannel *chan = hv_net_channel(s, idx);
    uint32_t n = hc->nranges;
    uint32_t desclen = 8 + n * sizeof(HvNetRange);
    g_autofree uint8_t *desc = NULL;
    uint8_t msg[16] = {};
    HvNetXfer *x;
    uint64_t id;
    uint32_t i;

    if (!n) {
        return;
    }
    if (!vmbus_channel_is_open(chan)) {
        for (i = 0; i < n; i++) {
            hv_net_section_put(s, hc->sections[i]);
        }
        hc->nranges = 0;
        return;
    }
    if (vmbus_channel_reserve(chan, desclen, sizeof(msg)) < 0) {
        /* the guest signals when its ring has room */
        return;
    }
    desc = g_malloc0(desclen);
    stw_le_p(desc, s->rx_id);
    stl_le_p(desc + 4, n);
    for (i = 0; i < n; i++) {
        stl_le_p(desc + 8 + i * 8, hc->ranges[i].byte_count);
        stl_le_p(desc + 12 + i * 8, hc->ranges[i].byte_offset);
    }
    stl_le_p(msg, NVSP1_SEND_RNDIS_PKT);
    stl_le_p(msg + 8, UINT32_MAX);
    id = s->next_xfer_id++;
    x = g_malloc(sizeof(*x) + n * sizeof(uint32_t));
    x->chan = idx;
    x->count = n;
    memcpy(x->sections, hc->sections, n * sizeof(uint32_t));
    g_hash_table_insert(s->xfers, g_memdup2(&id, sizeof(id)), x);
    hc->nranges = 0;
    vmbus_channel_send(chan, VMBUS_PACKET_DATA_USING_XFER_PAGES, desc, desclen,
                       msg, sizeof(msg), true, id);
}

/* Control answers first: they go to the primary channel's next packet. */
static void hv_net_rx_ctl(HvNet *s)
{
    GByteArray *m;

    while ((m = g_queue_peek_head(&s->ctl))) {
        if (!s->rx_gpadl) {
            return;
        }
        if (!hv_net_rx_put(s, 0, m->data, m->len, NULL, 0)) {
            return;
        }
        g_queue_pop_head(&s->ctl);
        g_byte_array_unref(m);
    }
}

static void hv_net_rx_bh(void *opaque)
{
    HvNet *s = opaque;
    uint16_t i;

    if (!s->rx_gpadl) {
        return;
    }
    hv_net_rx_ctl(s);
    for (i = 0; i < VMBUS_DEVICE(s)->num_channels; i++) {
        hv_net_rx_flush_chan(s, i);
    }
    if (s->rx_nfree) {
        hv_net_rx_unblock(s);
    }
}

/* Queue an RNDIS message to the guest (a control answer, an indication). */
static void hv_net_ctl_send(HvNet *s, GByteArray *m)
{
    if (g_queue_get_length(&s->ctl) >= HV_NET_CTL_QUEUE_MAX) {
        hv_net_bad(s, "control answers pile up: the guest reads none");
        g_byte_array_unref(m);
        return;
    }
    g_queue_push_tail(&s->ctl, m);
    hv_net_rx_ctl(s);
    qemu_bh_schedule(s->rx_bh);
}

/* An RNDIS message: type, length (filled in), then @len bytes of body. */
static GByteArray *hv_net_rndis_new(uint32_t type, uint32_t len)
{
    GByteArray *m = g_byte_array_sized_new(RNDIS_HDR_LEN + len);

    g_byte_array_set_size(m, RNDIS_HDR_LEN + len);
    memset(m->data, 0, m->len);
    stl_le_p(m->data, type);
    stl_le_p(m->data + 4, m->len);
    return m;
}

static void hv_net_indicate(HvNet *s, uint32_t status)
{
    GByteArray *m;

    if (!s->rndis_up) {
        return;
    }
    m = hv_net_rndis_new(RNDIS_INDICATE, 12);
    stl_le_p(m->data + 8, status);
    hv_net_ctl_send(s, m);
}

/* Checksums and segments (the offloads) */

/*
 * The L4 header's offset in Ethernet frame @f (@len bytes, untagged) and
 * its protocol (@proto), past the IPv6 extension headers that carry no
 * payload of their own; 0 when the frame is not IPv4 or IPv6 of @v6's
 * kind, an IPv4 fragment past the first, or ends before its L4 header.
 */
static uint32_t hv_net_l4_off(const uint8_t *f, uint32_t len, bool v6,
                              uint8_t *proto)
{
    const uint8_t *ip = f + ETH_HLEN;
    uint32_t off;
    uint8_t nh;

    if (len < ETH_HLEN || lduw_be_p(f + 12) != (v6 ? ETH_P_IPV6 : ETH_P_IP)) {
        return 0;
    }
    if (!v6) {
        if (len < ETH_HLEN + 20 || ip[0] >> 4 != 4 || (ip[0] & 0xf) < 5 ||
            (lduw_be_p(ip + 6) & 0x3fff)) {
            return 0;
        }
        off = ETH_HLEN + (ip[0] & 0xf) * 4;
        *proto = ip[9];
        return off <= len ? off : 0;
    }
    if (len < ETH_HLEN + 40 || ip[0] >> 4 != 6) {
        return 0;
    }
    nh = ip[6];
    off = ETH_HLEN + 40;
    /* hop-by-hop, routing, destination options: 8 bytes and more each */
    while (nh == 0 || nh == 43 || nh == 60) {
        if (len < off + 8) {
            return 0;
        }
        nh = f[off];
        off += (f[off + 1] + 1) * 8;
    }
    *proto = nh;
    return off <= len ? off : 0;
}

/*
 * The Internet checksum of the L4 segment @l4 (@len bytes, its checksum
 * field as it stands) under the pseudo-header of IP header @ip: 0 for a
 * segment whose checksum is right.
 */
static uint16_t hv_net_l4_csum(const uint8_t *ip, bool v6, uint8_t proto,
                               const uint8_t *l4, uint32_t len)
{
    uint32_t sum;

    sum = v6 ? net_checksum_add(32, (uint8_t *)ip + 8) :
               net_checksum_add(8, (uint8_t *)ip + 12);
    sum += proto + (len >> 16) + (len & 0xffff);
    sum += net_checksum_add(len, (uint8_t *)l4);
    return net_checksum_finish(sum);
}

static void hv_net_ip4_csum(uint8_t *ip)
{
    stw_be_p(ip + 10, 0);
    stw_be_p(ip + 10, net_raw_checksum(ip, (ip[0] & 0xf) * 4));
}

/*
 * The end of the IP packet in frame @f (@len bytes) by its own length
 * field, 0 when it claims more than the frame holds or less than @l4min
 * bytes past its L4 header at @l4.
 */
static uint32_t hv_net_ip_end(const uint8_t *f, uint32_t len, bool v6,
                              uint32_t l4, uint32_t l4min)
{
    uint32_t end = v6 ? ETH_HLEN + 40 + lduw_be_p(f + ETH_HLEN + 4) :
                        ETH_HLEN + lduw_be_p(f + ETH_HLEN + 2);

    return end <= len && end >= l4 + l4min ? end : 0;
}

/* The checksum offloads of @idx the guest turned on for its sends. */
static bool hv_net_csum_tx_on(HvNet *s, int idx)
{
    uint8_t v = s->csum_offload[idx];

    return v == 2 || v == 4;
}

static bool hv_net_csum_rx_on(HvNet *s, int idx)
{
    uint8_t v = s->csum_offload[idx];

    return v == 3 || v == 4;
}

/*
 * A received frame's checksum per-packet info: TCP or UDP over IPv4 or
 * IPv6 checked as a NIC does when the guest turned that on, 0 for a frame
 * the host does not check.
 */
static uint32_t hv_net_rx_csum(HvNet *s, const uint8_t *f, uint32_t len)
{
    uint32_t l4, end, info;
    uint8_t proto = 0;
    bool v6 = len >= ETH_HLEN && lduw_be_p(f + 12) == ETH_P_IPV6;
    bool tcp;
    int idx;

    l4 = hv_net_l4_off(f, len, v6, &proto);
    if (!l4 || (proto != IP_PROTO_TCP && proto != IP_PROTO_UDP)) {
        return 0;
    }
    tcp = proto == IP_PROTO_TCP;
    idx = (v6 ? HV_NET_L4_TCP6 : HV_NET_L4_TCP4) + !tcp;
    end = hv_net_ip_end(f, len, v6, l4, tcp ? 20 : 8);
    if (!hv_net_csum_rx_on(s, idx) || !end) {
        return 0;
    }
    /* an IPv4 UDP datagram may carry no checksum: nothing to vouch for */
    if (!tcp && !v6 && !lduw_be_p(f + l4 + 6)) {
        return 0;
    }
    if (!v6 && net_raw_checksum((uint8_t *)f + ETH_HLEN, l4 - ETH_HLEN)) {
        return CSUM_RX_IP_FAILED;
    }
    if (hv_net_l4_csum(f + ETH_HLEN, v6, proto, f + l4, end - l4)) {
        return tcp ? CSUM_RX_TCP_FAILED : CSUM_RX_UDP_FAILED;
    }
    info = tcp ? CSUM_RX_TCP_OK : CSUM_RX_UDP_OK;
    return v6 ? info : info | CSUM_RX_IP_OK;
}

/* The receive path from the netdev */

static bool hv_net_filter_pass(HvNet *s, const uint8_t *buf, size_t size)
{
    static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xff };

    if (size < ETH_HLEN) {
        return false;
    }
    if (s->filter & NDIS_FILTER_PROMISCUOUS) {
        return true;
    }
    if (!memcmp(buf, bcast, ETH_ALEN)) {
        return s->filter & NDIS_FILTER_BROADCAST;
    }
    if (buf[0] & 1) {
        return s->filter & (NDIS_FILTER_ALL_MULTICAST | NDIS_FILTER_MULTICAST);
    }
    return (s->filter & NDIS_FILTER_DIRECTED) && !memcmp(buf, s->mac, ETH_ALEN);
}

/* The Toeplitz hash of @in under the guest's key. */
static uint32_t hv_net_toeplitz(const uint8_t *key, const uint8_t *in,
                                size_t len)
{
    uint32_t v = ldl_be_p(key), r = 0;
    size_t i;
    int b;

    assert(len + 4 <= HV_NET_RSS_KEY_LEN);
    for (i = 0; i < len; i++) {
        for (b = 7; b >= 0; b--) {
            if (in[i] & (1 << b)) {
                r ^= v;
            }
            v = v << 1 | ((key[i + 4] >> b) & 1);
        }
    }
    return r;
}

/*
 * The RSS hash of a frame as the guest configured it (addresses, then
 * ports for TCP), 0 when it hashes nothing of it.
 */
static uint32_t hv_net_rss_hash(HvNet *s, const uint8_t *buf, size_t size)
{
    uint8_t in[36];
    size_t n = 0, l4 = 0;
    uint16_t proto;
    uint8_t l4proto = 0;

    if (!s->rss_itab_len || size < ETH_HLEN) {
        return 0;
    }
    proto = lduw_be_p(buf + 12);
    buf += ETH_HLEN;
    size -= ETH_HLEN;
    if (proto == ETH_P_IP && size >= 20 && (buf[0] >> 4) == 4 &&
        (s->rss_hashinfo & (NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4))) {
        size_t ihl = (buf[0] & 0xf) * 4;

        memcpy(in, buf + 12, 8);
        n = 8;
        /* not a fragment past the first */
        if (ihl >= 20 && !(lduw_be_p(buf + 6) & 0x1fff)) {
            l4proto = buf[9];
            l4 = ihl;
        }
        if (!(s->rss_hashinfo & NDIS_HASH_TCP_IPV4)) {
            l4proto = 0;
        }
    } else if (proto == ETH_P_IPV6 && size >= 40 &&
               (s->rss_hashinfo & (NDIS_HASH_IPV6 | NDIS_HASH_TCP_IPV6))) {
        memcpy(in, buf + 8, 32);
        n = 32;
        l4proto = buf[6];
        l4 = 40;
        if (!(s->rss_hashinfo & NDIS_HASH_TCP_IPV6)) {
            l4proto = 0;
        }
    } else {
        return 0;
    }
    if (l4proto == IP_PROTO_TCP && size >= l4 + 4) {
        memcpy(in + n, buf + l4, 4);
        n += 4;
    }
    return hv_net_toeplitz(s->rss_key, in, n);
}

/* A per-packet info of one value at @p; returns its length. */
static uint32_t hv_net_ppi_put(uint8_t *p, uint32_t type, uint32_t value)
{
    stl_le_p(p, PPI_LEN);
    stl_le_p(p + 4, type);
    stl_le_p(p + 8, PPI_HDR_LEN);
    stl_le_p(p + 12, value);
    return PPI_LEN;
}

static ssize_t hv_net_receive(NetClientState *nc, const uint8_t *buf,
                              size_t size)
{
    HvNet *s = qemu_get_nic_opaque(nc);
    uint8_t hdr[RNDIS_HDR_LEN + RNDIS_PKT_LEN + 3 * PPI_LEN] = {};
    uint32_t hlen = RNDIS_HDR_LEN + RNDIS_PKT_LEN;
    g_autofree uint8_t *untagged = NULL;
    size_t orig = size;
    uint32_t hash, csum;
    uint16_t idx = 0;

    if (!hv_net_rx_ready(s) || !hv_net_filter_pass(s, buf, size)) {
        s->rx_filtered++;
        return orig;
    }
    if ((s->config_caps & NDIS_CAP_8021Q) && size >= ETH_HLEN + HV_NET_VLAN_HLEN &&
        lduw_be_p(buf + 12) == ETH_P_VLAN) {
        /* the tag goes to the guest as per-packet info, as Hyper-V's */
        uint16_t tci = lduw_be_p(buf + 14);

        untagged = g_malloc(size - HV_NET_VLAN_HLEN);
        memcpy(untagged, buf, 12);
        memcpy(untagged + 12, buf + 16, size - 16);
        buf = untagged;
        size -= HV_NET_VLAN_HLEN;
        hlen += hv_net_ppi_put(hdr + hlen, PPI_VLAN, (tci >> 13) |
                               ((tci >> 12) & 1) << 3 | (tci & 0xfff) << 4);
    }
    hash = hv_net_rss_hash(s, buf, size);
    if (hash) {
        /* the guest's table picks the channel, and learns the hash */
        idx = s->rss_itab[hash % s->rss_itab_len];
        if (!vmbus_channel_is_open(hv_net_channel(s, idx))) {
            idx = 0;
        }
        hlen += hv_net_ppi_put(hdr + hlen, PPI_NBL_HASH_VALUE, hash);
    }
    csum = hv_net_rx_csum(s, buf, size);
    if (csum) {
        hlen += hv_net_ppi_put(hdr + hlen, PPI_CSUM, csum);
    }
    if (hlen + size > s->rx_section) {
        s->rx_dropped++;
        return orig;
    }
    if (!vmbus_channel_is_open(hv_net_channel(s, idx))) {
        s->rx_dropped++;
        return orig;
    }
    stl_le_p(hdr, RNDIS_PACKET);
    stl_le_p(hdr + 4, hlen + size);
    stl_le_p(hdr + 8, hlen - RNDIS_HDR_LEN);    /* data offset */
    stl_le_p(hdr + 12, size);                   /* data length */
    if (hlen > RNDIS_HDR_LEN + RNDIS_PKT_LEN) {
        stl_le_p(hdr + 28, RNDIS_PKT_LEN);      /* per-packet info offset */
        stl_le_p(hdr + 32, hlen - RNDIS_HDR_LEN - RNDIS_PKT_LEN);
    }
    if (!hv_net_rx_put(s, idx, hdr, hlen, buf, size)) {
        s->rx_blocked = true;
        qemu_bh_schedule(s->rx_bh);
        return 0;
    }
    s->chans[idx].rx_frames++;
    s->rx_vlan += !!untagged;
    if (csum & (CSUM_RX_TCP_OK | CSUM_RX_UDP_OK)) {
        s->rx_csum_ok++;
    } else if (csum) {
        s->rx_csum_bad++;
    }
    return orig;
}

static void hv_net_set_link_status(NetClientState *nc)
{
    HvNet *s = qemu_get_nic_opaque(nc);

    s->link_changes++;
    hv_net_indicate(s, nc->link_down ? RNDIS_STATUS_MEDIA_DISCONNECT :
                    RNDIS_STATUS_MEDIA_CONNECT);
}

static NetClientInfo hv_net_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .receive = hv_net_receive,
    .link_status_changed = hv_net_set_link_status,
};

/* RNDIS control from the guest */

static GByteArray *hv_net_query_answer(uint32_t req_id, uint32_t status,
                                       const void *info, uint32_t len)
{
    GByteArray *m = hv_net_rndis_new(RNDIS_QUERY | RNDIS_COMPLETION, 16 + len);

    stl_le_p(m->data + 8, req_id);
    stl_le_p(m->data + 12, status);
    stl_le_p(m->data + 16, len);
    stl_le_p(m->data + 20, 16);
    if (len) {
        memcpy(m->data + 24, info, len);
    }
    return m;
}

/*
 * NDIS_OFFLOAD past its header: TCP and UDP checksums both ways over IPv4
 * and IPv6, and LSO v2 for both, on untagged 802.3 frames.
 */
static void hv_net_offload_caps(uint8_t *o)
{
    stl_le_p(o + 4, NDIS_ENCAP_8023);           /* IPv4 transmit */
    stl_le_p(o + 8, NDIS_CSUM_IP4_CAPS);
    stl_le_p(o + 12, NDIS_ENCAP_8023);          /* IPv4 receive */
    stl_le_p(o + 16, NDIS_CSUM_IP4_CAPS);
    stl_le_p(o + 20, NDIS_ENCAP_8023);          /* IPv6 transmit */
    stl_le_p(o + 24, NDIS_CSUM_IP6_CAPS);
    stl_le_p(o + 28, NDIS_ENCAP_8023);          /* IPv6 receive */
    stl_le_p(o + 32, NDIS_CSUM_IP6_CAPS);
    /* LSO v1 (36) and IPsec v1 (52): none */
    stl_le_p(o + 80, NDIS_ENCAP_8023);          /* LSO v2, IPv4 */
    stl_le_p(o + 84, HV_NET_LSO_MAX);
    stl_le_p(o + 88, 2);                        /* segments at least */
    stl_le_p(o + 92, NDIS_ENCAP_8023);          /* LSO v2, IPv6 */
    stl_le_p(o + 96, HV_NET_LSO_MAX);
    stl_le_p(o + 100, 2);
    stl_le_p(o + 104, NDIS_LSOV2_IP6_CAPS);
}

static void hv_net_query(HvNet *s, const uint8_t *msg, uint32_t len)
{
    uint32_t req_id, oid, inlen, inoff;
    uint8_t info[NDIS_OFFLOAD_SIZE_6_30] = {};
    uint32_t n = 0;
    uint32_t status = RNDIS_STATUS_SUCCESS;

    if (len < RNDIS_HDR_LEN + 20) {
        hv_net_bad(s, "RNDIS QUERY of %u bytes", len);
        return;
    }
    req_id = ldl_le_p(msg + 8);
    oid = ldl_le_p(msg + 12);
    inlen = ldl_le_p(msg + 16);
    inoff = ldl_le_p(msg + 20);
    if (inlen && (inoff > len - RNDIS_HDR_LEN ||
                  inlen > len - RNDIS_HDR_LEN - inoff)) {
        hv_net_bad(s, "RNDIS QUERY 0x%08x: %u bytes at %u in a message of %u",
                   oid, inlen, inoff, len);
        hv_net_ctl_send(s, hv_net_query_answer(req_id,
                                               RNDIS_STATUS_INVALID_LENGTH,
                                               NULL, 0));
        return;
    }
    switch (oid) {
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        stl_le_p(info, s->max_mtu);
        n = 4;
        break;
    case OID_GEN_LINK_SPEED:
        stl_le_p(info, 100000000);      /* 10 Gbit/s in units of 100 bit/s */
        n = 4;
        break;
    case OID_GEN_MEDIA_CONNECT_STATUS:
        stl_le_p(info, qemu_get_queue(s->nic)->link_down ? 1 : 0);
        n = 4;
        break;
    case OID_GEN_CURRENT_PACKET_FILTER:
        stl_le_p(info, s->filter);
        n = 4;
        break;
    case OID_802_3_PERMANENT_ADDRESS:
        memcpy(info, s->conf.macaddr.a, ETH_ALEN);
        n = ETH_ALEN;
        break;
    case OID_802_3_CURRENT_ADDRESS:
        memcpy(info, s->mac, ETH_ALEN);
        n = ETH_ALEN;
        break;
    case OID_TCP_OFFLOAD_HW_CAPS: {
        /* the revision and size the guest asks for */
        uint8_t rev = 1;

        n = NDIS_OFFLOAD_SIZE_6_0;
        if (inlen >= 4) {
            rev = msg[RNDIS_HDR_LEN + inoff + 1];
            n = lduw_le_p(msg + RNDIS_HDR_LEN + inoff + 2);
        }
        if (n != NDIS_OFFLOAD_SIZE_6_0 && n != NDIS_OFFLOAD_SIZE_6_1 &&
            n != NDIS_OFFLOAD_SIZE_6_30) {
            n = NDIS_OFFLOAD_SIZE_6_0;
            rev = 1;
        }
        info[0] = NDIS_OBJECT_TYPE_OFFLOAD;
        info[1] = rev;
        stw_le_p(info + 2, n);
        hv_net_offload_caps(info);
        break;
    }
    case OID_GEN_RECEIVE_SCALE_CAPS:
        info[0] = NDIS_OBJECT_TYPE_RSS_CAPS;
        info[1] = 2;
        stw_le_p(info + 2, 18);
        stl_le_p(info + 8, VMBUS_DEVICE(s)->num_channels);   /* interrupts */
        stl_le_p(info + 12, VMBUS_DEVICE(s)->num_channels);  /* queues */
        stw_le_p(info + 16, 128);                            /* table */
        n = 18;
        break;
    default:
        status = RNDIS_STATUS_NOT_SUPPORTED;
        break;
    }
    hv_net_ctl_send(s, hv_net_query_answer(req_id, status, info, n));
}

/* OID_GEN_RNDIS_CONFIG_PARAMETER "NetworkAddress": a new MAC. */
static uint32_t hv_net_config_param(HvNet *s, const uint8_t *p, uint32_t len)
{
    static const char name[] = "NetworkAddress";
    uint32_t noff, nlen, type, voff, vlen, i;
    uint8_t mac[ETH_ALEN];

    if (len < 20) {
        hv_net_bad(s, "RNDIS config parameter of %u bytes", len);
        return RNDIS_STATUS_INVALID_LENGTH;
    }
    noff = ldl_le_p(p);
    nlen = ldl_le_p(p + 4);
    type = ldl_le_p(p + 8);
    voff = ldl_le_p(p + 12);
    vlen = ldl_le_p(p + 16);
    if (noff > len || nlen > len - noff || voff > len || vlen > len - voff) {
        hv_net_bad(s, "RNDIS config parameter outside its %u bytes", len);
        return RNDIS_STATUS_INVALID_DATA;
    }
    if (nlen != 2 * strlen(name) || type != RNDIS_CONFIG_PARAM_STRING) {
        return RNDIS_STATUS_NOT_SUPPORTED;
    }
    for (i = 0; i < strlen(name); i++) {
        if (lduw_le_p(p + noff + 2 * i) != (uint8_t)name[i]) {
            return RNDIS_STATUS_NOT_SUPPORTED;
        }
    }
    if (vlen != 4 * ETH_ALEN) {
        hv_net_bad(s, "NetworkAddress of %u bytes", vlen);
        return RNDIS_STATUS_INVALID_DATA;
    }
    for (i = 0; i < 2 * ETH_ALEN; i++) {
        uint16_t c = lduw_le_p(p + voff + 2 * i);
        int d = c < 0x80 ? g_ascii_xdigit_value(c) : -1;

        if (d < 0) {
            hv_net_bad(s, "NetworkAddress with a character 0x%04x", c);
            return RNDIS_STATUS_INVALID_DATA;
        }
        if (i & 1) {
            mac[i / 2] |= d;
        } else {
            mac[i / 2] = d << 4;
        }
    }
    if (mac[0] & 1) {
        hv_net_bad(s, "NetworkAddress is a multicast address");
        return RNDIS_STATUS_INVALID_DATA;
    }
    memcpy(s->mac, mac, ETH_ALEN);
    return RNDIS_STATUS_SUCCESS;
}

static void hv_net_send_table(HvNet *s);

/* OID_GEN_RECEIVE_SCALE_PARAMETERS: the key and the indirection table. */
static uint32_t hv_net_rss_params(HvNet *s, const uint8_t *p, uint32_t len)
{
    uint32_t flags, tsize, toff, ksize, koff, i;

    if (len < 28) {
        hv_net_bad(s, "RSS parameters of %u bytes", len);
        return RNDIS_STATUS_INVALID_LENGTH;
    }
    /* NDIS_RECEIVE_SCALE_PARAMETERS, naturally aligned */
    flags = lduw_le_p(p + 4);
    tsize = lduw_le_p(p + 12);
    toff = ldl_le_p(p + 16);
    ksize = lduw_le_p(p + 20);
    koff = ldl_le_p(p + 24);
    if (flags & 0x10) {                 /* RSS disabled */
        s->rss_itab_len = 0;
        return RNDIS_STATUS_SUCCESS;
    }
    if (tsize % 4 || tsize / 4 > HV_NET_ITAB_MAX || toff > len ||
        tsize > len - toff || ksize != HV_NET_RSS_KEY_LEN || koff > len ||
        ksize > len - koff) {
        hv_net_bad(s, "RSS parameters: table %u bytes at %u, key %u at %u, "
                   "in %u bytes", tsize, toff, ksize, koff, len);
        return RNDIS_STATUS_INVALID_DATA;
    }
    for (i = 0; i < tsize / 4; i++) {
        uint32_t q = ldl_le_p(p + toff + 4 * i);

        if (q >= VMBUS_DEVICE(s)->num_channels) {
            hv_net_bad(s, "RSS table names channel %u of %u", q,
                       VMBUS_DEVICE(s)->num_channels);
            return RNDIS_STATUS_INVALID_DATA;
        }
        s->rss_itab[i] = q;
    }
    s->rss_itab_len = tsize / 4;
    s->rss_hashinfo = ldl_le_p(p + 8);
    memcpy(s->rss_key, p + koff, ksize);
    hv_net_send_table(s);
    return RNDIS_STATUS_SUCCESS;
}

/*
 * OID_TCP_OFFLOAD_PARAMETERS: each checksum off, on one way or both, LSO v2
 * off or on, or left as it is; RSC, never offered, stays off.  Nothing
 * changes unless every field is valid.
 */
static uint32_t hv_net_offload_params(HvNet *s, const uint8_t *p,
                                      uint32_t len)
{
    uint8_t csum[HV_NET_L4_NUM];
    int i;

    if (len < NDIS_OFFLOAD_PARAMS_MIN) {
        hv_net_bad(s, "offload parameters of %u bytes", len);
        return RNDIS_STATUS_INVALID_LENGTH;
    }
    for (i = 0; i < HV_NET_L4_NUM; i++) {
        csum[i] = p[5 + i];
        if (csum[i] > NDIS_OFFLOAD_CSUM_MAX) {
            hv_net_bad(s, "offload parameters: %s checksum %u",
                       hv_net_l4_names[i], csum[i]);
            return RNDIS_STATUS_INVALID_DATA;
        }
    }
    for (i = 0; i < 2; i++) {
        if (p[11 + i] > NDIS_OFFLOAD_LSO_ON) {
            hv_net_bad(s, "offload parameters: LSO v2 %u", p[11 + i]);
            return RNDIS_STATUS_INVALID_DATA;
        }
    }
    if (len >= 24 && (p[22] == NDIS_OFFLOAD_RSC_ON ||
                      p[23] == NDIS_OFFLOAD_RSC_ON)) {
        hv_net_bad(s, "offload parameters: RSC, never offered");
        return RNDIS_STATUS_NOT_SUPPORTED;
    }
    for (i = 0; i < HV_NET_L4_NUM; i++) {
        if (csum[i] != NDIS_OFFLOAD_NO_CHANGE) {
            s->csum_offload[i] = csum[i];
        }
    }
    for (i = 0; i < 2; i++) {
        if (p[11 + i] != NDIS_OFFLOAD_NO_CHANGE) {
            s->lso[i] = p[11 + i] == NDIS_OFFLOAD_LSO_ON;
        }
    }
    return RNDIS_STATUS_SUCCESS;
}

static void hv_net_set(HvNet *s, const uint8_t *msg, uint32_t len)
{
    uint32_t req_id, oid, inlen, inoff;
    uint32_t status = RNDIS_STATUS_SUCCESS;
    const uint8_t *info;
    GByteArray *m;

    if (len < RNDIS_HDR_LEN + 20) {
        hv_net_bad(s, "RNDIS SET of %u bytes", len);
        return;
    }
    req_id = ldl_le_p(msg + 8);
    oid = ldl_le_p(msg + 12);
    inlen = ldl_le_p(msg + 16);
    inoff = ldl_le_p(msg + 20);
    info = msg + RNDIS_HDR_LEN + inoff;
    if (inoff > len - RNDIS_HDR_LEN || inlen > len - RNDIS_HDR_LEN - inoff) {
        hv_net_bad(s, "RNDIS SET 0x%08x: %u bytes at %u in a message of %u",
                   oid, inlen, inoff, len);
        status = RNDIS_STATUS_INVALID_LENGTH;
        goto answer;
    }
    switch (oid) {
    case OID_GEN_CURRENT_PACKET_FILTER:
        if (inlen < 4) {
            status = RNDIS_STATUS_INVALID_LENGTH;
            break;
        }
        s->filter = ldl_le_p(info);
        break;
    case OID_GEN_RNDIS_CONFIG_PARAMETER:
        status = hv_net_config_param(s, info, inlen);
        break;
    case OID_TCP_OFFLOAD_PARAMETERS:
        status = hv_net_offload_params(s, info, inlen);
        break;
    case OID_GEN_RECEIVE_SCALE_PARAMS:
        status = hv_net_rss_params(s, info, inlen);
        break;
    default:
        status = RNDIS_STATUS_NOT_SUPPORTED;
        break;
    }
answer:
    m = hv_net_rndis_new(RNDIS_SET | RNDIS_COMPLETION, 8);
    stl_le_p(m->data + 8, req_id);
    stl_le_p(m->data + 12, status);
    hv_net_ctl_send(s, m);
}

static void hv_net_rndis_init(HvNet *s, const uint8_t *msg, uint32_t len)
{
    GByteArray *m;

    if (len < RNDIS_HDR_LEN + 16) {
        hv_net_bad(s, "RNDIS INIT of %u bytes", len);
        return;
    }
    m = hv_net_rndis_new(RNDIS_INIT | RNDIS_COMPLETION, 44);
    stl_le_p(m->data + 8, ldl_le_p(msg + 8));      /* request id */
    stl_le_p(m->data + 12, RNDIS_STATUS_SUCCESS);
    stl_le_p(m->data + 16, 1);                      /* RNDIS 1.0 */
    stl_le_p(m->data + 20, 0);
    stl_le_p(m->data + 24, 1);                      /* connectionless */
    stl_le_p(m->data + 28, 0);                      /* 802.3 */
    stl_le_p(m->data + 32, HV_NET_RNDIS_MAX_PKTS);
    stl_le_p(m->data + 36, HV_NET_RNDIS_MAX_XFER);
    stl_le_p(m->data + 40, HV_NET_RNDIS_ALIGN_SHIFT);
    s->rndis_up = true;
    s->filter = 0;
    hv_net_ctl_send(s, m);
}

/* The per-packet info of a frame from the guest that the host acts on. */
typedef struct HvNetTxInfo {
    uint32_t csum;
    uint32_t lso;
    uint32_t vlan;
    /* which of them came: 1 << PPI_CSUM, 1 << PPI_LSO, 1 << PPI_VLAN */
    uint32_t have;
} HvNetTxInfo;

/*
 * The per-packet info list of RNDIS packet @pkt (its @len bytes after
 * type and length): every entry inside the list and the list inside the
 * packet, at most one of each type the host acts on.
 */
static bool hv_net_tx_ppi(HvNet *s, const uint8_t *pkt, uint32_t len,
                          HvNetTxInfo *ti)
{
    uint32_t off = ldl_le_p(pkt + 20), left = ldl_le_p(pkt + 24);
    const uint8_t *p = pkt + off;

    memset(ti, 0, sizeof(*ti));
    if (!left) {
        return true;
    }
    if (off > len || left > len - off) {
        hv_net_bad(s, "RNDIS PACKET: per-packet info of %u bytes at %u in %u",
                   left, off, len);
        return false;
    }
    while (left) {
        uint32_t size, type, doff, *val;

        if (left < PPI_HDR_LEN) {
            hv_net_bad(s, "RNDIS PACKET: %u bytes after its last per-packet "
                       "info", left);
            return false;
        }
        size = ldl_le_p(p);
        type = ldl_le_p(p + 4);
        doff = ldl_le_p(p + 8);
        if (size < PPI_HDR_LEN || size > left || doff < PPI_HDR_LEN ||
            doff > size) {
            hv_net_bad(s, "RNDIS PACKET: per-packet info of %u bytes, value "
                       "at %u, in %u", size, doff, left);
            return false;
        }
        switch (type) {
        case PPI_CSUM:
            val = &ti->csum;
            break;
        case PPI_LSO:
            val = &ti->lso;
            break;
        case PPI_VLAN:
            val = &ti->vlan;
            break;
        default:
            /* the hash, and what no host acts on */
            val = NULL;
            break;
        }
        if (val) {
            if (size - doff < 4 || (ti->have & 1u << type)) {
                hv_net_bad(s, "RNDIS PACKET: per-packet info %u of %u bytes, "
                           "%s", type, size - doff,
                           (ti->have & 1u << type) ? "a second" : "short");
                return false;
            }
            ti->have |= 1u << type;
            *val = ldl_le_p(p + doff);
        }
        p += size;
        left -= size;
    }
    if ((ti->have & 1u << PPI_VLAN) && (ti->vlan & VLAN_INFO_RESERVED)) {
        hv_net_bad(s, "RNDIS PACKET: 802.1Q info 0x%08x", ti->vlan);
        return false;
    }
    return true;
}

/* One frame to the netdev, with the guest's 802.1Q tag if it gave one. */
static void hv_net_tx_out(HvNet *s, const uint8_t *f, uint32_t len,
                          const HvNetTxInfo *ti)
{
    uint8_t tag[HV_NET_VLAN_HLEN];
    struct iovec iov[3] = {
        { .iov_base = (void *)f, .iov_len = 12 },
        { .iov_base = tag, .iov_len = sizeof(tag) },
        { .iov_base = (void *)(f + 12), .iov_len = len - 12 },
    };

    s->tx_max_frame = MAX(s->tx_max_frame, len);
    if (!(ti->have & 1u << PPI_VLAN)) {
        qemu_send_packet(qemu_get_queue(s->nic), f, len);
        return;
    }
    stw_be_p(tag, ETH_P_VLAN);
    s->tx_vlan_tci = VLAN_INFO_TCI(ti->vlan);
    stw_be_p(tag + 2, s->tx_vlan_tci);
    s->tx_vlan++;
    qemu_sendv_packet(qemu_get_queue(s->nic), iov, ARRAY_SIZE(iov));
}

/*
 * Complete the TCP or UDP checksum of frame @f as its checksum info asks
 * (and the IPv4 header's, if asked): the L4 header where the info says,
 * behind an IP header of the kind it names.
 */
static bool hv_net_tx_csum(HvNet *s, uint8_t *f, uint32_t len, uint32_t info)
{
    bool v6 = info & CSUM_TX_IPV6, tcp = info & CSUM_TX_TCP;
    uint32_t want = CSUM_TX_L4_OFF(info), l4, end;
    uint8_t proto = 0;
    int idx;

    if (!(info & CSUM_TX_IPV4) == !v6 || !tcp == !(info & CSUM_TX_UDP)) {
        hv_net_bad(s, "checksum info 0x%08x names no one protocol", info);
        return false;
    }
    idx = (v6 ? HV_NET_L4_TCP6 : HV_NET_L4_TCP4) + !tcp;
    if (!hv_net_csum_tx_on(s, idx)) {
        hv_net_bad(s, "checksum info for %s, an offload not on",
                   hv_net_l4_names[idx]);
        return false;
    }
    l4 = hv_net_l4_off(f, len, v6, &proto);
    end = l4 ? hv_net_ip_end(f, len, v6, l4, tcp ? 20 : 8) : 0;
    if (!l4 || l4 != want || proto != (tcp ? IP_PROTO_TCP : IP_PROTO_UDP) ||
        !end) {
        hv_net_bad(s, "checksum info for %s at %u: the frame of %u bytes has "
                   "protocol %u at %u, to %u", hv_net_l4_names[idx], want,
                   len, proto, l4, end);
        return false;
    }
    if (tcp) {
        stw_be_p(f + l4 + 16, 0);
        stw_be_p(f + l4 + 16, hv_net_l4_csum(f + ETH_HLEN, v6, proto, f + l4,
                                             end - l4));
    } else {
        stw_be_p(f + l4 + 6, 0);
        stw_be_p(f + l4 + 6, hv_net_l4_csum(f + ETH_HLEN, v6, proto, f + l4,
                                            end - l4) ?: 0xffff);
    }
    if (!v6 && (info & CSUM_TX_IP_HDR)) {
        hv_net_ip4_csum(f + ETH_HLEN);
    }
    s->tx_csum++;
    s->tx_csum_udp += !tcp;
    return true;
}

/*
 * LSO v2: cut the TCP payload of frame @f into segments of the guest's
 * MSS, each with the headers of @f, its own sequence number, IP length
 * and id, and its checksums.
 */
static bool hv_net_tx_lso(HvNet *s, const uint8_t *f, uint32_t len,
                          const HvNetTxInfo *ti)
{
    bool v6 = ti->lso & LSO_IPV6;
    uint32_t mss = LSO_MSS(ti->lso), want = LSO_L4_OFF(ti->lso);
    uint32_t l4, thl, hlen, payload, nseg, seq, i;
    g_autofree uint8_t *seg = NULL;
    uint8_t proto = 0, flags;
    uint16_t id;

    if (!(ti->lso & LSO_V2) || !s->lso[v6]) {
        hv_net_bad(s, "LSO info 0x%08x: %s", ti->lso, !(ti->lso & LSO_V2) ?
                   "LSO v1, never offered" : "an offload not on");
        return false;
    }
    l4 = hv_net_l4_off(f, len, v6, &proto);
    thl = l4 && len >= l4 + 20 ? (f[l4 + 12] >> 4) * 4 : 0;
    if (!l4 || l4 != want || proto != IP_PROTO_TCP || thl < 20 ||
        thl > len - l4) {
        hv_net_bad(s, "LSO info for TCP at %u: the frame of %u bytes has "
                   "protocol %u at %u", want, len, proto, l4);
        return false;
    }
    hlen = l4 + thl;
    payload = len - hlen;
    /* each segment's IP length must fit its 16 bits */
    if (mss < HV_NET_LSO_MIN_MSS || mss > 0xffff - (hlen - ETH_HLEN)) {
        hv_net_bad(s, "LSO with an MSS of %u behind %u bytes of headers", mss,
                   hlen);
        return false;
    }
    nseg = payload ? DIV_ROUND_UP(payload, mss) : 1;
    seg = g_malloc(hlen + MIN(mss, payload));
    memcpy(seg, f, hlen);
    seq = ldl_be_p(f + l4 + 4);
    id = lduw_be_p(f + ETH_HLEN + 4);
    flags = f[l4 + 13];
    for (i = 0; i < nseg; i++) {
        uint32_t chunk = MIN(mss, payload - i * mss), n = hlen + chunk;
        uint8_t *ip = seg + ETH_HLEN, *th = seg + l4;

        memcpy(seg + hlen, f + hlen + i * mss, chunk);
        if (v6) {
            stw_be_p(ip + 4, n - ETH_HLEN - 40);
        } else {
            stw_be_p(ip + 2, n - ETH_HLEN);
            stw_be_p(ip + 4, id + i);
            hv_net_ip4_csum(ip);
        }
        stl_be_p(th + 4, seq + i * mss);
        /* FIN and PSH on the last segment only, CWR on the first */
        th[13] = flags & ~(i + 1 < nseg ? 0x09 : 0) & ~(i ? 0x80 : 0);
        stw_be_p(th + 16, 0);
        stw_be_p(th + 16, hv_net_l4_csum(ip, v6, IP_PROTO_TCP, th, n - l4));
        hv_net_tx_out(s, seg, n, ti);
    }
    s->tx_lso++;
    s->tx_segments += nseg;
    s->tx_lso_max = MAX(s->tx_lso_max, len);
    return true;
}

/*
 * A frame from the guest: RNDIS_PACKET's data, to the netdev, after the
 * offloads its per-packet info asks for.  @msg is the host's own copy,
 * which the checksums are written into.
 */
static bool hv_net_tx_frame(HvNet *s, HvNetChan *hc, uint8_t *msg,
                            uint32_t len)
{
    uint32_t doff, dlen;
    HvNetTxInfo ti;
    uint8_t *f;

    if (len < RNDIS_HDR_LEN + RNDIS_PKT_LEN) {
        hv_net_bad(s, "RNDIS PACKET of %u bytes", len);
        return false;
    }
    doff = ldl_le_p(msg + 8);
    dlen = ldl_le_p(msg + 12);
    if (doff > len - RNDIS_HDR_LEN || dlen > len - RNDIS_HDR_LEN - doff) {
        hv_net_bad(s, "RNDIS PACKET: %u bytes at %u in a message of %u",
                   dlen, doff, len);
        return false;
    }
    if (dlen < ETH_HLEN) {
        hv_net_bad(s, "RNDIS PACKET with a frame of %u bytes", dlen);
        return false;
    }
    if (!hv_net_tx_ppi(s, msg + RNDIS_HDR_LEN, len - RNDIS_HDR_LEN, &ti)) {
        return false;
    }
    f = msg + RNDIS_HDR_LEN + doff;
    hc->tx_frames++;
    /* with LSO the checksum info, if any, says nothing more */
    if (ti.have & 1u << PPI_LSO) {
        return hv_net_tx_lso(s, f, dlen, &ti);
    }
    if ((ti.have & 1u << PPI_CSUM) && !hv_net_tx_csum(s, f, dlen, ti.csum)) {
        return false;
    }
    hv_net_tx_out(s, f, dlen, &ti);
    return true;
}

/* One RNDIS message from the guest; false if it was malformed. */
static bool hv_net_rndis(HvNet *s, HvNetChan *hc, uint8_t *msg,
                         uint32_t len)
{
    uint32_t type = ldl_le_p(msg);
    GByteArray *m;

    if (type != RNDIS_PACKET && hc != s->chans) {
        hv_net_bad(s, "RNDIS message 0x%x on a sub-channel", type);
        return false;
    }
    if (type != RNDIS_PACKET && type != RNDIS_INIT && !s->rndis_up) {
        hv_net_bad(s, "RNDIS message 0x%x before INIT", type);
        return false;
    }
    switch (type) {
    case RNDIS_PACKET:
        if (!s->rndis_up) {
            hv_net_bad(s, "RNDIS PACKET before INIT");
            return false;
        }
        return hv_net_tx_frame(s, hc, msg, len);
    case RNDIS_INIT:
        hv_net_rndis_init(s, msg, len);
        return true;
    case RNDIS_HALT:
        s->rndis_up = false;
        s->filter = 0;
        return true;
    case RNDIS_QUERY:
        hv_net_query(s, msg, len);
        return true;
    case RNDIS_SET:
        hv_net_set(s, msg, len);
        return true;
    case RNDIS_RESET:
        s->filter = 0;
        m = hv_net_rndis_new(RNDIS_RESET | RNDIS_COMPLETION, 8);
        stl_le_p(m->data + 8, RNDIS_STATUS_SUCCESS);
        stl_le_p(m->data + 12, 1);      /* addressing reset: set it again */
        hv_net_ctl_send(s, m);
        return true;
    case RNDIS_KEEPALIVE:
        if (len < RNDIS_HDR_LEN + 4) {
            hv_net_bad(s, "RNDIS KEEPALIVE of %u bytes", len);
            return false;
        }
        m = hv_net_rndis_new(RNDIS_KEEPALIVE | RNDIS_COMPLETION, 8);
        stl_le_p(m->data + 8, ldl_le_p(msg + 8));
        hv_net_ctl_send(s, m);
        return true;
    default:
        hv_net_bad(s, "unknown RNDIS message 0x%x", type);
        return false;
    }
}

/*
 * SEND_RNDIS_PKT: the section's bytes, then the page list's, hold one or
 * more RNDIS messages back to back.  Returns the NVSP status.
 */
static uint32_t hv_net_send_rndis(HvNet *s, HvNetChan *hc, VMBusChanReq *req,
                                  const uint8_t *nvsp)
{
    VMBusChannel *chan = req->chan;
    AddressSpace *as = req->sgl.as ?: VMBUS_DEVICE(s)->dma_as;
    uint32_t idx = ldl_le_p(nvsp + 8);
    uint32_t ssize = ldl_le_p(nvsp + 12);
    uint64_t plen = 0, total;
    g_autofree uint8_t *buf = NULL;
    uint32_t off = 0;
    int i;

    if (idx == UINT32_MAX) {
        ssize = 0;
    } else if (!s->tx_gpadl || idx >= s->tx_nsections ||
               ssize > HV_NET_TX_SECTION) {
        hv_net_bad(s, "SEND_RNDIS_PKT from section %u (%u bytes) of %u", idx,
                   ssize, s->tx_gpadl ? s->tx_nsections : 0);
        return NVSP_STAT_INVALID_RNDIS_PKT;
    }
    if (req->pkt_type == VMBUS_PACKET_DATA_USING_GPA_DIRECT) {
        plen = req->sgl.size;
    }
    total = ssize + plen;
    if (!total || total > HV_NET_TX_MAX) {
        hv_net_bad(s, "SEND_RNDIS_PKT of %" PRIu64 " bytes", total);
        return NVSP_STAT_INVALID_RNDIS_PKT;
    }
    buf = g_malloc(total);
    if (ssize && vmbus_gpadl_read(chan, s->tx_gpadl, idx * HV_NET_TX_SECTION,
                                  buf, ssize) != ssize) {
        hv_net_bad(s, "send section %u is not guest memory", idx);
        return NVSP_STAT_INVALID_RNDIS_PKT;
    }
    off = ssize;
    for (i = 0; plen && i < req->sgl.nsg; i++) {
        if (dma_memory_read(as, req->sgl.sg[i].base, buf + off,
                            req->sgl.sg[i].len, MEMTXATTRS_UNSPECIFIED)) {
            hv_net_bad(s, "SEND_RNDIS_PKT page at 0x%" PRIx64
                       " is not guest memory", (uint64_t)req->sgl.sg[i].base);
            return NVSP_STAT_INVALID_RNDIS_PKT;
        }
        off += req->sgl.sg[i].len;
    }
    off = 0;
    while (off < total) {
        uint32_t mlen;

        if (total - off < RNDIS_HDR_LEN) {
            hv_net_bad(s, "%" PRIu64 " bytes after the last RNDIS message",
                       total - off);
            return NVSP_STAT_INVALID_RNDIS_PKT;
        }
        mlen = ldl_le_p(buf + off + 4);
        if (mlen < RNDIS_HDR_LEN || mlen > total - off) {
            hv_net_bad(s, "RNDIS message of %u bytes in %" PRIu64, mlen,
                       total - off);
            return NVSP_STAT_INVALID_RNDIS_PKT;
        }
        if (!hv_net_rndis(s, hc, buf + off, mlen)) {
            return NVSP_STAT_INVALID_RNDIS_PKT;
        }
        off += mlen;
    }
    return NVSP_STAT_SUCCESS;
}

/* NVSP from the guest */

static void hv_net_send_table(HvNet *s)
{
    VMBusChannel *chan = hv_net_channel(s, 0);
    uint8_t msg[NVSP_SEND_TABLE_OFF + 4 * NVSP_SEND_TABLE_LEN] = {};
    uint16_t n = 1 + s->subchannels;
    int i;

    if (s->nvsp_version < NVSP_V5 || !vmbus_channel_is_open(chan) ||
        vmbus_channel_reserve(chan, 0, sizeof(msg)) < 0) {
        return;
    }
    stl_le_p(msg, NVSP5_SEND_INDIRECTION_TABLE);
    stl_le_p(msg + 4, NVSP_SEND_TABLE_LEN);
    stl_le_p(msg + 8, NVSP_SEND_TABLE_OFF);
    for (i = 0; i < NVSP_SEND_TABLE_LEN; i++) {
        stl_le_p(msg + NVSP_SEND_TABLE_OFF + 4 * i, i % n);
    }
    vmbus_channel_send(chan, VMBUS_PACKET_DATA_INBAND, NULL, 0, msg,
                       sizeof(msg), false, 0);
}

static bool hv_net_version_ok(HvNet *s, uint32_t v)
{
    return v <= s->max_nvsp &&
        (v == NVSP_V1 || v == NVSP_V2 || v == NVSP_V4 || v == NVSP_V5 ||
         v == NVSP_V6 || v == NVSP_V61);
}

static void hv_net_recv_buf(HvNet *s, const uint8_t *m, uint8_t *ans)
{
    uint32_t handle = ldl_le_p(m + 4);
    uint16_t id = lduw_le_p(m + 8);
    VMBusGpadl *g;
    uint32_t len, max, sec;

    stl_le_p(ans, NVSP1_SEND_RECV_BUF_COMPLETE);
    stl_le_p(ans + 4, NVSP_STAT_FAIL);
    if (s->rx_gpadl) {
        hv_net_bad(s, "a second receive buffer");
        return;
    }
    g = vmbus_get_gpadl(hv_net_channel(s, 0), handle);
    if (!g) {
        hv_net_bad(s, "receive buffer GPADL %u does not exist", handle);
        return;
    }
    len = vmbus_gpadl_len(g);
    max = s->nvsp_version <= NVSP_V2 ? HV_NET_RX_BUF_MAX_V2 : HV_NET_RX_BUF_MAX;
    sec = HV_NET_RX_SECTION_MIN;
    if (s->config_mtu) {
        sec = MAX(sec, ROUND_UP(s->config_mtu + HV_NET_RX_OVERHEAD, 64));
    }
    if (len > max || len / sec < 2) {
        hv_net_bad(s, "receive buffer of %u bytes", len);
        vmbus_put_gpadl(g);
        return;
    }
    s->rx_gpadl = g;
    s->rx_id = id;
    s->rx_section = sec;
    s->rx_nsections = len / sec;
    s->rx_free = bitmap_new(s->rx_nsections);
    bitmap_set(s->rx_free, 0, s->rx_nsections);
    s->rx_nfree = s->rx_nsections;
    stl_le_p(ans + 4, NVSP_STAT_SUCCESS);
    stl_le_p(ans + 8, 1);                       /* one section */
    stl_le_p(ans + 12, 0);                      /* at offset 0 */
    stl_le_p(ans + 16, sec);
    stl_le_p(ans + 20, s->rx_nsections);
    stl_le_p(ans + 24, s->rx_nsections * sec);
}

static void hv_net_send_buf(HvNet *s, const uint8_t *m, uint8_t *ans)
{
    uint32_t handle = ldl_le_p(m + 4);
    VMBusGpadl *g;
    uint32_t len;

    stl_le_p(ans, NVSP1_SEND_SEND_BUF_COMPLETE);
    stl_le_p(ans + 4, NVSP_STAT_FAIL);
    if (s->tx_gpadl) {
        hv_net_bad(s, "a second send buffer");
        return;
    }
    g = vmbus_get_gpadl(hv_net_channel(s, 0), handle);
    if (!g) {
        hv_net_bad(s, "send buffer GPADL %u does not exist", handle);
        return;
    }
    len = vmbus_gpadl_len(g);
    if (len > HV_NET_TX_BUF_MAX || len < HV_NET_TX_SECTION) {
        hv_net_bad(s, "send buffer of %u bytes", len);
        vmbus_put_gpadl(g);
        return;
    }
    s->tx_gpadl = g;
    s->tx_nsections = len / HV_NET_TX_SECTION;
    stl_le_p(ans + 4, NVSP_STAT_SUCCESS);
    stl_le_p(ans + 8, HV_NET_TX_SECTION);
}

static void hv_net_subchannel(HvNet *s, const uint8_t *m, uint8_t *ans)
{
    VMBusDevice *vdev = VMBUS_DEVICE(s);
    uint32_t op = ldl_le_p(m + 4);
    uint32_t n = ldl_le_p(m + 8);
    uint32_t i;

    stl_le_p(ans, NVSP5_SUBCHANNEL);
    stl_le_p(ans + 4, NVSP_STAT_FAIL);
    if (op != NVSP_SUBCHANNEL_ALLOCATE || !n || s->nvsp_version < NVSP_V5) {
        hv_net_bad(s, "SUBCHANNEL op %u of %u at NVSP 0x%x", op, n,
                   s->nvsp_version);
        return;
    }
    n = MIN(n, vdev->num_channels - 1u);
    stl_le_p(ans + 4, NVSP_STAT_SUCCESS);
    stl_le_p(ans + 8, n);
    if (s->lie_subchannels) {
        /* more than the guest asked for: it must not believe it */
        s->lie_subchannels = false;
        stl_le_p(ans + 8, ldl_le_p(m + 8) + 5);
        return;
    }
    s->subchannels = MAX(s->subchannels, n);
    for (i = 1; i <= n; i++) {
        vmbus_channel_release_offer(hv_net_channel(s, i));
    }
}

/*
 * One packet from the guest.  @ans is the completion (NVSP_MSG_LEN bytes)
 * sent if the guest asked for one.
 */
static void hv_net_handle(HvNet *s, HvNetChan *hc, VMBusChanReq *req,
                          uint8_t *ans)
{
    uint8_t m[NVSP_MSG_LEN] = {};
    uint32_t len = req->msglen;
    uint32_t type, need = 4, v;

    memcpy(m, req->msg, MIN(len, sizeof(m)));
    if (len < 4) {
        hv_net_bad(s, "NVSP packet of %u bytes", len);
        stl_le_p(ans + 4, NVSP_STAT_FAIL);
        return;
    }
    type = ldl_le_p(m);
    switch (type) {
    case NVSP_INIT:
    case NVSP1_SEND_NDIS_VER:
    case NVSP5_SUBCHANNEL:
        need += 8;
        break;
    case NVSP1_SEND_RECV_BUF:
    case NVSP1_SEND_SEND_BUF:
        need += 6;
        break;
    case NVSP1_SEND_RNDIS_PKT:
        need += 12;
        break;
    case NVSP2_SEND_NDIS_CONFIG:
        need += 16;
        break;
    }
    if (len < need) {
        hv_net_bad(s, "NVSP message %u of %u bytes", type, len);
        stl_le_p(ans, type);
        stl_le_p(ans + 4, NVSP_STAT_FAIL);
        return;
    }
    if (type != NVSP1_SEND_RNDIS_PKT && hc != s->chans) {
        hv_net_bad(s, "NVSP message %u on a sub-channel", type);
        stl_le_p(ans, type);
        stl_le_p(ans + 4, NVSP_STAT_FAIL);
        return;
    }
    if (type != NVSP_INIT && !s->nvsp_version) {
        hv_net_bad(s, "NVSP message %u before INIT", type);
        stl_le_p(ans, type);
        stl_le_p(ans + 4, NVSP_STAT_FAIL);
        return;
    }

    switch (type) {
    case NVSP_INIT:
        v = ldl_le_p(m + 4);
        stl_le_p(ans, NVSP_INIT_COMPLETE);
        if (v != ldl_le_p(m + 8) || !hv_net_version_ok(s, v) ||
            s->rx_gpadl || s->tx_gpadl) {
            stl_le_p(ans + 12, NVSP_STAT_FAIL);
            break;
        }
        s->nvsp_version = v;
        s->state = HV_NET_NEGOTIATING;
        stl_le_p(ans + 4, v);
        stl_le_p(ans + 8, 34);      /* max MDL chain length */
        stl_le_p(ans + 12, NVSP_STAT_SUCCESS);
        break;
    case NVSP2_SEND_NDIS_CONFIG:
        v = ldl_le_p(m + 4);
        if (s->nvsp_version < NVSP_V2 || v < 68 + ETH_HLEN ||
            v > s->max_mtu + ETH_HLEN) {
            hv_net_bad(s, "NDIS config with MTU %u at NVSP 0x%x", v,
                       s->nvsp_version);
            stl_le_p(ans, type);
            stl_le_p(ans + 4, NVSP_STAT_FAIL);
            break;
        }
        s->config_mtu = v;
        s->config_caps = ldq_le_p(m + 12);
        stl_le_p(ans, type);
        stl_le_p(ans + 4, NVSP_STAT_SUCCESS);
        break;
    case NVSP1_SEND_NDIS_VER:
        s->ndis_version = ldl_le_p(m + 4) << 16 | (ldl_le_p(m + 8) & 0xffff);
        stl_le_p(ans, type);
        stl_le_p(ans + 4, NVSP_STAT_SUCCESS);
        break;
    case NVSP1_SEND_RECV_BUF:
        hv_net_recv_buf(s, m, ans);
        break;
    case NVSP1_SEND_SEND_BUF:
        hv_net_send_buf(s, m, ans);
        if (s->rx_gpadl && s->tx_gpadl) {
            s->state = HV_NET_READY;
        }
        break;
    case NVSP1_REVOKE_RECV_BUF:
        hv_net_rx_release(s);
        s->rndis_up = false;
        stl_le_p(ans, type);
        stl_le_p(ans + 4, NVSP_STAT_SUCCESS);
        break;
    case NVSP1_REVOKE_SEND_BUF:
        vmbus_put_gpadl(s->tx_gpadl);
        s->tx_gpadl = NULL;
        s->tx_nsections = 0;
        stl_le_p(ans, type);
        stl_le_p(ans + 4, NVSP_STAT_SUCCESS);
        break;
    case NVSP1_SEND_RNDIS_PKT:
        stl_le_p(ans, NVSP1_SEND_RNDIS_PKT_COMPLETE);
        stl_le_p(ans + 4, hv_net_send_rndis(s, hc, req, m));
        break;
    case NVSP5_SUBCHANNEL:
        hv_net_subchannel(s, m, ans);
        break;
    case NVSP4_SWITCH_DATA_PATH:
        /* no VF: the synthetic path is the only one */
        stl_le_p(ans, type);
        stl_le_p(ans + 4, NVSP_STAT_SUCCESS);
        break;
    default:
        hv_net_bad(s, "unknown NVSP message %u", type);
        stl_le_p(ans, type);
        stl_le_p(ans + 4, NVSP_STAT_FAIL);
        break;
    }
}

/* The guest completed a transfer-page packet: its sections are free. */
static void hv_net_rx_completed(HvNet *s, HvNetChan *hc, VMBusChanReq *req)
{
    uint64_t id = req->transaction_id;
    HvNetXfer *x = g_hash_table_lookup(s->xfers, &id);
    uint32_t i;

    if (!x) {
        hv_net_bad(s, "completion of transfer 0x%" PRIx64 ", never sent", id);
        return;
    }
    if (x->chan != hc - s->chans) {
        hv_net_bad(s, "transfer 0x%" PRIx64 " of channel %u completed on %td",
                   id, x->chan, hc - s->chans);
    }
    if (req->msglen >= 8 && ldl_le_p(req->msg) == NVSP1_SEND_RNDIS_PKT_COMPLETE &&
        ldl_le_p((uint8_t *)req->msg + 4) != NVSP_STAT_SUCCESS) {
        s->rx_dropped++;
    }
    if (id == s->inject_id) {
        g_free(s->inject_result);
        s->inject_result = g_strdup_printf("answered 0x%08x",
            req->msglen >= 8 ? ldl_le_p((uint8_t *)req->msg + 4) : 0);
        s->inject_id = 0;
    }
    for (i = 0; i < x->count; i++) {
        hv_net_section_put(s, x->sections[i]);
    }
    g_hash_table_remove(s->xfers, &id);
    qemu_bh_schedule(s->rx_bh);
}

static void hv_net_chan_notify(VMBusChannel *chan)
{
    HvNet *s = HV_NET(vmbus_channel_device(chan));
    uint16_t idx = vmbus_channel_idx(chan);
    HvNetChan *hc = &s->chans[idx];
    VMBusChanReq *req;

    if (hc->busy) {
        return;
    }
    hc->busy = true;
    hv_net_rx_flush_chan(s, idx);
    hc->stalled = false;
    if (vmbus_channel_recv_start(chan)) {
        hc->busy = false;
        return;
    }
    while ((req = vmbus_channel_recv_peek(chan, sizeof(*req)))) {
        uint8_t ans[NVSP_MSG_LEN] = {};
        uint32_t alen = NVSP_MSG_LEN;

        bool send = req->msglen >= 4 &&
                    ldl_le_p(req->msg) == NVSP1_SEND_RNDIS_PKT;
        bool hold = send && req->need_comp && s->hold_sends;

        if (send) {
            alen = 8;
        }
        /* a host that holds no more leaves the rest in the ring */
        if (hold && hc->nheld == HV_NET_HELD_MAX) {
            vmbus_free_req(req);
            hc->stalled = true;
            break;
        }
        /* room for the completion first, so that no answer is lost */
        if (req->need_comp && vmbus_channel_reserve(chan, 0, alen) < 0) {
            vmbus_free_req(req);
            hc->stalled = true;
            break;
        }
        vmbus_channel_recv_pop(chan);
        if (req->pkt_type == VMBUS_PACKET_COMP) {
            hv_net_rx_completed(s, hc, req);
        } else {
            hv_net_handle(s, hc, req, ans);
            if (hold) {
                /* the reservation stays for the completion on release */
                hc->held_id[hc->nheld] = req->transaction_id;
                hc->held_status[hc->nheld++] = ldl_le_p(ans + 4);
                s->held++;
            } else if (req->need_comp) {
                vmbus_channel_send_completion(req, ans, alen);
            }
        }
        vmbus_free_req(req);
    }
    vmbus_channel_recv_done(chan);
    hc->busy = false;
    qemu_bh_schedule(s->rx_bh);
}

static void hv_net_reset_state(HvNet *s)
{
    GByteArray *m;

    hv_net_rx_release(s);
    vmbus_put_gpadl(s->tx_gpadl);
    s->tx_gpadl = NULL;
    s->tx_nsections = 0;
    while ((m = g_queue_pop_head(&s->ctl))) {
        g_byte_array_unref(m);
    }
    s->state = HV_NET_CLOSED;
    s->nvsp_version = 0;
    s->ndis_version = 0;
    s->config_mtu = 0;
    s->config_caps = 0;
    s->subchannels = 0;
    s->rndis_up = false;
    s->filter = 0;
    s->rss_itab_len = 0;
    memset(s->csum_offload, 0, sizeof(s->csum_offload));
    memset(s->lso, 0, sizeof(s->lso));
    s->hold_sends = false;
    memcpy(s->mac, s->conf.macaddr.a, ETH_ALEN);
}

static int hv_net_open_channel(VMBusChannel *chan)
{
    HvNet *s = HV_NET(vmbus_channel_device(chan));

    if (!vmbus_channel_idx(chan)) {
        hv_net_reset_state(s);
    }
    return 0;
}

/* The sections of a closed channel's packets are the host's again. */
static gboolean hv_net_xfer_of_chan(gpointer key, gpointer value,
                                    gpointer opaque)
{
    HvNetXfer *x = value;
    HvNet *s = ((void **)opaque)[0];
    uint16_t idx = *(uint16_t *)((void **)opaque)[1];
    uint32_t i;

    if (x->chan != idx) {
        return false;
    }
    for (i = 0; i < x->count; i++) {
        hv_net_section_put(s, x->sections[i]);
    }
    return true;
}

static void hv_net_close_channel(VMBusChannel *chan)
{
    HvNet *s = HV_NET(vmbus_channel_device(chan));
    uint16_t idx = vmbus_channel_idx(chan);
    HvNetChan *hc = &s->chans[idx];
    void *ctx[2] = { s, &idx };
    uint32_t i;

    for (i = 0; i < hc->nranges; i++) {
        hv_net_section_put(s, hc->sections[i]);
    }
    hc->nranges = 0;
    hc->stalled = false;
    /* the ring and its reservations go with the channel */
    s->held -= hc->nheld;
    hc->nheld = 0;
    g_hash_table_foreach_remove(s->xfers, hv_net_xfer_of_chan, ctx);
    if (!idx) {
        /* Hyper-V rescinds the sub-channels; a re-attach asks anew */
        for (i = 1; i < VMBUS_DEVICE(s)->num_channels; i++) {
            vmbus_channel_rescind_offer(hv_net_channel(s, i));
        }
        hv_net_reset_state(s);
    }
}

static uint16_t hv_net_num_channels(VMBusDevice *vdev)
{
    return HV_NET(vdev)->channels;
}

static void hv_net_vmdev_realize(VMBusDevice *vdev, Error **errp)
{
    HvNet *s = HV_NET(vdev);
    uint16_t i;

    if (!s->channels || s->channels > HV_NET_MAX_CHANNELS) {
        error_setg(errp, "channels must be 1 to %u", HV_NET_MAX_CHANNELS);
        return;
    }
    if (s->max_mtu < 1500 || s->max_mtu > 65535 - ETH_HLEN) {
        error_setg(errp, "max-mtu must be 1500 to %u", 65535 - ETH_HLEN);
        return;
    }
    s->chans = g_new0(HvNetChan, vdev->num_channels);
    for (i = 1; i < vdev->num_channels; i++) {
        /* Hyper-V offers the sub-channels when the guest asks for them */
        vmbus_channel_hold_offer(vmbus_device_channel(vdev, i));
    }
    s->xfers = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                     g_free);
    s->next_xfer_id = 1;
    g_queue_init(&s->ctl);
    s->rx_bh = qemu_bh_new_guarded(hv_net_rx_bh, s,
                                   &DEVICE(s)->mem_reentrancy_guard);
    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    memcpy(s->mac, s->conf.macaddr.a, ETH_ALEN);
    s->nic = qemu_new_nic(&hv_net_info, &s->conf,
                          object_get_typename(OBJECT(s)), DEVICE(s)->id,
                          &DEVICE(s)->mem_reentrancy_guard, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);
}

static void hv_net_vmdev_unrealize(VMBusDevice *vdev)
{
    HvNet *s = HV_NET(vdev);

    hv_net_reset_state(s);
    qemu_del_nic(s->nic);
    qemu_bh_delete(s->rx_bh);
    g_hash_table_destroy(s->xfers);
    g_free(s->inject_result);
    g_free(s->chans);
    s->chans = NULL;
}

static void hv_net_vmdev_reset(VMBusDevice *vdev)
{
    hv_net_reset_state(HV_NET(vdev));
}


/*
 * A transfer-page packet on the primary channel with @n ranges over the
 * receive buffer; @sec (if not UINT32_MAX) is the section it holds, free
 * again on its completion, which inject-result reports.
 */
static void hv_net_inject_xfer(HvNet *s, const HvNetRange *r, uint32_t n,
                               uint32_t nvsp_type, uint32_t sec, Error **errp)
{
    VMBusChannel *chan = hv_net_channel(s, 0);
    uint32_t desclen = 8 + n * sizeof(HvNetRange);
    g_autofree uint8_t *desc = g_malloc0(desclen);
    uint8_t msg[16] = {};
    HvNetXfer *x;
    uint64_t id;
    uint32_t i;

    if (vmbus_channel_reserve(chan, desclen, sizeof(msg)) < 0) {
        error_setg(errp, "inject: the ring to the guest is full");
        hv_net_section_put(s, sec);
        return;
    }
    stw_le_p(desc, s->rx_id);
    stl_le_p(desc + 4, n);
    for (i = 0; i < n; i++) {
        stl_le_p(desc + 8 + i * 8, r[i].byte_count);
        stl_le_p(desc + 12 + i * 8, r[i].byte_offset);
    }
    stl_le_p(msg, nvsp_type);
    stl_le_p(msg + 8, UINT32_MAX);
    id = s->next_xfer_id++;
    x = g_malloc(sizeof(*x) + sizeof(uint32_t));
    x->chan = 0;
    x->count = sec == UINT32_MAX ? 0 : 1;
    x->sections[0] = sec;
    g_hash_table_insert(s->xfers, g_memdup2(&id, sizeof(id)), x);
    s->inject_id = id;
    g_free(s->inject_result);
    s->inject_result = g_strdup("pending");
    vmbus_channel_send(chan, VMBUS_PACKET_DATA_USING_XFER_PAGES, desc, desclen,
                       msg, sizeof(msg), true, id);
    s->injected++;
}

/*
 * inject=release-completions: the held completions of the guest's sends go
 * out, each into the room reserved for it, and the rings are read again.
 */
static uint64_t hv_net_release_sends(HvNet *s)
{
    uint64_t n = s->held;
    uint16_t i;
    uint32_t j;

    s->hold_sends = false;
    for (i = 0; i < VMBUS_DEVICE(s)->num_channels; i++) {
        VMBusChannel *chan = hv_net_channel(s, i);
        HvNetChan *hc = &s->chans[i];

        for (j = 0; j < hc->nheld; j++) {
            uint8_t msg[8];

            stl_le_p(msg, NVSP1_SEND_RNDIS_PKT_COMPLETE);
            stl_le_p(msg + 4, hc->held_status[j]);
            vmbus_channel_send(chan, VMBUS_PACKET_COMP, NULL, 0, msg,
                               sizeof(msg), false, hc->held_id[j]);
        }
        hc->nheld = 0;
        if (vmbus_channel_is_open(chan)) {
            hv_net_chan_notify(chan);
        }
    }
    s->held = 0;
    return n;
}

/* A section holding @len bytes of @m, for an injected transfer. */
static bool hv_net_inject_section(HvNet *s, const uint8_t *m, uint32_t len,
                                  uint32_t *sec, Error **errp)
{
    struct iovec iov = { .iov_base = (void *)m, .iov_len = len };

    if (!hv_net_section_get(s, sec)) {
        error_setg(errp, "inject: no receive section is free");
        return false;
    }
    if (vmbus_iov_to_gpadl(hv_net_channel(s, 0), s->rx_gpadl,
                           *sec * s->rx_section, &iov, 1) < 0) {
        error_setg(errp, "inject: the receive buffer is not guest memory");
        hv_net_section_put(s, *sec);
        return false;
    }
    return true;
}

/*
 * inject: send the guest what a broken or hostile host would, on the
 * primary channel:
 *   range-outside     a range past the end of the receive buffer
 *   range-overlap     two ranges over one section (a frame, twice)
 *   rndis-length      an RNDIS message longer than its range
 *   rndis-offset      an RNDIS packet whose data starts past its end
 *   rndis-type        an unknown RNDIS message type
 *   nvsp-type         a transfer-page packet of an unknown NVSP type
 *   unknown-inband    an inband NVSP message of an unknown type
 *   bad-completion    a completion of a transaction the guest never sent
 *   subchannel-count  the next SUBCHANNEL answer grants 5 more than asked
 *   flood             status indications into every free section
 *   hold-completions  the guest's sends complete no more (HV_NET_HELD_MAX
 *                     a channel, then the host stops reading its ring)
 *   release-completions  until this: the held ones go out
 */
static void hv_net_set_inject(Object *obj, const char *value, Error **errp)
{
    HvNet *s = HV_NET(obj);
    VMBusChannel *chan = hv_net_channel(s, 0);
    uint8_t m[RNDIS_HDR_LEN + RNDIS_PKT_LEN + 60] = {};
    HvNetRange r[2];
    uint32_t sec, n = 0;

    if (!s->rx_gpadl || !s->rndis_up || !vmbus_channel_is_open(chan)) {
        error_setg(errp, "inject: the adapter is %s, not receiving",
                   hv_net_state_names[s->state]);
        return;
    }
    /* an RNDIS packet with a broadcast frame of the local ethertype */
    stl_le_p(m, RNDIS_PACKET);
    stl_le_p(m + 4, sizeof(m));
    stl_le_p(m + 8, RNDIS_PKT_LEN);
    stl_le_p(m + 12, 60);
    memset(m + RNDIS_HDR_LEN + RNDIS_PKT_LEN, 0xff, ETH_ALEN);
    memcpy(m + RNDIS_HDR_LEN + RNDIS_PKT_LEN + 6, s->conf.macaddr.a, ETH_ALEN);
    stw_be_p(m + RNDIS_HDR_LEN + RNDIS_PKT_LEN + 12, 0x88b5);

    if (!strcmp(value, "subchannel-count")) {
        s->lie_subchannels = true;
        s->injected++;
        return;
    }
    if (!strcmp(value, "hold-completions")) {
        s->hold_sends = true;
        g_free(s->inject_result);
        s->inject_result = g_strdup("holding");
        s->injected++;
        return;
    }
    if (!strcmp(value, "release-completions")) {
        uint64_t held = hv_net_release_sends(s);

        g_free(s->inject_result);
        s->inject_result = g_strdup_printf("released %" PRIu64, held);
        return;
    }
    if (!strcmp(value, "range-outside")) {
        r[0].byte_offset = vmbus_gpadl_len(s->rx_gpadl) - 16;
        r[0].byte_count = sizeof(m);
        hv_net_inject_xfer(s, r, 1, NVSP1_SEND_RNDIS_PKT, UINT32_MAX, errp);
        return;
    }
    if (!strcmp(value, "unknown-inband") || !strcmp(value, "bad-completion")) {
        uint8_t msg[NVSP_MSG_LEN] = {};
        bool comp = !strcmp(value, "bad-completion");

        stl_le_p(msg, comp ? NVSP1_SEND_RNDIS_PKT_COMPLETE : 0x4242);
        stl_le_p(msg + 4, NVSP_STAT_SUCCESS);
        if (vmbus_channel_reserve(chan, 0, sizeof(msg)) < 0) {
            error_setg(errp, "inject: the ring to the guest is full");
            return;
        }
        vmbus_channel_send(chan, comp ? VMBUS_PACKET_COMP :
                           VMBUS_PACKET_DATA_INBAND, NULL, 0, msg, sizeof(msg),
                           false, comp ? 0x7ffffff0 : 0);
        g_free(s->inject_result);
        s->inject_result = g_strdup("sent");
        s->injected++;
        return;
    }
    if (!strcmp(value, "flood")) {
        uint8_t ind[RNDIS_HDR_LEN + 12] = {};

        stl_le_p(ind, RNDIS_INDICATE);
        stl_le_p(ind + 4, sizeof(ind));
        stl_le_p(ind + 8, 0x40010012);      /* media-specific: ignored */
        while (hv_net_rx_put(s, 0, ind, sizeof(ind), NULL, 0)) {
            n++;
            if (s->chans[0].nranges == HV_NET_MAX_RANGES) {
                hv_net_rx_flush_chan(s, 0);
                if (s->chans[0].nranges) {
                    break;
                }
            }
        }
        hv_net_rx_flush_chan(s, 0);
        g_free(s->inject_result);
        s->inject_result = g_strdup_printf("sent %u", n);
        s->injected++;
        return;
    }
    if (!strcmp(value, "rndis-length")) {
        stl_le_p(m + 4, 0x10000);
    } else if (!strcmp(value, "rndis-offset")) {
        stl_le_p(m + 8, 0xfff0);
    } else if (!strcmp(value, "rndis-type")) {
        stl_le_p(m, 0x77);
    } else if (strcmp(value, "range-overlap") && strcmp(value, "nvsp-type")) {
        error_setg(errp, "inject: unknown malformation '%s' (range-outside, "
                   "range-overlap, rndis-length, rndis-offset, rndis-type, "
                   "nvsp-type, unknown-inband, bad-completion, "
                   "subchannel-count, flood, hold-completions, "
                   "release-completions)", value);
        return;
    }
    if (!hv_net_inject_section(s, m, sizeof(m), &sec, errp)) {
        return;
    }
    r[0].byte_offset = r[1].byte_offset = sec * s->rx_section;
    r[0].byte_count = r[1].byte_count = sizeof(m);
    n = strcmp(value, "range-overlap") ? 1 : 2;
    if (!strcmp(value, "nvsp-type")) {
        /* the guest drops it without completing: the section is lost */
        hv_net_inject_xfer(s, r, n, 0x4242, UINT32_MAX, errp);
        return;
    }
    hv_net_inject_xfer(s, r, n, NVSP1_SEND_RNDIS_PKT, sec, errp);
}

static char *hv_net_get_inject_result(Object *obj, Error **errp)
{
    HvNet *s = HV_NET(obj);

    return g_strdup(s->inject_result ?: "none");
}

static char *hv_net_get_state(Object *obj, Error **errp)
{
    return g_strdup(hv_net_state_names[HV_NET(obj)->state]);
}

static char *hv_net_get_version(Object *obj, Error **errp)
{
    HvNet *s = HV_NET(obj);

    if (!s->nvsp_version) {
        return g_strdup("");
    }
    if (s->nvsp_version == NVSP_V1) {
        return g_strdup("1");
    }
    if (s->nvsp_version == NVSP_V2) {
        return g_strdup("2");
    }
    if (s->nvsp_version & 0xffff) {
        return g_strdup_printf("%u.%u", s->nvsp_version >> 16,
                               s->nvsp_version & 0xffff);
    }
    return g_strdup_printf("%u", s->nvsp_version >> 16);
}

static char *hv_net_get_ndis(Object *obj, Error **errp)
{
    HvNet *s = HV_NET(obj);

    return g_strdup_printf("%u.%u", s->ndis_version >> 16,
                           s->ndis_version & 0xffff);
}

static char *hv_net_get_mac(Object *obj, Error **errp)
{
    HvNet *s = HV_NET(obj);

    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", s->mac[0],
                           s->mac[1], s->mac[2], s->mac[3], s->mac[4],
                           s->mac[5]);
}

static char *hv_net_get_frames(HvNet *s, bool rx)
{
    GString *str = g_string_new("");
    uint16_t i;

    for (i = 0; s->chans && i < VMBUS_DEVICE(s)->num_channels; i++) {
        g_string_append_printf(str, "%s%" PRIu64, i ? "," : "",
                               rx ? s->chans[i].rx_frames :
                               s->chans[i].tx_frames);
    }
    return g_string_free(str, false);
}

/* offloads on: "tx-tcp4 rx-tcp4 ... lso4 lso6", "none" */
static char *hv_net_get_offloads(Object *obj, Error **errp)
{
    HvNet *s = HV_NET(obj);
    GString *str = g_string_new("");
    g_autofree char *all = NULL;
    int i;

    for (i = 0; i < HV_NET_L4_NUM; i++) {
        if (hv_net_csum_tx_on(s, i)) {
            g_string_append_printf(str, " tx-%s", hv_net_l4_names[i]);
        }
        if (hv_net_csum_rx_on(s, i)) {
            g_string_append_printf(str, " rx-%s", hv_net_l4_names[i]);
        }
    }
    for (i = 0; i < 2; i++) {
        if (s->lso[i]) {
            g_string_append_printf(str, " lso%d", i ? 6 : 4);
        }
    }
    if (!str->len) {
        g_string_append(str, " none");
    }
    all = g_string_free(str, false);
    return g_strdup(all + 1);
}

static char *hv_net_get_rx_frames(Object *obj, Error **errp)
{
    return hv_net_get_frames(HV_NET(obj), true);
}

static char *hv_net_get_tx_frames(Object *obj, Error **errp)
{
    return hv_net_get_frames(HV_NET(obj), false);
}

/*
 * deliver: an Ethernet frame (hex) handed to the receive path as if the
 * netdev had received it: the packet filter, RSS and the receive buffer
 * treat it as any other.
 */
static void hv_net_set_deliver(Object *obj, const char *value, Error **errp)
{
    HvNet *s = HV_NET(obj);
    size_t n = strlen(value), i;
    g_autofree uint8_t *frame = NULL;

    if (n % 2 || n / 2 < ETH_HLEN || n / 2 > 65536) {
        error_setg(errp, "deliver: a frame of 14 to 65536 bytes, in hex");
        return;
    }
    frame = g_malloc(n / 2);
    for (i = 0; i < n / 2; i++) {
        int hi = g_ascii_xdigit_value(value[2 * i]);
        int lo = g_ascii_xdigit_value(value[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            error_setg(errp, "deliver: not hex at %zu", 2 * i);
            return;
        }
        frame[i] = hi << 4 | lo;
    }
    if (!hv_net_receive(qemu_get_queue(s->nic), frame, n / 2)) {
        error_setg(errp, "deliver: the receive buffer is full");
    }
}

static void hv_net_get_u16(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint16_t val = *(uint16_t *)opaque;

    visit_type_uint16(v, name, &val, errp);
}

static void hv_net_get_u32(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint32_t val = *(uint32_t *)opaque;

    visit_type_uint32(v, name, &val, errp);
}

static void hv_net_get_u64(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    uint64_t val = *(uint64_t *)opaque;

    visit_type_uint64(v, name, &val, errp);
}

static void hv_net_instance_init(Object *obj)
{
    HvNet *s = HV_NET(obj);

    object_property_add(obj, "subchannels", "uint16", hv_net_get_u16,
                        NULL, NULL, &s->subchannels);
    object_property_add(obj, "packet-filter", "uint32", hv_net_get_u32,
                        NULL, NULL, &s->filter);
    object_property_add(obj, "ndis-mtu", "uint32", hv_net_get_u32,
                        NULL, NULL, &s->config_mtu);
    object_property_add(obj, "receive-section", "uint32", hv_net_get_u32,
                        NULL, NULL, &s->rx_section);
    object_property_add(obj, "tx-max-frame", "uint32", hv_net_get_u32,
                        NULL, NULL, &s->tx_max_frame);
    object_property_add(obj, "tx-lso-max", "uint32", hv_net_get_u32,
                        NULL, NULL, &s->tx_lso_max);
    object_property_add(obj, "tx-csum", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->tx_csum);
    object_property_add(obj, "tx-csum-udp", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->tx_csum_udp);
    object_property_add(obj, "tx-held", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->held);
    object_property_add(obj, "tx-lso", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->tx_lso);
    object_property_add(obj, "tx-segments", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->tx_segments);
    object_property_add(obj, "tx-vlan", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->tx_vlan);
    object_property_add(obj, "tx-vlan-tci", "uint32", hv_net_get_u32,
                        NULL, NULL, &s->tx_vlan_tci);
    object_property_add(obj, "rx-csum-ok", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->rx_csum_ok);
    object_property_add(obj, "rx-csum-bad", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->rx_csum_bad);
    object_property_add(obj, "rx-vlan", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->rx_vlan);
    object_property_add(obj, "messages-bad", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->bad);
    object_property_add(obj, "injected", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->injected);
    object_property_add(obj, "rx-filtered", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->rx_filtered);
    object_property_add(obj, "rx-dropped", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->rx_dropped);
    object_property_add(obj, "link-changes", "uint64", hv_net_get_u64,
                        NULL, NULL, &s->link_changes);
}

static const Property hv_net_properties[] = {
    DEFINE_NIC_PROPERTIES(HvNet, conf),
    DEFINE_PROP_UINT16("channels", HvNet, channels, 1),
    DEFINE_PROP_UINT32("max-mtu", HvNet, max_mtu, 9216),
    DEFINE_PROP_UINT32("max-nvsp", HvNet, max_nvsp, NVSP_V61),
};

static const VMStateDescription vmstate_hv_net = {
    .name = TYPE_HV_NET,
    .unmigratable = 1,
};

static void hv_net_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);

    device_class_set_props(dc, hv_net_properties);
    dc->desc = "Hyper-V synthetic network adapter";
    dc->vmsd = &vmstate_hv_net;
    set_bit(DEVICE_CATEGORY_NETWORK, dc->categories);

    qemu_uuid_parse(HV_NET_GUID, &vdc->classid);
    vdc->vmdev_realize = hv_net_vmdev_realize;
    vdc->vmdev_unrealize = hv_net_vmdev_unrealize;
    vdc->vmdev_reset = hv_net_vmdev_reset;
    vdc->num_channels = hv_net_num_channels;
    vdc->open_channel = hv_net_open_channel;
    vdc->close_channel = hv_net_close_channel;
    vdc->chan_notify_cb = hv_net_chan_notify;

    object_class_property_add_str(klass, "state", hv_net_get_state, NULL);
    object_class_property_add_str(klass, "protocol-version",
                                  hv_net_get_version, NULL);
    object_class_property_add_str(klass, "ndis-version", hv_net_get_ndis,
                                  NULL);
    object_class_property_add_str(klass, "current-mac", hv_net_get_mac,
                                  NULL);
    object_class_property_add_str(klass, "rx-frames", hv_net_get_rx_frames,
                                  NULL);
    object_class_property_add_str(klass, "offloads", hv_net_get_offloads,
                                  NULL);
    object_class_property_add_str(klass, "tx-frames", hv_net_get_tx_frames,
                                  NULL);
    object_class_property_add_str(klass, "deliver", NULL, hv_net_set_deliver);
    object_class_property_add_str(klass, "inject", NULL, hv_net_set_inject);
    object_class_property_add_str(klass, "inject-result",
                                  hv_net_get_inject_result, NULL);
    object_class_property_set_description(klass, "inject",
        "range-outside, range-overlap, rndis-length, rndis-offset, "
        "rndis-type, nvsp-type, unknown-inband, bad-completion, "
        "subchannel-count, flood");
    object_class_property_set_description(klass, "rx-frames",
        "frames received on each channel, primary first");
}

static const TypeInfo hv_net_type_info = {
    .name = TYPE_HV_NET,
    .parent = TYPE_VMBUS_DEVICE,
    .instance_size = sizeof(HvNet),
    .instance_init = hv_net_instance_init,
    .class_init = hv_net_class_init,
};

static void hv_net_register_types(void)
{
    type_register_static(&hv_net_type_info);
}

type_init(hv_net_register_types)
