/*
 * Hyper-V guest file copy integration service (Copy-VMFile): the host
 * copies one of its files into the guest.  START_FILE_COPY names the file
 * and the folder (UTF-16) with the copy flags and the size, WRITE_TO_FILE
 * messages carry the data in fragments of up to 6 KiB at their offsets,
 * COMPLETE_FCOPY ends the copy and CANCEL_FCOPY abandons it.  Each message
 * waits for the guest's answer before the next; the host file is read one
 * fragment at a time, so a file of any size streams through.
 *
 *   copy     (write) "<host file> <guest folder> <guest name> [overwrite]
 *            [create-path]": the host file is read from QEMU's file system
 *            (read) the last copy as written
 *   cancel-after  (read/write, bytes; 0, the default: never) once the guest
 *            has taken at least this many bytes, cancel instead of going on
 *   result   none, pending, ok, cancelled, or "failed <why> at <operation>"
 *            where why is 0x<status> (the guest's answer), timeout, closed,
 *            "bad <reason>" (a malformed answer), host-read or "send <error>",
 *            and operation is start, write, complete or cancel.  A failed
 *            write is followed by a cancel, as Hyper-V does, before the
 *            result is final.
 *   file-size, bytes-sent, bytes-acked, writes  the copy in progress or last
 *   sha256   SHA-256 (hex) of the data sent so far, to compare with the
 *            guest's copy
 *   timeout  (property, s, default 60) how long the host waits for an answer
 *   fragment (property, bytes, 1 to 6144, default 6144) data per write
 *
 * Part of openlis's emulated Hyper-V host (tests/host/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hv-ic.h"

#define TYPE_HV_FCOPY "hv-fcopy"
OBJECT_DECLARE_SIMPLE_TYPE(HvFcopy, HV_FCOPY)

#define HV_FCOPY_GUID "34d14be3-dee4-41c8-9ae7-6b174977c192"
/*
 * Hyper-V offers file copy at this fixed instance, and upstream's UIO daemon
 * finds its device by it.
 */
#define HV_FCOPY_INSTANCE "eb765408-105f-49b6-b4aa-c123b64d17d4"

typedef enum HvFcopyOp {
    HV_FCOPY_START = 0,
    HV_FCOPY_WRITE = 1,
    HV_FCOPY_COMPLETE = 2,
    HV_FCOPY_CANCEL = 3,
} HvFcopyOp;

#define HV_FCOPY_OVERWRITE      0x1
#define HV_FCOPY_CREATE_PATH    0x2

/* Paths in UTF-16 units, NUL included (Windows' MAX_PATH). */
#define HV_FCOPY_PATH_UNITS     260
#define HV_FCOPY_FRAGMENT       (6 * 1024)

typedef struct HvFcopyHdr {
    uint32_t operation;
    uint8_t service_id0[16];
    uint8_t service_id1[16];
} QEMU_PACKED HvFcopyHdr;

typedef struct HvFcopyStart {
    HvFcopyHdr hdr;
    uint8_t file_name[HV_FCOPY_PATH_UNITS * 2];
    uint8_t path_name[HV_FCOPY_PATH_UNITS * 2];
    uint32_t copy_flags;
    uint64_t file_size;
} QEMU_PACKED HvFcopyStart;

typedef struct HvFcopyData {
    HvFcopyHdr hdr;
    uint32_t pad;
    uint64_t offset;
    uint32_t size;
    uint8_t data[HV_FCOPY_FRAGMENT];
} QEMU_PACKED HvFcopyData;

QEMU_BUILD_BUG_ON(sizeof(HvFcopyHdr) != 36);
QEMU_BUILD_BUG_ON(sizeof(HvFcopyStart) != 1088);
QEMU_BUILD_BUG_ON(sizeof(HvFcopyData) != 6196);

typedef enum HvFcopyState {
    HV_FCOPY_NONE,
    HV_FCOPY_PENDING,
    HV_FCOPY_DONE,
} HvFcopyState;

