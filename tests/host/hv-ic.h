/*
 * Hyper-V integration components (ICs): the host side of the framework
 * that the heartbeat, shutdown, timesync, ... services share on VMBus.
 *
 * Every IC message is a VMBus in-band packet: a pipe header, an IC message
 * header, then the message.  The host opens each conversation: once the
 * guest opens the channel, the host offers the framework and service
 * versions it speaks and the guest answers with the pair it picked; after
 * that the host sends service requests, which the guest answers in place
 * (same packet, response flag set, status filled in).
 *
 * Every answer is checked before a service sees it: its size, the response
 * flag, and that it answers a message the host sent (same IC transaction
 * number, same message type, no longer than the request).  One that does
 * not is dropped and counted in messages-bad.
 * Services that hold one request at a time (KVP, VSS, file copy) send it
 * with hv_ic_request(), which also bounds the wait for the answer.
 *
 * Part of openlis's emulated Hyper-V host (tests/host/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_HYPERV_HV_IC_H
#define HW_HYPERV_HV_IC_H

#include "hw/hyperv/vmbus.h"
#include "qom/object.h"
#include "qemu/timer.h"

#define TYPE_HV_IC "hv-ic"
OBJECT_DECLARE_TYPE(HvIc, HvIcClass, HV_IC)

/* Message types */
#define HV_IC_MSG_NEGOTIATE     0
#define HV_IC_MSG_HEARTBEAT     1
#define HV_IC_MSG_KVP           2
#define HV_IC_MSG_SHUTDOWN      3
#define HV_IC_MSG_TIMESYNC      4
#define HV_IC_MSG_VSS           5
#define HV_IC_MSG_FCOPY         7

/* IC message header flags */
#define HV_IC_FLAG_TRANSACTION  0x1
#define HV_IC_FLAG_REQUEST      0x2
#define HV_IC_FLAG_RESPONSE     0x4

/* Status codes a guest answers with */
#define HV_IC_S_OK              0x00000000u
#define HV_IC_E_FAIL            0x80004005u
#define HV_IC_S_CONT            0x80070103u

#define HV_IC_PIPE_MESSAGE      0x4

typedef struct HvIcVersion {
    uint16_t major;
    uint16_t minor;
} QEMU_PACKED HvIcVersion;

typedef struct HvIcPipeHdr {
    uint32_t flags;
    uint32_t msgsize;
} QEMU_PACKED HvIcPipeHdr;

typedef struct HvIcMsgHdr {
    HvIcVersion framework;
    uint16_t type;
    HvIcVersion service;
    uint16_t size;
    uint32_t status;
    uint8_t transaction;
    uint8_t flags;
    uint8_t reserved[2];
} QEMU_PACKED HvIcMsgHdr;

typedef struct HvIcNegotiate {
    uint16_t framework_count;
    uint16_t service_count;
    uint32_t reserved;
    HvIcVersion versions[];
} QEMU_PACKED HvIcNegotiate;

#define HV_IC_HDR_LEN (sizeof(HvIcPipeHdr) + sizeof(HvIcMsgHdr))
/*
 * The guest drivers read heartbeat, shutdown and timesync packets into a
 * 4 KiB buffer; KVP, VSS and file copy raise the limit (max_msg).
 */
#define HV_IC_MAX_MSG 4096

/* Messages sent and not answered yet that an answer may match. */
#define HV_IC_MAX_OUTSTANDING 16

typedef struct HvIcSent {
    uint32_t len;           /* packet bytes, headers included */
    uint16_t type;
    uint8_t transaction;    /* IC header's transaction number */
    bool used;
} HvIcSent;

typedef enum HvIcState {
    HV_IC_CLOSED,           /* channel not open */
    HV_IC_NEGOTIATING,      /* versions offered, no answer yet */
    HV_IC_READY,            /* versions agreed on */
    HV_IC_INCOMPATIBLE,     /* the guest speaks none of the versions */
} HvIcState;

struct HvIcClass {
    VMBusDeviceClass parent_class;

    /*
     * The service's message type and the versions the host offers, newest
     * first (the guest picks the first of its own list it finds here).
     */
    uint16_t msg_type;
    const HvIcVersion *versions;
    unsigned int n_versions;
    /* Largest packet the service sends, headers included; 0: HV_IC_MAX_MSG */
    uint32_t max_msg;

    /* Service-specific realize, after the framework's. */
    void (*realize)(HvIc *ic, Error **errp);
    /* Versions agreed on: the service may start talking. */
    void (*ready)(HvIc *ic);
    /*
     * The guest answered a service message; data is what follows the IC
     * header, len its length.
     */
    void (*answer)(HvIc *ic, const HvIcMsgHdr *hdr, uint8_t *data,
                   uint32_t len);
    /*
     * The request sent with hv_ic_request() will not be answered: why is
     * "timeout", "closed" (channel closed, device reset) or "bad <reason>"
     * (the guest answered it wrongly; the answer was dropped).
     */
    void (*failed)(HvIc *ic, const char *why);
    /* The channel closed or the device reset: stop timers, forget state. */
    void (*stop)(HvIc *ic);
    /*
     * The body of the service's own malformed message called name (a
     * g_malloc'ed buffer, its length in len), NULL for a name it does not
     * know; malformations lists the names, for the error message.
     */
    uint8_t *(*malformed)(HvIc *ic, const char *name, uint32_t *len);
    const char *malformations;
};

struct HvIc {
    VMBusDevice parent_obj;

    HvIcState state;
    HvIcVersion framework;
    HvIcVersion service;
    QEMUBH *open_bh;
    uint8_t next_transaction;
    uint64_t next_request;
    uint64_t sent;
    uint64_t answered;
    uint64_t bad;
    HvIcSent outstanding[HV_IC_MAX_OUTSTANDING];
    unsigned int next_slot;
    /* the one request hv_ic_request() waits for */
    bool awaiting;
    uint8_t awaited;
    QEMUTimer request_timer;
    /* versions offered to the guest, unless overridden with "versions" */
    char *versions_prop;
    HvIcVersion offer[16];
    unsigned int n_offer;
    /* the last malformed message sent (inject) and what came of it */
    uint64_t injected;
    bool inject_pending;
    uint8_t inject_transaction;
    char *inject_result;
};

/*
 * Send a service message (of the service's type) with its body; the IC
 * headers are filled in.  Returns 0, -EAGAIN when the ring is full, or
 * -ENOTCONN before the versions are agreed on.
 */
int hv_ic_send(HvIc *ic, const void *body, uint32_t len);
/*
 * Send a request whose answer the service waits for: then exactly one of
 * answer() or failed() follows, failed(ic, "timeout") after timeout_ms
 * (0: no limit).  One request at a time; returns -EBUSY while one is
 * outstanding, else as hv_ic_send().
 */
int hv_ic_request(HvIc *ic, const void *body, uint32_t len,
                  uint32_t timeout_ms);
bool hv_ic_awaiting(HvIc *ic);
/* Count (messages-bad) and log an answer the service cannot take. */
void hv_ic_bad(HvIc *ic, const char *why);
bool hv_ic_ready(HvIc *ic);
/* "closed", "negotiating", "ready" or "incompatible" */
const char *hv_ic_state_name(HvIc *ic);
/* "3.0" for a version, "" for none */
char *hv_ic_version_str(HvIcVersion v);

#endif
