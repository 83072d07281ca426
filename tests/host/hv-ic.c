/*
 * Hyper-V integration components: the framework shared by the services
 * (version negotiation, message headers, answers).
 *
 * Part of openlis's emulated Hyper-V host (tests/host/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "hv-ic.h"

/* Framework versions the host offers, newest first. */
static const HvIcVersion hv_ic_frameworks[] = {
    { 3, 0 },
    { 1, 0 },
};

char *hv_ic_version_str(HvIcVersion v)
{
    if (!v.major && !v.minor) {
        return g_strdup("");
    }
    return g_strdup_printf("%u.%u", v.major, v.minor);
}

bool hv_ic_ready(HvIc *ic)
{
    return ic->state == HV_IC_READY;
}

static VMBusChannel *hv_ic_channel(HvIc *ic)
{
    return vmbus_device_channel(VMBUS_DEVICE(ic), 0);
}

static uint32_t hv_ic_max_msg(HvIc *ic)
{
    HvIcClass *icc = HV_IC_GET_CLASS(ic);

    return icc->max_msg ? icc->max_msg : HV_IC_MAX_MSG;
}

/* Remember a message sent, for its answer to be matched against. */
static void hv_ic_remember(HvIc *ic, uint16_t type, uint8_t transaction,
                           uint32_t len)
{
    HvIcSent *s = &ic->outstanding[ic->next_slot];

    ic->next_slot = (ic->next_slot + 1) % HV_IC_MAX_OUTSTANDING;
    *s = (HvIcSent) {
        .len = len,
        .type = type,
        .transaction = transaction,
        .used = true,
    };
}

/*
 * The IC header's transaction number names the message answered. The
 * VMBus packet's own transaction id does not: upstream's UIO file copy
 * daemon answers with its "no request" id, and Hyper-V takes that.
 */
static HvIcSent *hv_ic_find_sent(HvIc *ic, uint8_t transaction)
{
    unsigned int i;

    for (i = 0; i < HV_IC_MAX_OUTSTANDING; i++) {
        HvIcSent *s = &ic->outstanding[i];

        if (s->used && s->transaction == transaction) {
            return s;
        }
    }
    return NULL;
}

static void hv_ic_forget(HvIc *ic, uint8_t transaction)
{
    unsigned int i;

    for (i = 0; i < HV_IC_MAX_OUTSTANDING; i++) {
        if (ic->outstanding[i].transaction == transaction) {
            ic->outstanding[i].used = false;
        }
    }
}

/* A whole message, headers filled in for the next transaction number. */
static uint8_t *hv_ic_build(HvIc *ic, uint16_t type, HvIcVersion framework,
                            HvIcVersion service, const void *body,
                            uint32_t len)
{
    uint8_t *buf = g_malloc0(HV_IC_HDR_LEN + len);
    HvIcPipeHdr *pipe = (HvIcPipeHdr *)buf;
    HvIcMsgHdr *hdr = (HvIcMsgHdr *)(buf + sizeof(*pipe));

    pipe->flags = HV_IC_PIPE_MESSAGE;
    pipe->msgsize = sizeof(*hdr) + len;
    hdr->framework = framework;
    hdr->type = type;
    hdr->service = service;
    hdr->size = len;
    hdr->status = HV_IC_S_OK;
    hdr->transaction = ic->next_transaction;
    hdr->flags = HV_IC_FLAG_TRANSACTION | HV_IC_FLAG_REQUEST;
    if (len) {
        memcpy(buf + HV_IC_HDR_LEN, body, len);
    }
    return buf;
}

/*
 * Send total bytes as one in-band packet and remember it under the next
 * transaction number (which buf's IC header carries, if it has one).
 */
