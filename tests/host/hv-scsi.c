/*
 * Hyper-V synthetic SCSI controller (VMBus storage, "storvsp" side).
 *
 * The guest's storvsc speaks VMSTOR over the device's primary channel:
 * BEGIN_INITIALIZATION, QUERY_PROTOCOL_VERSION, QUERY_PROPERTIES,
 * END_INITIALIZATION, then CREATE_SUB_CHANNELS, after which the
 * sub-channels are offered and every channel carries EXECUTE_SRB packets,
 * each answered on the channel it came on.  The SCSI work is done by
 * QEMU's SCSI layer: -device scsi-hd,bus=<id>.0,... attaches a disk.
 *
 * Part of openlis's emulated Hyper-V host (tests/host/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "exec/memory.h"
#include "hw/qdev-properties.h"
#include "hw/hotplug.h"
#include "hw/hyperv/vmbus.h"
#include "hw/scsi/scsi.h"
#include "migration/vmstate.h"
#include "scsi/constants.h"

#define TYPE_HV_SCSI "hv-scsi"
OBJECT_DECLARE_SIMPLE_TYPE(HvScsi, HV_SCSI)
#define TYPE_HV_IDE "hv-ide"

/* Hyper-V's synthetic SCSI controller class */
#define HV_SCSI_GUID "ba6163d9-04a1-4d29-b605-72e2ffb1dc7f"
/* Hyper-V's accelerated IDE class: the same VMSTOR, one disk per device */
#define HV_IDE_GUID "32412632-86cb-44a2-9b5c-50d1417354f5"

#define HV_SCSI_MAX_CHANNELS 64

/* VMSTOR operations */
enum {
    VSTOR_OP_COMPLETE_IO = 1,
    VSTOR_OP_REMOVE_DEVICE = 2,
    VSTOR_OP_EXECUTE_SRB = 3,
    VSTOR_OP_RESET_LUN = 4,
    VSTOR_OP_RESET_ADAPTER = 5,
    VSTOR_OP_RESET_BUS = 6,
    VSTOR_OP_BEGIN_INITIALIZATION = 7,
    VSTOR_OP_END_INITIALIZATION = 8,
    VSTOR_OP_QUERY_PROTOCOL_VERSION = 9,
    VSTOR_OP_QUERY_PROPERTIES = 10,
    VSTOR_OP_ENUMERATE_BUS = 11,
    VSTOR_OP_FCHBA_DATA = 12,
    VSTOR_OP_CREATE_SUB_CHANNELS = 13,
};

#define VSTOR_VERSION(major, minor) (((major) << 8) | (minor))
#define VSTOR_VERSION_WIN8      VSTOR_VERSION(5, 1)
#define VSTOR_VERSION_WIN8_1    VSTOR_VERSION(6, 0)
#define VSTOR_VERSION_WIN10     VSTOR_VERSION(6, 2)

/* NT status codes in the packet's status field */
#define NT_STATUS_SUCCESS               0x00000000
#define NT_STATUS_UNSUCCESSFUL          0xc0000001
#define NT_STATUS_INVALID_PARAMETER     0xc000000d
#define NT_STATUS_REVISION_MISMATCH     0xc0000059
#define NT_STATUS_INVALID_DEVICE_STATE  0xc0000184

/* SRB status */
#define SRB_STATUS_SUCCESS          0x01
#define SRB_STATUS_ABORTED          0x02
#define SRB_STATUS_ERROR            0x04
#define SRB_STATUS_INVALID_REQUEST  0x06
#define SRB_STATUS_INVALID_LUN      0x20
#define SRB_STATUS_AUTOSENSE_VALID  0x80

/* the SRB's data_in */
enum {
    SRB_DATA_WRITE = 0,
    SRB_DATA_READ = 1,
    SRB_DATA_NONE = 2,
};

#define STORAGE_CHANNEL_SUPPORTS_MULTI_CHANNEL 0x1
#define STORAGE_CHANNEL_EMULATED_IDE           0x2

#define HV_SCSI_CDB_MAX     16
#define HV_SCSI_SENSE_MAX   20

/* The SCSI request block with the Windows 8 extension (52 bytes) */
typedef struct QEMU_PACKED HvScsiSrb {
    uint16_t length;
    uint8_t srb_status;
    uint8_t scsi_status;
    uint8_t port;
    uint8_t path_id;
    uint8_t target_id;
    uint8_t lun;
    uint8_t cdb_length;
    uint8_t sense_info_length;
    uint8_t data_in;
    uint8_t reserved;
    uint32_t data_transfer_length;
    union {
        uint8_t cdb[HV_SCSI_CDB_MAX];
        uint8_t sense[HV_SCSI_SENSE_MAX];
    };
    uint16_t reserve;
    uint8_t queue_tag;
    uint8_t queue_action;
    uint32_t srb_flags;
    uint32_t time_out_value;
    uint32_t queue_sort_key;
} HvScsiSrb;

typedef struct QEMU_PACKED HvScsiProperties {
    uint32_t reserved;
    uint16_t max_channel_count;
    uint16_t reserved1;
    uint32_t flags;
    uint32_t max_transfer_bytes;
    uint64_t reserved2;
} HvScsiProperties;

typedef struct QEMU_PACKED HvScsiVersion {
    uint16_t major_minor;
    uint16_t revision;
} HvScsiVersion;

#define HV_SCSI_HDR_LEN 12