struct HvFcopy {
    HvIc parent_obj;

    uint32_t timeout_s;
    uint32_t fragment;
    QEMUBH *next_bh;

    char *last_copy;
    HvFcopyState state;
    char *result;
    /* the operation on the wire, or the next one to send */
    HvFcopyOp op;
    /* a write failed: the result once the cancel that follows is answered */
    char *failure;

    int fd;
    uint64_t file_size;
    uint64_t offset;
    uint32_t last_size;
    uint64_t cancel_after;
    uint64_t bytes_sent;
    uint64_t bytes_acked;
    uint64_t writes;
    GChecksum *sum;
};

static const char *const hv_fcopy_op_names[] = {
    [HV_FCOPY_START] = "start",
    [HV_FCOPY_WRITE] = "write",
    [HV_FCOPY_COMPLETE] = "complete",
    [HV_FCOPY_CANCEL] = "cancel",
};

/* UTF-8 to a NUL-terminated UTF-16LE path field; false if it cannot be. */
static bool hv_fcopy_put_path(uint8_t *field, const char *text)
{
    g_autofree gunichar2 *u = NULL;
    glong n, i;

    u = g_utf8_to_utf16(text, -1, NULL, &n, NULL);
    if (!u || n + 1 > HV_FCOPY_PATH_UNITS) {
        return false;
    }
    for (i = 0; i <= n; i++) {
        stw_le_p(field + 2 * i, u[i]);
    }
    return true;
}

static void hv_fcopy_close(HvFcopy *fc)
{
    if (fc->fd >= 0) {
        close(fc->fd);
        fc->fd = -1;
    }
}

static void hv_fcopy_finish(HvFcopy *fc, char *result)
{
    hv_fcopy_close(fc);
    g_free(fc->result);
    fc->result = result;
    g_clear_pointer(&fc->failure, g_free);
    fc->state = HV_FCOPY_DONE;
}

static char *hv_fcopy_failure(HvFcopy *fc, const char *why)
{
    return g_strdup_printf("failed %s at %s", why,
                           hv_fcopy_op_names[fc->op]);
}

/* Something went wrong mid-copy: cancel, then report why. */
static void hv_fcopy_abort(HvFcopy *fc, const char *why)
{
    g_free(fc->failure);
    fc->failure = hv_fcopy_failure(fc, why);
    fc->op = HV_FCOPY_CANCEL;
    qemu_bh_schedule(fc->next_bh);
}

static int hv_fcopy_send_op(HvFcopy *fc)
{
    HvIc *ic = HV_IC(fc);
    uint32_t timeout_ms = fc->timeout_s * 1000;
    g_autofree HvFcopyData *d = NULL;
    HvFcopyHdr hdr = { .operation = fc->op };
    uint32_t want;
    ssize_t got;
    int ret;

    if (fc->op != HV_FCOPY_WRITE) {
        return hv_ic_request(ic, &hdr, sizeof(hdr), timeout_ms);
    }
    want = MIN(fc->fragment, fc->file_size - fc->offset);
    d = g_new0(HvFcopyData, 1);
    d->hdr = hdr;
    d->offset = fc->offset;
    d->size = want;
    got = pread(fc->fd, d->data, want, fc->offset);
    if (got != want) {
        return -ENODATA;
    }
    fc->last_size = want;
    ret = hv_ic_request(ic, d, sizeof(*d), timeout_ms);
    if (ret == 0) {
        fc->bytes_sent += want;
        fc->writes++;
        g_checksum_update(fc->sum, d->data, want);
    }
    return ret;
}

/* The next message, sent outside the channel's receive path. */
static void hv_fcopy_next(void *opaque)
{
    HvFcopy *fc = opaque;
    int ret;

    if (fc->state != HV_FCOPY_PENDING) {
        return;
    }
    ret = hv_fcopy_send_op(fc);
    if (ret == -ENODATA) {
        /* The host file shrank or went unreadable under the copy. */
        hv_fcopy_abort(fc, "host-read");
        return;
    }
    if (ret < 0) {
        g_autofree char *why = g_strdup_printf("send %s", strerror(-ret));

        hv_fcopy_finish(fc, hv_fcopy_failure(fc, why));
    }
}