static int hv_ic_send_packet(HvIc *ic, uint16_t type, uint8_t *buf,
                             uint32_t total, uint8_t *transaction)
{
    VMBusChannel *chan = hv_ic_channel(ic);
    uint64_t request_id;
    int ret;

    if (!chan || !vmbus_channel_is_open(chan)) {
        return -ENOTCONN;
    }
    if (total > hv_ic_max_msg(ic)) {
        return -EMSGSIZE;
    }
    ret = vmbus_channel_reserve(chan, 0, total);
    if (ret < 0) {
        return -EAGAIN;
    }
    request_id = ic->next_request;
    ret = vmbus_channel_send(chan, VMBUS_PACKET_DATA_INBAND, NULL, 0,
                             buf, total, false, request_id);
    if (ret < 0) {
        return ret;
    }
    hv_ic_remember(ic, type, ic->next_transaction, total);
    if (transaction) {
        *transaction = ic->next_transaction;
    }
    ic->next_transaction++;
    ic->next_request++;
    ic->sent++;
    return 0;
}

static int hv_ic_send_raw(HvIc *ic, uint16_t type, HvIcVersion framework,
                          HvIcVersion service, const void *body, uint32_t len,
                          uint8_t *transaction)
{
    g_autofree uint8_t *buf = NULL;

    if (len > UINT16_MAX) {
        return -EMSGSIZE;
    }
    buf = hv_ic_build(ic, type, framework, service, body, len);
    return hv_ic_send_packet(ic, type, buf, HV_IC_HDR_LEN + len, transaction);
}

int hv_ic_send(HvIc *ic, const void *body, uint32_t len)
{
    HvIcClass *icc = HV_IC_GET_CLASS(ic);

    if (ic->state != HV_IC_READY) {
        return -ENOTCONN;
    }
    return hv_ic_send_raw(ic, icc->msg_type, ic->framework, ic->service,
                          body, len, NULL);
}

bool hv_ic_awaiting(HvIc *ic)
{
    return ic->awaiting;
}

int hv_ic_request(HvIc *ic, const void *body, uint32_t len,
                  uint32_t timeout_ms)
{
    HvIcClass *icc = HV_IC_GET_CLASS(ic);
    int ret;

    if (ic->state != HV_IC_READY) {
        return -ENOTCONN;
    }
    if (ic->awaiting) {
        return -EBUSY;
    }
    ret = hv_ic_send_raw(ic, icc->msg_type, ic->framework, ic->service,
                         body, len, &ic->awaited);
    if (ret < 0) {
        return ret;
    }
    ic->awaiting = true;
    if (timeout_ms) {
        timer_mod(&ic->request_timer,
                  qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + timeout_ms);
    }
    return 0;
}

/* The awaited request ends without an answer the service may use. */
static void hv_ic_request_failed(HvIc *ic, const char *why)
{
    HvIcClass *icc = HV_IC_GET_CLASS(ic);

    if (!ic->awaiting) {
        return;
    }
    ic->awaiting = false;
    timer_del(&ic->request_timer);
    /* An answer that comes after all is stale: let it count as bad. */
    hv_ic_forget(ic, ic->awaited);
    if (icc->failed) {
        icc->failed(ic, why);
    }
}

static void hv_ic_request_timeout(void *opaque)
{
    hv_ic_request_failed(opaque, "timeout");
}

static void hv_ic_offer_versions(void *opaque)
{
    HvIc *ic = opaque;
    size_t nfw = ARRAY_SIZE(hv_ic_frameworks);
    size_t len = sizeof(HvIcNegotiate) +
                 (nfw + ic->n_offer) * sizeof(HvIcVersion);
    g_autofree HvIcNegotiate *neg = g_malloc0(len);
    int ret;

    if (ic->state != HV_IC_NEGOTIATING) {
        return;
    }
    neg->framework_count = nfw;
    neg->service_count = ic->n_offer;
    memcpy(neg->versions, hv_ic_frameworks, sizeof(hv_ic_frameworks));
    memcpy(neg->versions + nfw, ic->offer,
           ic->n_offer * sizeof(HvIcVersion));
    ret = hv_ic_send_raw(ic, HV_IC_MSG_NEGOTIATE, hv_ic_frameworks[0],
                         ic->offer[0], neg, len, NULL);
    if (ret < 0) {
        warn_report("%s: cannot offer versions: %s",
                    object_get_typename(OBJECT(ic)), strerror(-ret));
    }
}