typedef struct QEMU_PACKED HvScsiPacket {
    uint32_t operation;
    uint32_t flags;
    uint32_t status;
    union {
        HvScsiSrb srb;
        HvScsiProperties props;
        HvScsiVersion version;
        uint16_t sub_channel_count;
        uint8_t payload[0x34];
    };
} HvScsiPacket;

QEMU_BUILD_BUG_ON(sizeof(HvScsiSrb) != 0x34);
QEMU_BUILD_BUG_ON(sizeof(HvScsiPacket) != HV_SCSI_HDR_LEN + 0x34);

typedef enum HvScsiState {
    HV_SCSI_CLOSED,
    HV_SCSI_INITIALIZING,
    HV_SCSI_READY,
} HvScsiState;

static const char *const hv_scsi_state_names[] = {
    [HV_SCSI_CLOSED] = "closed",
    [HV_SCSI_INITIALIZING] = "initializing",
    [HV_SCSI_READY] = "ready",
};

typedef struct HvScsiReq HvScsiReq;

typedef struct HvScsiChan {
    /* requests at the SCSI layer */
    QTAILQ_HEAD(, HvScsiReq) inflight;
    /* answers waiting for room in the host-to-guest ring */
    QTAILQ_HEAD(, HvScsiReq) unsent;
    /* in hv_scsi_chan_notify: do not re-enter */
    bool busy;
    /* stopped reading the guest's ring until the answers are out */
    bool stalled;
    uint64_t srbs;
} HvScsiChan;

struct HvScsi {
    VMBusDevice parent;

    SCSIBus bus;
    uint16_t channels;
    uint32_t max_transfer;
    /* hv-ide: the IDE class, on its primary channel alone */
    bool ide;

    HvScsiState state;
    uint16_t version;
    uint16_t subchannels;
    uint32_t next_tag;
    /* an unsolicited ENUMERATE_BUS/REMOVE_DEVICE found the ring full */
    uint32_t bus_change;
    uint64_t bad;
    uint64_t injected;
    uint64_t resets;
    uint64_t aborted;
    /* inject=transfer-length: the next successful SRB answer lies */
    bool lie_transfer;
    HvScsiChan *chans;
};

struct HvScsiReq {
    VMBusChanReq vmreq;         /* first: allocated by vmbus_channel_recv_peek */
    HvScsi *s;
    HvScsiChan *hc;
    SCSIRequest *sreq;
    QEMUSGList qsgl;
    bool has_qsgl;
    /* its channel closed: the answer goes nowhere */
    bool orphan;
    HvScsiPacket pkt;           /* the guest's packet, then the answer */
    QTAILQ_ENTRY(HvScsiReq) link;
};

static void hv_scsi_chan_notify(VMBusChannel *chan);

static VMBusChannel *hv_scsi_channel(HvScsi *s, HvScsiChan *hc)
{
    return vmbus_device_channel(VMBUS_DEVICE(s), hc - s->chans);
}

static void hv_scsi_req_free(HvScsiReq *req)
{
    if (req->has_qsgl) {
        qemu_sglist_destroy(&req->qsgl);
    }
    vmbus_free_req(req);
}

static void G_GNUC_PRINTF(2, 3) hv_scsi_bad(HvScsi *s, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    s->bad++;
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s\n",
                  object_get_canonical_path_component(OBJECT(s)) ?: TYPE_HV_SCSI,
                  msg);
}

/* Send what answers fit into the channel's ring, oldest first. */
static void hv_scsi_flush(HvScsi *s, HvScsiChan *hc)
{
    VMBusChannel *chan = hv_scsi_channel(s, hc);
    HvScsiReq *req;

    while ((req = QTAILQ_FIRST(&hc->unsent))) {
        if (vmbus_channel_is_open(chan)) {
            if (vmbus_channel_reserve(chan, 0, sizeof(req->pkt)) < 0) {
                return;
            }
            vmbus_channel_send_completion(&req->vmreq, &req->pkt,
                                          sizeof(req->pkt));
        }
        QTAILQ_REMOVE(&hc->unsent, req, link);
        hv_scsi_req_free(req);
    }
    if (hc->stalled && !hc->busy && vmbus_channel_is_open(chan)) {
        hv_scsi_chan_notify(chan);
    }
}

/* Complete the guest's packet with the answer in req->pkt. */
static void hv_scsi_answer(HvScsiReq *req, uint32_t status)
{
    HvScsi *s = req->s;
    HvScsiChan *hc = req->hc;

    req->pkt.operation = VSTOR_OP_COMPLETE_IO;
    req->pkt.flags = 0;
    req->pkt.status = status;
    if (!req->vmreq.need_comp || req->orphan) {
        hv_scsi_req_free(req);
        return;
    }
    QTAILQ_INSERT_TAIL(&hc->unsent, req, link);
    hv_scsi_flush(s, hc);
}

static void hv_scsi_srb_answer(HvScsiReq *req, uint8_t srb_status,
                               uint32_t transferred)
{
    HvScsiSrb *srb = &req->pkt.srb;

    srb->srb_status = srb_status;
    srb->data_transfer_length = transferred;
    if (srb_status != SRB_STATUS_SUCCESS) {
        srb->data_transfer_length = 0;
    } else if (req->s->lie_transfer && !req->orphan) {
        req->s->lie_transfer = false;
        srb->data_transfer_length = UINT32_MAX;
    }
    hv_scsi_answer(req, srb_status == SRB_STATUS_SUCCESS ?
                   NT_STATUS_SUCCESS : NT_STATUS_UNSUCCESSFUL);
}