static bool hv_fcopy_parse(HvFcopy *fc, const char *value, HvFcopyStart *s,
                           Error **errp)
{
    g_auto(GStrv) w = g_strsplit(value, " ", 0);
    guint n = g_strv_length(w), i;
    struct stat st;
    int fd;

    if (n < 3) {
        error_setg(errp, "usage: <host file> <guest folder> <guest name> "
                   "[overwrite] [create-path]");
        return false;
    }
    for (i = 3; i < n; i++) {
        if (!strcmp(w[i], "overwrite")) {
            s->copy_flags |= HV_FCOPY_OVERWRITE;
        } else if (!strcmp(w[i], "create-path")) {
            s->copy_flags |= HV_FCOPY_CREATE_PATH;
        } else {
            error_setg(errp, "'%s' is neither overwrite nor create-path",
                       w[i]);
            return false;
        }
    }
    if (!hv_fcopy_put_path(s->path_name, w[1]) ||
        !hv_fcopy_put_path(s->file_name, w[2])) {
        error_setg(errp, "the guest folder and name must be UTF-8 of at "
                   "most %d UTF-16 units", HV_FCOPY_PATH_UNITS - 1);
        return false;
    }
    fd = qemu_open(w[0], O_RDONLY, errp);
    if (fd < 0) {
        return false;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        error_setg(errp, "%s is not a regular file", w[0]);
        close(fd);
        return false;
    }
    s->hdr.operation = HV_FCOPY_START;
    s->file_size = st.st_size;
    fc->fd = fd;
    fc->file_size = st.st_size;
    return true;
}

static void hv_fcopy_set_copy(Object *obj, const char *value, Error **errp)
{
    HvFcopy *fc = HV_FCOPY(obj);
    HvIc *ic = HV_IC(fc);
    g_autofree HvFcopyStart *s = g_new0(HvFcopyStart, 1);
    int ret;

    if (!hv_ic_ready(ic)) {
        error_setg(errp, "the guest has not taken up the file copy service "
                   "(state %s)", hv_ic_state_name(ic));
        return;
    }
    if (fc->state == HV_FCOPY_PENDING || hv_ic_awaiting(ic)) {
        error_setg(errp, "a copy is in progress");
        return;
    }
    if (!hv_fcopy_parse(fc, value, s, errp)) {
        return;
    }
    fc->op = HV_FCOPY_START;
    fc->offset = 0;
    fc->bytes_sent = 0;
    fc->bytes_acked = 0;
    fc->writes = 0;
    g_checksum_reset(fc->sum);
    ret = hv_ic_request(ic, s, sizeof(*s), fc->timeout_s * 1000);
    if (ret < 0) {
        hv_fcopy_close(fc);
        error_setg_errno(errp, -ret, "cannot send the request");
        return;
    }
    g_free(fc->last_copy);
    fc->last_copy = g_strdup(value);
    fc->state = HV_FCOPY_PENDING;
}