static bool hv_ic_offered(const HvIcVersion *list, unsigned int n,
                          HvIcVersion v)
{
    unsigned int i;

    for (i = 0; i < n; i++) {
        if (list[i].major == v.major && list[i].minor == v.minor) {
            return true;
        }
    }
    return false;
}

static void hv_ic_negotiated(HvIc *ic, const HvIcMsgHdr *hdr, uint8_t *data,
                             uint32_t len)
{
    HvIcClass *icc = HV_IC_GET_CLASS(ic);
    HvIcNegotiate *neg = (HvIcNegotiate *)data;

    if (ic->state != HV_IC_NEGOTIATING) {
        ic->bad++;
        return;
    }
    /*
     * A guest that speaks none of the versions answers with a failure or
     * with no version at all; one that picks a version the host did not
     * offer is as incompatible.
     */
    if (len < sizeof(*neg) + 2 * sizeof(HvIcVersion) ||
        hdr->status != HV_IC_S_OK ||
        neg->framework_count != 1 || neg->service_count != 1 ||
        !hv_ic_offered(hv_ic_frameworks, ARRAY_SIZE(hv_ic_frameworks),
                       neg->versions[0]) ||
        !hv_ic_offered(ic->offer, ic->n_offer, neg->versions[1])) {
        ic->state = HV_IC_INCOMPATIBLE;
        return;
    }
    ic->framework = neg->versions[0];
    ic->service = neg->versions[1];
    ic->state = HV_IC_READY;
    if (icc->ready) {
        icc->ready(ic);
    }
}

void hv_ic_bad(HvIc *ic, const char *why)
{
    qemu_log_mask(LOG_GUEST_ERROR, "%s: bad answer: %s\n",
                  object_get_typename(OBJECT(ic)), why);
    ic->bad++;
}

/* An answer that cannot be taken: count it, and fail the awaited request. */
static void hv_ic_bad_answer(HvIc *ic, const char *why)
{
    g_autofree char *reason = g_strdup_printf("bad %s", why);

    hv_ic_bad(ic, why);
    hv_ic_request_failed(ic, reason);
}

static void hv_ic_handle(HvIc *ic, VMBusChanReq *req)
{
    HvIcClass *icc = HV_IC_GET_CLASS(ic);
    uint8_t *msg = req->msg;
    uint32_t msglen = req->msglen;
    HvIcMsgHdr *hdr = (HvIcMsgHdr *)(msg + sizeof(HvIcPipeHdr));
    uint32_t body_len;
    HvIcSent *sent;

    if (req->pkt_type != VMBUS_PACKET_DATA_INBAND) {
        hv_ic_bad_answer(ic, "packet-type");
        return;
    }
    if (msglen < HV_IC_HDR_LEN) {
        hv_ic_bad_answer(ic, "short");
        return;
    }
    /* Whatever answers a malformed message is what the test wants to see. */
    if (ic->inject_pending && hdr->transaction == ic->inject_transaction) {
        ic->inject_pending = false;
        hv_ic_forget(ic, hdr->transaction);
        g_free(ic->inject_result);
        ic->inject_result = g_strdup_printf("answered 0x%08x", hdr->status);
        return;
    }
    body_len = msglen - HV_IC_HDR_LEN;
    if (!(hdr->flags & HV_IC_FLAG_RESPONSE)) {
        hv_ic_bad_answer(ic, "not-a-response");
        return;
    }
    if (hdr->size > body_len) {
        hv_ic_bad_answer(ic, "size");
        return;
    }
    sent = hv_ic_find_sent(ic, hdr->transaction);
    if (!sent) {
        hv_ic_bad_answer(ic, "transaction");
        return;
    }
    if (hdr->type != sent->type) {
        hv_ic_bad_answer(ic, "type");
        return;
    }
    /* The guest answers in place: never more than the request (padded). */
    if (msglen > ROUND_UP(sent->len, sizeof(uint64_t))) {
        hv_ic_bad_answer(ic, "long");
        return;
    }
    sent->used = false;
    ic->answered++;
    if (hdr->type == HV_IC_MSG_NEGOTIATE) {
        hv_ic_negotiated(ic, hdr, msg + HV_IC_HDR_LEN, body_len);
        return;
    }
    if (hdr->type != icc->msg_type || ic->state != HV_IC_READY) {
        hv_ic_bad_answer(ic, "type");
        return;
    }
    if (ic->awaiting && hdr->transaction == ic->awaited) {
        ic->awaiting = false;
        timer_del(&ic->request_timer);
    }
    if (icc->answer) {
        icc->answer(ic, hdr, msg + HV_IC_HDR_LEN, body_len);
    }
}