/* An SRB refused before it reached the SCSI layer. */
static void hv_scsi_srb_refuse(HvScsiReq *req, uint8_t srb_status)
{
    req->pkt.srb.scsi_status = GOOD;
    req->pkt.srb.sense_info_length = 0;
    hv_scsi_srb_answer(req, srb_status, 0);
}

/* The SCSI layer is done with the request: detach it. */
static void hv_scsi_srb_release(HvScsiReq *req)
{
    SCSIRequest *sreq = req->sreq;

    if (!req->orphan) {
        QTAILQ_REMOVE(&req->hc->inflight, req, link);
    }
    req->sreq = NULL;
    sreq->hba_private = NULL;
    scsi_req_unref(sreq);
}

static void hv_scsi_command_complete(SCSIRequest *sreq, size_t resid)
{
    HvScsiReq *req = sreq->hba_private;
    HvScsiSrb *srb = &req->pkt.srb;
    uint32_t transferred = 0;
    uint8_t srb_status = SRB_STATUS_SUCCESS;

    if (sreq->cmd.mode != SCSI_XFER_NONE) {
        transferred = sreq->cmd.xfer - MIN(resid, sreq->cmd.xfer);
    }
    srb->scsi_status = sreq->status;
    srb->sense_info_length = 0;
    if (sreq->status != GOOD) {
        srb_status = SRB_STATUS_ERROR;
        if (sreq->status == CHECK_CONDITION) {
            uint8_t sense[SCSI_SENSE_BUF_SIZE];
            int len = scsi_req_get_sense(sreq, sense, sizeof(sense));

            len = MIN(len, HV_SCSI_SENSE_MAX);
            memset(srb->sense, 0, sizeof(srb->sense));
            if (len > 0) {
                memcpy(srb->sense, sense, len);
                srb->sense_info_length = len;
                srb_status |= SRB_STATUS_AUTOSENSE_VALID;
            }
        }
    }
    hv_scsi_srb_release(req);
    hv_scsi_srb_answer(req, srb_status, transferred);
}

static void hv_scsi_command_failed(SCSIRequest *sreq)
{
    HvScsiReq *req = sreq->hba_private;
    uint8_t srb_status = sreq->host_status == SCSI_HOST_NO_LUN ?
        SRB_STATUS_INVALID_LUN : SRB_STATUS_ERROR;

    hv_scsi_srb_release(req);
    hv_scsi_srb_refuse(req, srb_status);
}

static void hv_scsi_request_cancelled(SCSIRequest *sreq)
{
    HvScsiReq *req = sreq->hba_private;

    if (!req) {
        return;
    }
    req->s->aborted++;
    hv_scsi_srb_release(req);
    hv_scsi_srb_refuse(req, SRB_STATUS_ABORTED);
}

static QEMUSGList *hv_scsi_get_sg_list(SCSIRequest *sreq)
{
    HvScsiReq *req = sreq->hba_private;

    return &req->qsgl;
}

static const struct SCSIBusInfo hv_scsi_info = {
    .tcq = true,
    .max_channel = 0,
    .max_target = 1,
    .max_lun = 254,
    .get_sg_list = hv_scsi_get_sg_list,
    .complete = hv_scsi_command_complete,
    .fail = hv_scsi_command_failed,
    .cancel = hv_scsi_request_cancelled,
};

/*
 * The part of the guest's page list the command moves: @len bytes, every
 * page of them guest RAM.
 */
static bool hv_scsi_build_sgl(HvScsiReq *req, bool to_guest, uint32_t len)
{
    QEMUSGList *src = &req->vmreq.sgl;
    AddressSpace *as = src->as ?: VMBUS_DEVICE(req->s)->dma_as;
    int i;

    qemu_sglist_init(&req->qsgl, DEVICE(req->s), src->nsg, as);
    req->has_qsgl = true;
    for (i = 0; i < src->nsg && len; i++) {
        dma_addr_t l = MIN(src->sg[i].len, len);

        if (!address_space_access_valid(as, src->sg[i].base, l, to_guest,
                                        MEMTXATTRS_UNSPECIFIED)) {
            hv_scsi_bad(req->s, "SRB page at 0x%" PRIx64 " is not guest RAM",
                        (uint64_t)src->sg[i].base);
            return false;
        }
        qemu_sglist_add(&req->qsgl, src->sg[i].base, l);
        len -= l;
    }
    return !len;
}

/*
 * An SRB for a target with no device.  storvsc turns any INQUIRY failure
 * into success (with whatever the buffer held), so INQUIRY must answer
 * "no device here" (peripheral qualifier 3) for the guest's scan to pass
 * over the target; REPORT LUNS lists none; anything else is INVALID_LUN,
 * which the guest takes as the LUN gone.
 */
static void hv_scsi_no_target(HvScsi *s, HvScsiReq *req,
                              enum SCSIXferMode mode, uint32_t len)
{
    HvScsiSrb *srb = &req->pkt.srb;
    uint8_t buf[36] = {};
    uint32_t n, alloc;
    dma_addr_t resid = 0;