static void hv_fcopy_answer(HvIc *ic, const HvIcMsgHdr *hdr, uint8_t *data,
                            uint32_t len)
{
    HvFcopy *fc = HV_FCOPY(ic);
    HvFcopyHdr echo;

    if (fc->state != HV_FCOPY_PENDING) {
        hv_ic_bad(ic, "unasked");
        return;
    }
    if (len < sizeof(echo)) {
        hv_ic_bad(ic, "short");
        hv_fcopy_finish(fc, hv_fcopy_failure(fc, "bad short"));
        return;
    }
    memcpy(&echo, data, sizeof(echo));
    /* The guest answers in place: the operation comes back. */
    if (echo.operation != fc->op) {
        hv_ic_bad(ic, "echo");
        hv_fcopy_finish(fc, hv_fcopy_failure(fc, "bad echo"));
        return;
    }
    if (hdr->status != HV_IC_S_OK) {
        g_autofree char *why = g_strdup_printf("0x%08x", hdr->status);

        if (fc->op == HV_FCOPY_WRITE) {
            hv_fcopy_abort(fc, why);
        } else if (fc->op == HV_FCOPY_CANCEL && fc->failure) {
            hv_fcopy_finish(fc, g_steal_pointer(&fc->failure));
        } else {
            hv_fcopy_finish(fc, hv_fcopy_failure(fc, why));
        }
        return;
    }

    switch (fc->op) {
    case HV_FCOPY_START:
        fc->op = fc->file_size ? HV_FCOPY_WRITE : HV_FCOPY_COMPLETE;
        break;
    case HV_FCOPY_WRITE:
        fc->offset += fc->last_size;
        fc->bytes_acked += fc->last_size;
        if (fc->cancel_after && fc->bytes_acked >= fc->cancel_after) {
            fc->op = HV_FCOPY_CANCEL;
        } else if (fc->offset >= fc->file_size) {
            fc->op = HV_FCOPY_COMPLETE;
        }
        break;
    case HV_FCOPY_COMPLETE:
        hv_fcopy_finish(fc, g_strdup("ok"));
        return;
    case HV_FCOPY_CANCEL:
        hv_fcopy_finish(fc, fc->failure ? g_steal_pointer(&fc->failure)
                                        : g_strdup("cancelled"));
        return;
    }
    qemu_bh_schedule(fc->next_bh);
}

static void hv_fcopy_failed(HvIc *ic, const char *why)
{
    HvFcopy *fc = HV_FCOPY(ic);

    if (fc->state == HV_FCOPY_PENDING) {
        hv_fcopy_finish(fc, hv_fcopy_failure(fc, why));
    }
}

static void hv_fcopy_stop(HvIc *ic)
{
    HvFcopy *fc = HV_FCOPY(ic);

    if (fc->next_bh) {
        qemu_bh_cancel(fc->next_bh);
    }
    if (fc->state == HV_FCOPY_PENDING) {
        hv_fcopy_finish(fc, hv_fcopy_failure(fc, "closed"));
    }
}

static void hv_fcopy_realize(HvIc *ic, Error **errp)
{
    HvFcopy *fc = HV_FCOPY(ic);

    if (!fc->fragment || fc->fragment > HV_FCOPY_FRAGMENT) {
        error_setg(errp, "fragment: 1 to %d bytes", HV_FCOPY_FRAGMENT);
        return;
    }
    fc->next_bh = qemu_bh_new(hv_fcopy_next, fc);
}

static char *hv_fcopy_get_copy(Object *obj, Error **errp)
{
    HvFcopy *fc = HV_FCOPY(obj);

    return g_strdup(fc->last_copy ? fc->last_copy : "");
}

static char *hv_fcopy_get_result(Object *obj, Error **errp)
{
    HvFcopy *fc = HV_FCOPY(obj);

    switch (fc->state) {
    case HV_FCOPY_NONE:
        return g_strdup("none");
    case HV_FCOPY_PENDING:
        return g_strdup("pending");
    default:
        return g_strdup(fc->result);
    }
}

static char *hv_fcopy_get_sha256(Object *obj, Error **errp)
{
    g_autoptr(GChecksum) sum = g_checksum_copy(HV_FCOPY(obj)->sum);

    return g_strdup(g_checksum_get_string(sum));
}