static void hv_ic_chan_notify(VMBusChannel *chan)
{
    HvIc *ic = HV_IC(vmbus_channel_device(chan));
    VMBusChanReq *req;

    if (vmbus_channel_recv_start(chan)) {
        return;
    }
    while ((req = vmbus_channel_recv_peek(chan, sizeof(*req)))) {
        hv_ic_handle(ic, req);
        vmbus_free_req(req);
        vmbus_channel_recv_pop(chan);
    }
    vmbus_channel_recv_done(chan);
}

static void hv_ic_stop(HvIc *ic)
{
    HvIcClass *icc = HV_IC_GET_CLASS(ic);

    if (ic->open_bh) {
        qemu_bh_cancel(ic->open_bh);
    }
    hv_ic_request_failed(ic, "closed");
    ic->inject_pending = false;
    memset(ic->outstanding, 0, sizeof(ic->outstanding));
    ic->state = HV_IC_CLOSED;
    ic->framework = (HvIcVersion) { 0, 0 };
    ic->service = (HvIcVersion) { 0, 0 };
    if (icc->stop) {
        icc->stop(ic);
    }
}

static int hv_ic_open_channel(VMBusChannel *chan)
{
    HvIc *ic = HV_IC(vmbus_channel_device(chan));

    hv_ic_stop(ic);
    ic->state = HV_IC_NEGOTIATING;
    /* The channel is usable only once this returns. */
    qemu_bh_schedule(ic->open_bh);
    return 0;
}

static void hv_ic_close_channel(VMBusChannel *chan)
{
    hv_ic_stop(HV_IC(vmbus_channel_device(chan)));
}

static void hv_ic_reset(VMBusDevice *vdev)
{
    hv_ic_stop(HV_IC(vdev));
}

static bool hv_ic_parse_versions(HvIc *ic, const char *str, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(str, ",", 0);
    unsigned int i;

    ic->n_offer = 0;
    for (i = 0; parts[i]; i++) {
        unsigned int major, minor;
        char tail;

        if (ic->n_offer == ARRAY_SIZE(ic->offer)) {
            error_setg(errp, "versions: at most %zu",
                       ARRAY_SIZE(ic->offer));
            return false;
        }
        if (sscanf(parts[i], "%u.%u%c", &major, &minor, &tail) != 2 ||
            major > UINT16_MAX || minor > UINT16_MAX) {
            error_setg(errp, "versions: '%s' is not MAJOR.MINOR", parts[i]);
            return false;
        }
        ic->offer[ic->n_offer++] = (HvIcVersion) { major, minor };
    }
    if (!ic->n_offer) {
        error_setg(errp, "versions: none given");
        return false;
    }
    return true;
}