    switch (srb->cdb[0]) {
    case INQUIRY:
        buf[0] = 0x7f;
        if (srb->cdb[1] & 1) {
            buf[1] = srb->cdb[2];
            n = 4;
        } else {
            buf[2] = 5;
            buf[3] = 2;
            buf[4] = sizeof(buf) - 5;
            memset(&buf[8], ' ', 28);
            n = sizeof(buf);
        }
        alloc = lduw_be_p(&srb->cdb[3]);
        break;
    case REPORT_LUNS:
        n = 8;
        alloc = ldl_be_p(&srb->cdb[6]);
        break;
    default:
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_LUN);
        return;
    }
    if (mode != SCSI_XFER_FROM_DEV) {
        hv_scsi_bad(s, "SRB 0x%02x without data in", srb->cdb[0]);
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    n = MIN(n, MIN(alloc, len));
    if (!hv_scsi_build_sgl(req, true, n)) {
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    dma_buf_read(buf, n, &resid, &req->qsgl, MEMTXATTRS_UNSPECIFIED);
    srb->scsi_status = GOOD;
    srb->sense_info_length = 0;
    hv_scsi_srb_answer(req, SRB_STATUS_SUCCESS, n);
}

static void hv_scsi_execute_srb(HvScsi *s, HvScsiReq *req)
{
    HvScsiSrb *srb = &req->pkt.srb;
    uint32_t len = srb->data_transfer_length;
    enum SCSIXferMode mode;
    SCSIRequest *sreq;
    SCSIDevice *d;

    req->hc->srbs++;
    if (req->vmreq.msglen < sizeof(HvScsiPacket)) {
        hv_scsi_bad(s, "EXECUTE_SRB of %u bytes, %zu expected",
                    req->vmreq.msglen, sizeof(HvScsiPacket));
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    if (srb->cdb_length == 0 || srb->cdb_length > HV_SCSI_CDB_MAX) {
        hv_scsi_bad(s, "SRB with a CDB of %u bytes", srb->cdb_length);
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    switch (srb->data_in) {
    case SRB_DATA_WRITE:
        mode = SCSI_XFER_TO_DEV;
        break;
    case SRB_DATA_READ:
        mode = SCSI_XFER_FROM_DEV;
        break;
    case SRB_DATA_NONE:
        mode = SCSI_XFER_NONE;
        break;
    default:
        hv_scsi_bad(s, "SRB with direction %u", srb->data_in);
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    if (len && mode == SCSI_XFER_NONE) {
        hv_scsi_bad(s, "SRB of %u bytes with no direction", len);
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    if (len > s->max_transfer) {
        hv_scsi_bad(s, "SRB of %u bytes, the maximum is %u", len,
                    s->max_transfer);
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    if (len && (req->vmreq.pkt_type != VMBUS_PACKET_DATA_USING_GPA_DIRECT ||
                req->vmreq.sgl.size < len)) {
        hv_scsi_bad(s, "SRB of %u bytes with a page list of %" PRIu64
                    " (packet type %u)", len,
                    (uint64_t)req->vmreq.sgl.size, req->vmreq.pkt_type);
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }

    d = scsi_device_get(&s->bus, srb->path_id, srb->target_id, srb->lun);
    if (!d) {
        hv_scsi_no_target(s, req, mode, len);
        return;
    }
    sreq = scsi_req_new(d, s->next_tag++, srb->lun, srb->cdb,
                        srb->cdb_length, req);
    object_unref(OBJECT(d));

    if (sreq->cmd.mode != SCSI_XFER_NONE &&
        (sreq->cmd.mode != mode || sreq->cmd.xfer > len)) {
        hv_scsi_bad(s, "SRB 0x%02x: %u bytes %s, the command moves %zu %s",
                    srb->cdb[0], len,
                    mode == SCSI_XFER_TO_DEV ? "out" : "in", sreq->cmd.xfer,
                    sreq->cmd.mode == SCSI_XFER_TO_DEV ? "out" : "in");
        sreq->hba_private = NULL;
        scsi_req_unref(sreq);
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    if (sreq->cmd.mode != SCSI_XFER_NONE &&
        !hv_scsi_build_sgl(req, mode == SCSI_XFER_FROM_DEV, sreq->cmd.xfer)) {
        sreq->hba_private = NULL;
        scsi_req_unref(sreq);
        hv_scsi_srb_refuse(req, SRB_STATUS_INVALID_REQUEST);
        return;
    }

    req->sreq = sreq;
    QTAILQ_INSERT_TAIL(&req->hc->inflight, req, link);
    scsi_req_ref(sreq);
    if (scsi_req_enqueue(sreq)) {
        scsi_req_continue(sreq);
    }
    scsi_req_unref(sreq);
}

/* Cancel the requests in flight on every channel (of @d only, if given). */
static void hv_scsi_cancel_all(HvScsi *s, SCSIDevice *d)
{
    uint16_t i;

    for (i = 0; i < VMBUS_DEVICE(s)->num_channels; i++) {
        HvScsiChan *hc = &s->chans[i];
        HvScsiReq *req, *next;

        /* a cancel completes others too: start over after each */
    again:
        QTAILQ_FOREACH_SAFE(req, &hc->inflight, link, next) {
            if ((d && req->sreq->dev != d) || req->sreq->io_canceled ||
                !req->sreq->enqueued) {
                continue;
            }
            scsi_req_cancel(req->sreq);
            goto again;
        }
    }
}

static void hv_scsi_create_sub_channels(HvScsi *s, HvScsiReq *req)
{
    VMBusDevice *vdev = VMBUS_DEVICE(s);
    uint16_t n = req->pkt.sub_channel_count;
    uint16_t i;

    if (req->hc != s->chans) {
        hv_scsi_bad(s, "CREATE_SUB_CHANNELS on a sub-channel");
        hv_scsi_answer(req, NT_STATUS_INVALID_DEVICE_STATE);
        return;
    }
    if (s->state != HV_SCSI_READY) {
        hv_scsi_bad(s, "CREATE_SUB_CHANNELS before END_INITIALIZATION");
        hv_scsi_answer(req, NT_STATUS_INVALID_DEVICE_STATE);
        return;
    }
    if (!n || n >= vdev->num_channels) {
        hv_scsi_bad(s, "CREATE_SUB_CHANNELS of %u, %u offered", n,
                    vdev->num_channels - 1);
        hv_scsi_answer(req, NT_STATUS_INVALID_PARAMETER);
        return;
    }
    hv_scsi_answer(req, NT_STATUS_SUCCESS);
    s->subchannels = MAX(s->subchannels, n);
    for (i = 1; i <= n; i++) {
        vmbus_channel_release_offer(vmbus_device_channel(vdev, i));
    }
}

static bool hv_scsi_version_ok(uint16_t v)
{
    return v == VSTOR_VERSION_WIN8 || v == VSTOR_VERSION_WIN8_1 ||
        v == VSTOR_VERSION_WIN10;
}

static void hv_scsi_handle(HvScsi *s, HvScsiReq *req)
{
    uint32_t len = req->vmreq.msglen;
    uint32_t need = HV_SCSI_HDR_LEN;
    uint16_t v;

    memcpy(&req->pkt, req->vmreq.msg, MIN(len, sizeof(req->pkt)));
    if (req->vmreq.pkt_type == VMBUS_PACKET_COMP) {
        /* we ask for no completion of our own packets */
        hv_scsi_bad(s, "unexpected completion packet");
        hv_scsi_req_free(req);
        return;
    }
    if (len < HV_SCSI_HDR_LEN) {
        hv_scsi_bad(s, "packet of %u bytes", len);
        memset(&req->pkt, 0, sizeof(req->pkt));
        hv_scsi_answer(req, NT_STATUS_INVALID_PARAMETER);
        return;
    }
    switch (req->pkt.operation) {
    case VSTOR_OP_QUERY_PROTOCOL_VERSION:
        need += sizeof(HvScsiVersion);
        break;
    case VSTOR_OP_CREATE_SUB_CHANNELS:
        need += sizeof(uint16_t);
        break;
    }
    if (len < need) {
        hv_scsi_bad(s, "operation %u in %u bytes", req->pkt.operation, len);
        hv_scsi_answer(req, NT_STATUS_INVALID_PARAMETER);
        return;
    }
    if (req->pkt.operation != VSTOR_OP_EXECUTE_SRB &&
        req->vmreq.pkt_type != VMBUS_PACKET_DATA_INBAND) {
        hv_scsi_bad(s, "operation %u with a page list", req->pkt.operation);
        hv_scsi_answer(req, NT_STATUS_INVALID_PARAMETER);
        return;
    }
    if (req->pkt.operation != VSTOR_OP_EXECUTE_SRB && req->hc != s->chans) {
        hv_scsi_bad(s, "operation %u on a sub-channel", req->pkt.operation);
        hv_scsi_answer(req, NT_STATUS_INVALID_DEVICE_STATE);
        return;
    }

    switch (req->pkt.operation) {
    case VSTOR_OP_BEGIN_INITIALIZATION:
        s->state = HV_SCSI_INITIALIZING;
        s->version = 0;
        hv_scsi_answer(req, NT_STATUS_SUCCESS);
        break;
    case VSTOR_OP_QUERY_PROTOCOL_VERSION:
        v = req->pkt.version.major_minor;
        if (!hv_scsi_version_ok(v)) {
            hv_scsi_answer(req, NT_STATUS_REVISION_MISMATCH);
            break;
        }
        s->version = v;
        hv_scsi_answer(req, NT_STATUS_SUCCESS);
        break;
    case VSTOR_OP_QUERY_PROPERTIES:
        memset(&req->pkt.props, 0, sizeof(req->pkt.props));
        req->pkt.props.max_channel_count = VMBUS_DEVICE(s)->num_channels - 1;
        if (VMBUS_DEVICE(s)->num_channels > 1) {
            req->pkt.props.flags = STORAGE_CHANNEL_SUPPORTS_MULTI_CHANNEL;
        }
        if (s->ide) {
            req->pkt.props.flags = STORAGE_CHANNEL_EMULATED_IDE;
        }
        req->pkt.props.max_transfer_bytes = s->max_transfer;
        hv_scsi_answer(req, NT_STATUS_SUCCESS);
        break;
    case VSTOR_OP_END_INITIALIZATION:
        if (!s->version) {
            hv_scsi_bad(s, "END_INITIALIZATION with no protocol version");
            hv_scsi_answer(req, NT_STATUS_INVALID_DEVICE_STATE);
            break;
        }
        s->state = HV_SCSI_READY;
        hv_scsi_answer(req, NT_STATUS_SUCCESS);
        break;
    case VSTOR_OP_CREATE_SUB_CHANNELS:
        hv_scsi_create_sub_channels(s, req);
        break;
    case VSTOR_OP_EXECUTE_SRB:
        if (s->state != HV_SCSI_READY) {
            hv_scsi_bad(s, "EXECUTE_SRB before END_INITIALIZATION");
            hv_scsi_srb_refuse(req, SRB_STATUS_ERROR);
            break;
        }
        hv_scsi_execute_srb(s, req);
        break;
    case VSTOR_OP_RESET_LUN: {
        HvScsiSrb *srb = &req->pkt.srb;
        SCSIDevice *d = scsi_device_find(&s->bus, srb->path_id, srb->target_id,
                                         srb->lun);
        s->resets++;
        if (d && d->lun == srb->lun) {
            hv_scsi_cancel_all(s, d);
        }
        hv_scsi_answer(req, NT_STATUS_SUCCESS);
        break;
    }
    case VSTOR_OP_RESET_ADAPTER:
    case VSTOR_OP_RESET_BUS:
        s->resets++;
        hv_scsi_cancel_all(s, NULL);
        hv_scsi_answer(req, NT_STATUS_SUCCESS);
        break;
    default:
        hv_scsi_bad(s, "unknown operation %u", req->pkt.operation);
        hv_scsi_answer(req, NT_STATUS_INVALID_PARAMETER);
        break;
    }
}

/* Tell the guest to rescan the bus; it sends TEST UNIT READY to each LUN. */
static void hv_scsi_bus_changed(HvScsi *s)
{
    VMBusChannel *chan = vmbus_device_channel(VMBUS_DEVICE(s), 0);
    HvScsiPacket pkt = {};

    if (!s->bus_change || s->state != HV_SCSI_READY ||
        !vmbus_channel_is_open(chan)) {
        return;
    }
    if (vmbus_channel_reserve(chan, 0, sizeof(pkt)) < 0) {
        return;
    }
    pkt.operation = s->bus_change;
    s->bus_change = 0;
    vmbus_channel_send(chan, VMBUS_PACKET_DATA_INBAND, NULL, 0,
                       &pkt, sizeof(pkt), false, 0);
}

static void hv_scsi_chan_notify(VMBusChannel *chan)
{
    HvScsi *s = HV_SCSI(vmbus_channel_device(chan));
    HvScsiChan *hc = &s->chans[vmbus_channel_idx(chan)];
    HvScsiReq *req;

    if (hc->busy) {
        return;
    }
    hc->busy = true;
    hv_scsi_flush(s, hc);
    if (hc == s->chans) {
        hv_scsi_bus_changed(s);
    }
    /* answers that do not fit hold back the guest's next requests */
    hc->stalled = !QTAILQ_EMPTY(&hc->unsent);
    if (hc->stalled || vmbus_channel_recv_start(chan)) {
        hc->busy = false;
        return;
    }
    while (!hc->stalled && (req = vmbus_channel_recv_peek(chan, sizeof(*req)))) {
        vmbus_channel_recv_pop(chan);
        req->s = s;
        req->hc = hc;
        hv_scsi_handle(s, req);
        hc->stalled = !QTAILQ_EMPTY(&hc->unsent);
    }
    vmbus_channel_recv_done(chan);
    hc->busy = false;
}

static int hv_scsi_open_channel(VMBusChannel *chan)
{
    HvScsi *s = HV_SCSI(vmbus_channel_device(chan));

    if (!vmbus_channel_idx(chan)) {
        s->state = HV_SCSI_INITIALIZING;
        s->version = 0;
        s->bus_change = 0;
    }
    return 0;
}

static void hv_scsi_close_channel(VMBusChannel *chan)
{
    HvScsi *s = HV_SCSI(vmbus_channel_device(chan));
    HvScsiChan *hc = &s->chans[vmbus_channel_idx(chan)];
    HvScsiReq *req;

    while ((req = QTAILQ_FIRST(&hc->inflight))) {
        QTAILQ_REMOVE(&hc->inflight, req, link);
        req->orphan = true;
        if (req->sreq->enqueued && !req->sreq->io_canceled) {
            scsi_req_cancel(req->sreq);
        }
    }
    while ((req = QTAILQ_FIRST(&hc->unsent))) {
        QTAILQ_REMOVE(&hc->unsent, req, link);
        hv_scsi_req_free(req);
    }
    hc->stalled = false;
    if (!vmbus_channel_idx(chan)) {
        uint16_t i;

        /*
         * Hyper-V withdraws the sub-channels with the primary: the next
         * driver asks for them anew and gets fresh offers.
         */
        for (i = 1; i < VMBUS_DEVICE(s)->num_channels; i++) {
            vmbus_channel_rescind_offer(vmbus_device_channel(VMBUS_DEVICE(s),
                                                             i));
        }
        s->state = HV_SCSI_CLOSED;
        s->version = 0;
        s->subchannels = 0;
    }
}

static uint16_t hv_scsi_num_channels(VMBusDevice *vdev)
{
    HvScsi *s = HV_SCSI(vdev);

    return s->ide ? 1 : s->channels;
}

static void hv_scsi_vmdev_realize(VMBusDevice *vdev, Error **errp)
{
    HvScsi *s = HV_SCSI(vdev);
    uint16_t i;

    if (s->channels > HV_SCSI_MAX_CHANNELS) {
        error_setg(errp, "channels must be 1 to %u", HV_SCSI_MAX_CHANNELS);
        return;
    }
    if (s->max_transfer < 4 * KiB || s->max_transfer > 32 * MiB) {
        error_setg(errp, "max-transfer must be 4 KiB to 32 MiB");
        return;
    }
    if (s->ide) {
        /*
         * The guest takes its disk's path and target from the instance
         * id's first six bytes: this one is path 0, target 0.
         */
        memset(vdev->instanceid.data, 0, 6);
    }
    s->chans = g_new0(HvScsiChan, vdev->num_channels);
    for (i = 0; i < vdev->num_channels; i++) {
        QTAILQ_INIT(&s->chans[i].inflight);
        QTAILQ_INIT(&s->chans[i].unsent);
        /* Hyper-V offers the sub-channels when the guest asks for them */
        if (i) {
            vmbus_channel_hold_offer(vmbus_device_channel(vdev, i));
        }
    }
    scsi_bus_init(&s->bus, sizeof(s->bus), DEVICE(s), &hv_scsi_info);
    qbus_set_hotplug_handler(BUS(&s->bus), OBJECT(s));
}

static void hv_scsi_vmdev_unrealize(VMBusDevice *vdev)
{
    HvScsi *s = HV_SCSI(vdev);

    qbus_set_hotplug_handler(BUS(&s->bus), NULL);
    g_free(s->chans);
    s->chans = NULL;
}

static void hv_scsi_vmdev_reset(VMBusDevice *vdev)
{
    HvScsi *s = HV_SCSI(vdev);

    s->state = HV_SCSI_CLOSED;
    s->version = 0;
    s->subchannels = 0;
    s->bus_change = 0;
}

static void hv_scsi_hotplug(HotplugHandler *hotplug_dev, DeviceState *dev,
                            Error **errp)
{
    HvScsi *s = HV_SCSI(hotplug_dev);

    if (!dev->hotplugged) {
        return;
    }
    s->bus_change = VSTOR_OP_ENUMERATE_BUS;
    hv_scsi_bus_changed(s);
}

static void hv_scsi_hotunplug(HotplugHandler *hotplug_dev, DeviceState *dev,
                              Error **errp)
{
    HvScsi *s = HV_SCSI(hotplug_dev);

    qdev_simple_device_unplug_cb(hotplug_dev, dev, errp);
    s->bus_change = VSTOR_OP_REMOVE_DEVICE;
    hv_scsi_bus_changed(s);
}

/*
 * inject: send the guest a packet a broken or hostile host would, on the
 * primary channel, as storvsc must survive them:
 *   short         8 bytes with transaction id 0xdead0001 (too short)
 *   bad-id        a whole COMPLETE_IO answering no request (id 0x7ffffff0)
 *   id0-complete  COMPLETE_IO with transaction id 0 (unsolicited)
 *   fchba         FCHBA_DATA with transaction id 0 on a SCSI controller
 *   unknown-op    operation 0x42 with transaction id 0
 *   enumerate     a valid ENUMERATE_BUS (the guest rescans)
 *   transfer-length  the next successful SRB answer claims 2^32-1 bytes
 */
static void hv_scsi_set_inject(Object *obj, const char *value, Error **errp)
{
    HvScsi *s = HV_SCSI(obj);
    VMBusChannel *chan = vmbus_device_channel(VMBUS_DEVICE(s), 0);
    HvScsiPacket pkt = {};
    uint32_t len = sizeof(pkt);
    uint64_t id = 0;
    int ret;

    if (s->state != HV_SCSI_READY || !vmbus_channel_is_open(chan)) {
        error_setg(errp, "inject: the controller is %s, not ready",
                   hv_scsi_state_names[s->state]);
        return;
    }
    if (!strcmp(value, "transfer-length")) {
        s->lie_transfer = true;
        s->injected++;
        return;
    }
    if (!strcmp(value, "short")) {
        pkt.operation = VSTOR_OP_COMPLETE_IO;
        len = 8;
        id = 0xdead0001;
    } else if (!strcmp(value, "bad-id")) {
        pkt.operation = VSTOR_OP_COMPLETE_IO;
        pkt.srb.srb_status = SRB_STATUS_SUCCESS;
        id = 0x7ffffff0;
    } else if (!strcmp(value, "id0-complete")) {
        pkt.operation = VSTOR_OP_COMPLETE_IO;
        pkt.srb.srb_status = SRB_STATUS_SUCCESS;
    } else if (!strcmp(value, "fchba")) {
        pkt.operation = VSTOR_OP_FCHBA_DATA;
    } else if (!strcmp(value, "unknown-op")) {
        pkt.operation = 0x42;
    } else if (!strcmp(value, "enumerate")) {
        pkt.operation = VSTOR_OP_ENUMERATE_BUS;
    } else {
        error_setg(errp, "inject: unknown malformation '%s' (short, bad-id, "
                   "id0-complete, fchba, unknown-op, enumerate, "
                   "transfer-length)", value);
        return;
    }
    ret = vmbus_channel_reserve(chan, 0, len);
    if (ret < 0) {
        error_setg(errp, "inject: cannot send: %s", strerror(-ret));
        return;
    }
    vmbus_channel_send(chan, id ? VMBUS_PACKET_COMP : VMBUS_PACKET_DATA_INBAND,
                       NULL, 0, &pkt, len, false, id);
    s->injected++;
}

static char *hv_scsi_get_state(Object *obj, Error **errp)
{
    return g_strdup(hv_scsi_state_names[HV_SCSI(obj)->state]);
}

static char *hv_scsi_get_version(Object *obj, Error **errp)
{
    HvScsi *s = HV_SCSI(obj);

    if (!s->version) {
        return g_strdup("");
    }
    return g_strdup_printf("%u.%u", s->version >> 8, s->version & 0xff);
}

/* SRBs received on each channel, "primary,sub1,sub2,..." */
static char *hv_scsi_get_srbs(Object *obj, Error **errp)
{
    HvScsi *s = HV_SCSI(obj);
    GString *str = g_string_new("");
    uint16_t i;

    for (i = 0; s->chans && i < VMBUS_DEVICE(s)->num_channels; i++) {
        g_string_append_printf(str, "%s%" PRIu64, i ? "," : "",
                               s->chans[i].srbs);
    }
    return g_string_free(str, false);
}

/* Channels the guest has open, the primary among them */
static void hv_scsi_get_open(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    VMBusDevice *vdev = VMBUS_DEVICE(obj);
    uint16_t i, n = 0;

    for (i = 0; i < vdev->num_channels; i++) {
        n += vmbus_channel_is_open(vmbus_device_channel(vdev, i));
    }
    visit_type_uint16(v, name, &n, errp);
}

static void hv_scsi_get_u16(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    uint16_t val = *(uint16_t *)opaque;

    visit_type_uint16(v, name, &val, errp);
}

static void hv_scsi_get_u64(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    uint64_t val = *(uint64_t *)opaque;

    visit_type_uint64(v, name, &val, errp);
}

static void hv_scsi_instance_init(Object *obj)
{
    HvScsi *s = HV_SCSI(obj);

    object_property_add(obj, "subchannels", "uint16", hv_scsi_get_u16,
                        NULL, NULL, &s->subchannels);
    object_property_add(obj, "open-channels", "uint16", hv_scsi_get_open,
                        NULL, NULL, NULL);
    object_property_add(obj, "messages-bad", "uint64", hv_scsi_get_u64,
                        NULL, NULL, &s->bad);
    object_property_add(obj, "injected", "uint64", hv_scsi_get_u64,
                        NULL, NULL, &s->injected);
    object_property_add(obj, "resets", "uint64", hv_scsi_get_u64,
                        NULL, NULL, &s->resets);
    object_property_add(obj, "aborted", "uint64", hv_scsi_get_u64,
                        NULL, NULL, &s->aborted);
}

static const Property hv_scsi_properties[] = {
    DEFINE_PROP_UINT16("channels", HvScsi, channels, 4),
    DEFINE_PROP_UINT32("max-transfer", HvScsi, max_transfer, 512 * KiB),
};

static const VMStateDescription vmstate_hv_scsi = {
    .name = TYPE_HV_SCSI,
    .unmigratable = 1,
};

static void hv_scsi_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);
    HotplugHandlerClass *hc = HOTPLUG_HANDLER_CLASS(klass);

    device_class_set_props(dc, hv_scsi_properties);
    dc->desc = "Hyper-V synthetic SCSI controller";
    dc->vmsd = &vmstate_hv_scsi;
    set_bit(DEVICE_CATEGORY_STORAGE, dc->categories);

    qemu_uuid_parse(HV_SCSI_GUID, &vdc->classid);
    vdc->vmdev_realize = hv_scsi_vmdev_realize;
    vdc->vmdev_unrealize = hv_scsi_vmdev_unrealize;
    vdc->vmdev_reset = hv_scsi_vmdev_reset;
    vdc->num_channels = hv_scsi_num_channels;
    vdc->open_channel = hv_scsi_open_channel;
    vdc->close_channel = hv_scsi_close_channel;
    vdc->chan_notify_cb = hv_scsi_chan_notify;

    hc->plug = hv_scsi_hotplug;
    hc->unplug = hv_scsi_hotunplug;

    object_class_property_add_str(klass, "state", hv_scsi_get_state, NULL);
    object_class_property_add_str(klass, "protocol-version",
                                  hv_scsi_get_version, NULL);
    object_class_property_add_str(klass, "srbs", hv_scsi_get_srbs, NULL);
    object_class_property_add_str(klass, "inject", NULL, hv_scsi_set_inject);
    object_class_property_set_description(klass, "inject",
        "short, bad-id, id0-complete, fchba, unknown-op, enumerate, "
        "transfer-length");
    object_class_property_set_description(klass, "srbs",
        "SRBs received on each channel, primary first");
}

static const TypeInfo hv_scsi_type_info = {
    .name = TYPE_HV_SCSI,
    .parent = TYPE_VMBUS_DEVICE,
    .instance_size = sizeof(HvScsi),
    .instance_init = hv_scsi_instance_init,
    .class_init = hv_scsi_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_HOTPLUG_HANDLER },
        { }
    },
};

static void hv_ide_instance_init(Object *obj)
{
    HV_SCSI(obj)->ide = true;
}

static void hv_ide_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);

    dc->desc = "Hyper-V accelerated IDE controller (VMSTOR, one channel)";
    qemu_uuid_parse(HV_IDE_GUID, &vdc->classid);
}

static const TypeInfo hv_ide_type_info = {
    .name = TYPE_HV_IDE,
    .parent = TYPE_HV_SCSI,
    .instance_init = hv_ide_instance_init,
    .class_init = hv_ide_class_init,
};

static void hv_scsi_register_types(void)
{
    type_register_static(&hv_scsi_type_info);
    type_register_static(&hv_ide_type_info);
}

type_init(hv_scsi_register_types)