static void hv_fcopy_instance_init(Object *obj)
{
    HvFcopy *fc = HV_FCOPY(obj);

    fc->fd = -1;
    fc->sum = g_checksum_new(G_CHECKSUM_SHA256);
    object_property_add_uint64_ptr(obj, "cancel-after", &fc->cancel_after,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint64_ptr(obj, "file-size", &fc->file_size,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "bytes-sent", &fc->bytes_sent,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "bytes-acked", &fc->bytes_acked,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "writes", &fc->writes,
                                   OBJ_PROP_FLAG_READ);
}

static void hv_fcopy_finalize(Object *obj)
{
    HvFcopy *fc = HV_FCOPY(obj);

    hv_fcopy_close(fc);
    g_clear_pointer(&fc->next_bh, qemu_bh_delete);
    g_free(fc->last_copy);
    g_free(fc->result);
    g_free(fc->failure);
    g_checksum_free(fc->sum);
}

/* 1.1: Windows 8 and Server 2012 on, and the one version Linux takes. */
static const HvIcVersion hv_fcopy_versions[] = {
    { 1, 1 },
};

static const Property hv_fcopy_properties[] = {
    DEFINE_PROP_UINT32("timeout", HvFcopy, timeout_s, 60),
    DEFINE_PROP_UINT32("fragment", HvFcopy, fragment, HV_FCOPY_FRAGMENT),
};

/*
 * File copy messages a guest must refuse: a start whose names fill their
 * fields with no NUL, a write that claims more data than a fragment holds.
 */
static uint8_t *hv_fcopy_malformed(HvIc *ic, const char *name, uint32_t *len)
{
    size_t i;

    if (!strcmp(name, "fcopy-names")) {
        HvFcopyStart *m = g_new0(HvFcopyStart, 1);

        m->hdr.operation = HV_FCOPY_START;
        for (i = 0; i < sizeof(m->file_name); i += 2) {
            m->file_name[i] = 'f';
            m->path_name[i] = 'p';
        }
        m->path_name[0] = '/';
        m->copy_flags = HV_FCOPY_CREATE_PATH;
        m->file_size = 1;
        *len = sizeof(*m);
        return (uint8_t *)m;
    }
    if (!strcmp(name, "fcopy-write")) {
        HvFcopyData *m = g_new0(HvFcopyData, 1);

        m->hdr.operation = HV_FCOPY_WRITE;
        m->size = UINT32_MAX;
        *len = sizeof(*m);
        return (uint8_t *)m;
    }
    return NULL;
}

static void hv_fcopy_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);
    HvIcClass *icc = HV_IC_CLASS(klass);

    device_class_set_props(dc, hv_fcopy_properties);
    dc->desc = "Hyper-V guest file copy integration service";
    qemu_uuid_parse(HV_FCOPY_GUID, &vdc->classid);
    qemu_uuid_parse(HV_FCOPY_INSTANCE, &vdc->instanceid);

    icc->msg_type = HV_IC_MSG_FCOPY;
    icc->versions = hv_fcopy_versions;
    icc->n_versions = ARRAY_SIZE(hv_fcopy_versions);
    icc->max_msg = HV_IC_HDR_LEN + sizeof(HvFcopyData);
    icc->realize = hv_fcopy_realize;
    icc->answer = hv_fcopy_answer;
    icc->failed = hv_fcopy_failed;
    icc->stop = hv_fcopy_stop;
    icc->malformed = hv_fcopy_malformed;
    icc->malformations = ", fcopy-names, fcopy-write";

    object_class_property_add_str(klass, "copy", hv_fcopy_get_copy,
                                  hv_fcopy_set_copy);
    object_class_property_set_description(klass, "copy",
        "<host file> <guest folder> <guest name> [overwrite] [create-path]");
    object_class_property_add_str(klass, "result", hv_fcopy_get_result,
                                  NULL);
    object_class_property_add_str(klass, "sha256", hv_fcopy_get_sha256,
                                  NULL);
}

static const TypeInfo hv_fcopy_type_info = {
    .name = TYPE_HV_FCOPY,
    .parent = TYPE_HV_IC,
    .instance_size = sizeof(HvFcopy),
    .instance_init = hv_fcopy_instance_init,
    .instance_finalize = hv_fcopy_finalize,
    .class_init = hv_fcopy_class_init,
};

static void hv_fcopy_register_types(void)
{
    type_register_static(&hv_fcopy_type_info);
}

type_init(hv_fcopy_register_types)