static void hv_ic_realize(VMBusDevice *vdev, Error **errp)
{
    HvIc *ic = HV_IC(vdev);
    HvIcClass *icc = HV_IC_GET_CLASS(ic);

    if (ic->versions_prop) {
        if (!hv_ic_parse_versions(ic, ic->versions_prop, errp)) {
            return;
        }
    } else {
        ic->n_offer = MIN(icc->n_versions, ARRAY_SIZE(ic->offer));
        memcpy(ic->offer, icc->versions, ic->n_offer * sizeof(HvIcVersion));
    }
    ic->open_bh = qemu_bh_new(hv_ic_offer_versions, ic);
    timer_init_ms(&ic->request_timer, QEMU_CLOCK_VIRTUAL,
                  hv_ic_request_timeout, ic);
    ic->state = HV_IC_CLOSED;
    if (icc->realize) {
        icc->realize(ic, errp);
    }
}

static void hv_ic_unrealize(VMBusDevice *vdev)
{
    HvIc *ic = HV_IC(vdev);

    hv_ic_stop(ic);
    timer_del(&ic->request_timer);
    g_clear_pointer(&ic->open_bh, qemu_bh_delete);
    g_clear_pointer(&ic->inject_result, g_free);
}

const char *hv_ic_state_name(HvIc *ic)
{
    static const char *const names[] = {
        [HV_IC_CLOSED] = "closed",
        [HV_IC_NEGOTIATING] = "negotiating",
        [HV_IC_READY] = "ready",
        [HV_IC_INCOMPATIBLE] = "incompatible",
    };

    return names[ic->state];
}

static char *hv_ic_get_state(Object *obj, Error **errp)
{
    return g_strdup(hv_ic_state_name(HV_IC(obj)));
}

static char *hv_ic_get_framework(Object *obj, Error **errp)
{
    return hv_ic_version_str(HV_IC(obj)->framework);
}

static char *hv_ic_get_service(Object *obj, Error **errp)
{
    return hv_ic_version_str(HV_IC(obj)->service);
}

/*
 * Malformed messages, as a broken or hostile host sends them: the guest
 * must refuse each (drop it, or answer with a failure) and go on serving.
 */
static uint8_t *hv_ic_malformed(HvIc *ic, const char *name, uint32_t *total,
                                Error **errp)
{
    HvIcClass *icc = HV_IC_GET_CLASS(ic);
    static const uint8_t zeros[64];
    uint8_t *buf;
    HvIcMsgHdr *hdr;

    if (!strcmp(name, "short")) {
        /* the pipe header and half an IC header */
        buf = hv_ic_build(ic, icc->msg_type, ic->framework, ic->service,
                          NULL, 0);
        *total = sizeof(HvIcPipeHdr) + sizeof(HvIcMsgHdr) / 2;
        return buf;
    }
    if (!strcmp(name, "size")) {
        /* the IC header claims far more than the packet holds */
        buf = hv_ic_build(ic, icc->msg_type, ic->framework, ic->service,
                          zeros, sizeof(zeros));
        hdr = (HvIcMsgHdr *)(buf + sizeof(HvIcPipeHdr));
        hdr->size = UINT16_MAX;
        *total = HV_IC_HDR_LEN + sizeof(zeros);
        return buf;
    }
    if (!strcmp(name, "type")) {
        buf = hv_ic_build(ic, 0x63, ic->framework, ic->service,
                          zeros, sizeof(zeros));
        *total = HV_IC_HDR_LEN + sizeof(zeros);
        return buf;
    }
    if (!strcmp(name, "truncated")) {
        /* the service's message type with 4 bytes of its body */
        buf = hv_ic_build(ic, icc->msg_type, ic->framework, ic->service,
                          zeros, 4);
        *total = HV_IC_HDR_LEN + 4;
        return buf;
    }
    if (icc->malformed) {
        g_autofree uint8_t *body = NULL;
        uint32_t len = 0;

        body = icc->malformed(ic, name, &len);
        if (body) {
            *total = HV_IC_HDR_LEN + len;
            return hv_ic_build(ic, icc->msg_type, ic->framework, ic->service,
                               body, len);
        }
    }
    error_setg(errp, "inject: unknown malformation '%s' (short, size, type, "
               "truncated%s)", name, icc->malformations ?
               icc->malformations : "");
    return NULL;
}

static void hv_ic_set_inject(Object *obj, const char *value, Error **errp)
{
    HvIc *ic = HV_IC(obj);
    g_autofree uint8_t *buf = NULL;
    uint8_t transaction;
    uint32_t total = 0;
    int ret;

    if (ic->state != HV_IC_READY) {
        error_setg(errp, "inject: the service is %s, not ready",
                   hv_ic_state_name(ic));
        return;
    }
    buf = hv_ic_malformed(ic, value, &total, errp);
    if (!buf) {
        return;
    }
    ret = hv_ic_send_packet(ic, HV_IC_GET_CLASS(ic)->msg_type, buf, total,
                            &transaction);
    if (ret < 0) {
        error_setg(errp, "inject: cannot send: %s", strerror(-ret));
        return;
    }
    ic->inject_transaction = transaction;
    ic->inject_pending = true;
    ic->injected++;
    g_free(ic->inject_result);
    ic->inject_result = g_strdup("pending");
}

static char *hv_ic_get_inject_result(Object *obj, Error **errp)
{
    HvIc *ic = HV_IC(obj);

    return g_strdup(ic->inject_result ? ic->inject_result : "none");
}

static const VMStateDescription vmstate_hv_ic = {
    .name = "hv-ic",
    .unmigratable = 1,
};

static const Property hv_ic_properties[] = {
    DEFINE_PROP_STRING("versions", HvIc, versions_prop),
};

static void hv_ic_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);

    device_class_set_props(dc, hv_ic_properties);
    dc->vmsd = &vmstate_hv_ic;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);

    vdc->vmdev_realize = hv_ic_realize;
    vdc->vmdev_unrealize = hv_ic_unrealize;
    vdc->vmdev_reset = hv_ic_reset;
    vdc->open_channel = hv_ic_open_channel;
    vdc->close_channel = hv_ic_close_channel;
    vdc->chan_notify_cb = hv_ic_chan_notify;

    object_class_property_add_str(klass, "state", hv_ic_get_state, NULL);
    object_class_property_set_description(klass, "state",
        "closed, negotiating, ready or incompatible");
    object_class_property_add_str(klass, "framework-version",
                                  hv_ic_get_framework, NULL);
    object_class_property_add_str(klass, "service-version",
                                  hv_ic_get_service, NULL);
    object_class_property_add_str(klass, "inject", NULL, hv_ic_set_inject);
    object_class_property_set_description(klass, "inject",
        "send a malformed message: short, size, type, truncated, or one of "
        "the service's own");
    object_class_property_add_str(klass, "inject-result",
                                  hv_ic_get_inject_result, NULL);
    object_class_property_set_description(klass, "inject-result",
        "none, pending (no answer yet: the guest dropped it) or "
        "answered 0x<status>");
}

static void hv_ic_instance_init(Object *obj)
{
    HvIc *ic = HV_IC(obj);

    object_property_add_uint64_ptr(obj, "messages-sent", &ic->sent,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "messages-answered", &ic->answered,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "messages-bad", &ic->bad,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "injected", &ic->injected,
                                   OBJ_PROP_FLAG_READ);
}

static const TypeInfo hv_ic_type_info = {
    .name = TYPE_HV_IC,
    .parent = TYPE_VMBUS_DEVICE,
    .abstract = true,
    .instance_size = sizeof(HvIc),
    .instance_init = hv_ic_instance_init,
    .class_size = sizeof(HvIcClass),
    .class_init = hv_ic_class_init,
};

static void hv_ic_register_types(void)
{
    type_register_static(&hv_ic_type_info);
}

type_init(hv_ic_register_types)
