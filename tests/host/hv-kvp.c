/*
 * Hyper-V key-value pair (KVP) exchange integration service: the host side
 * of the pools (set, get, delete, enumerate a key), the intrinsic data the
 * guest reports through the auto pool, and the guest's IP configuration
 * (GET_IP_INFO, SET_IP_INFO).  Strings travel as UTF-16LE, as on Hyper-V.
 *
 * One request at a time, as Hyper-V does: write `request`, poll `result`.
 *
 *   request  (write) one of
 *              set <pool> <key> [<value...>]   REG_SZ value (rest of line)
 *              set32 <pool> <key> <number>     REG_U32
 *              set64 <pool> <key> <number>     REG_U64
 *              get <pool> <key>
 *              delete <pool> <key>
 *              enum <pool> <index>
 *              enum-all <pool>                 index 0, 1, ... until the
 *                                              guest answers with a failure
 *              get-ip <adapter>
 *              set-ip <adapter> <addr/prefix[;...]|-> <gateway[;...]|->
 *                     <dns[;...]|-> [dhcp]
 *            (read) the last request as written
 *   result   none, pending, "ok", "ok <value>" (get), "ok <key>=<value>"
 *            (enum), "ok <count>" (enum-all), "ok ip=... subnet=...
 *            gateway=... dns=... dhcp=0|1 family=<n> adapter=..." (get-ip),
 *            "failed 0x<status>", "failed timeout", "failed closed" or
 *            "failed bad <reason>" (the guest's answer was malformed)
 *   key, value  the key and value of the last get/enum answer
 *   pairs    what the last enum-all gathered, one "key=value" a line
 *   requests, failures  counters
 *   timeout  (property, s, default 60) how long the host waits for an answer
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

#define TYPE_HV_KVP "hv-kvp"
OBJECT_DECLARE_SIMPLE_TYPE(HvKvp, HV_KVP)

#define HV_KVP_GUID "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6"
#define HV_KVP_INSTANCE "242ff919-07db-4180-9c2e-b86cb68c8c55"

enum {
    HV_KVP_OP_GET = 0,
    HV_KVP_OP_SET = 1,
    HV_KVP_OP_DELETE = 2,
    HV_KVP_OP_ENUMERATE = 3,
    HV_KVP_OP_GET_IP_INFO = 4,
    HV_KVP_OP_SET_IP_INFO = 5,
};

#define HV_KVP_REG_SZ   1
#define HV_KVP_REG_U32  4
#define HV_KVP_REG_U64  8

#define HV_KVP_ADDR_FAMILY_IPV4 0x1
#define HV_KVP_ADDR_FAMILY_IPV6 0x2

/* Field sizes in bytes; the strings are UTF-16LE with a NUL. */
#define HV_KVP_KEY_BYTES        512
#define HV_KVP_VALUE_BYTES      2048
#define HV_KVP_ADAPTER_BYTES    (128 * 2)
#define HV_KVP_IP_BYTES         (1024 * 2)
#define HV_KVP_GATEWAY_BYTES    (512 * 2)

/* Enumerations stop here even if the guest never says the pool ended. */
#define HV_KVP_MAX_ENUM 1024

typedef struct HvKvpHdr {
    uint8_t operation;
    uint8_t pool;
    uint16_t pad;
} QEMU_PACKED HvKvpHdr;

typedef struct HvKvpValue {
    uint32_t value_type;
    uint32_t key_size;
    uint32_t value_size;
    uint8_t key[HV_KVP_KEY_BYTES];
    uint8_t value[HV_KVP_VALUE_BYTES];
} QEMU_PACKED HvKvpValue;

typedef struct HvKvpEnum {
    uint32_t index;
    HvKvpValue data;
} QEMU_PACKED HvKvpEnum;

typedef struct HvKvpDelete {
    uint32_t key_size;
    uint8_t key[HV_KVP_KEY_BYTES];
} QEMU_PACKED HvKvpDelete;

typedef struct HvKvpIpValue {
    uint8_t adapter_id[HV_KVP_ADAPTER_BYTES];
    uint8_t addr_family;
    uint8_t dhcp_enabled;
    uint8_t ip_addr[HV_KVP_IP_BYTES];
    uint8_t sub_net[HV_KVP_IP_BYTES];
    uint8_t gate_way[HV_KVP_GATEWAY_BYTES];
    uint8_t dns_addr[HV_KVP_IP_BYTES];
} QEMU_PACKED HvKvpIpValue;

/* GET_IP_INFO and SET_IP_INFO: no padding after the operation and pool. */
typedef struct HvKvpIpMsg {
    uint8_t operation;
    uint8_t pool;
    HvKvpIpValue ip;
} QEMU_PACKED HvKvpIpMsg;

/*
 * Every request goes out as a whole message of the largest layout, 7432
 * bytes (the guest's struct hv_kvp_msg, whose union is padded to 4), so
 * that a guest may answer any operation in place.
 */
#define HV_KVP_MSG_SIZE 7432

typedef union HvKvpMsg {
    uint8_t raw[HV_KVP_MSG_SIZE];
    struct {
        HvKvpHdr hdr;
        union {
            HvKvpValue kv;          /* GET, SET */
            HvKvpEnum en;           /* ENUMERATE */
            HvKvpDelete del;        /* DELETE */
        } QEMU_PACKED;
    } QEMU_PACKED;
    HvKvpIpMsg ip;                  /* GET_IP_INFO, SET_IP_INFO */
} HvKvpMsg;

QEMU_BUILD_BUG_ON(sizeof(HvKvpValue) != 2572);
QEMU_BUILD_BUG_ON(sizeof(HvKvpIpValue) != 7426);
QEMU_BUILD_BUG_ON(sizeof(HvKvpIpMsg) != 7428);
QEMU_BUILD_BUG_ON(sizeof(HvKvpMsg) != HV_KVP_MSG_SIZE);

typedef enum HvKvpResult {
    HV_KVP_NONE,
    HV_KVP_PENDING,
    HV_KVP_DONE,
} HvKvpResult;

struct HvKvp {
    HvIc parent_obj;

    uint32_t timeout_s;
    QEMUBH *next_bh;

    char *last_request;
    HvKvpResult state;
    char *result;
    /* the request on the wire, to check the echo and go on from */
    HvKvpMsg *msg;
    bool enum_all;
    GString *pairs;
    unsigned int n_pairs;

    char *key;
    char *value;
    uint64_t requests;
    uint64_t failures;
};

/*
 * UTF-8 to UTF-16LE into a field of cap bytes, NUL included.  Returns the
 * bytes written with the NUL (the wire's key_size, value_size), or -1 when
 * the text is not UTF-8 or does not fit.
 */
static int hv_kvp_put_utf16(uint8_t *field, size_t cap, const char *text)
{
    g_autofree gunichar2 *u = NULL;
    glong n, i;

    u = g_utf8_to_utf16(text, -1, NULL, &n, NULL);
    if (!u || (size_t)(n + 1) * 2 > cap) {
        return -1;
    }
    for (i = 0; i <= n; i++) {
        stw_le_p(field + 2 * i, u[i]);
    }
    return (n + 1) * 2;
}

/*
 * A UTF-16LE string of at most len bytes (it ends at its NUL or at len) to
 * UTF-8; NULL when it is not valid UTF-16.
 */
static char *hv_kvp_get_utf16(const uint8_t *field, size_t len)
{
    size_t units = len / 2, n;
    g_autofree gunichar2 *u = g_new0(gunichar2, units + 1);

    for (n = 0; n < units; n++) {
        u[n] = lduw_le_p(field + 2 * n);
        if (!u[n]) {
            break;
        }
    }
    return g_utf16_to_utf8(u, n, NULL, NULL, NULL);
}

static void hv_kvp_finish(HvKvp *kvp, char *result)
{
    g_free(kvp->result);
    kvp->result = result;
    kvp->state = HV_KVP_DONE;
    kvp->enum_all = false;
    if (!g_str_has_prefix(result, "ok")) {
        kvp->failures++;
    }
}

static void hv_kvp_bad(HvKvp *kvp, const char *why)
{
    hv_ic_bad(HV_IC(kvp), why);
    hv_kvp_finish(kvp, g_strdup_printf("failed bad %s", why));
}

static bool hv_kvp_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v;

    if (qemu_strtou64(s, NULL, 0, &v) || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* "a;b" or "a,b" to the wire's "a;b"; "-" for an empty list. */
static char *hv_kvp_list(const char *s)
{
    if (!strcmp(s, "-")) {
        return g_strdup("");
    }
    return g_strdelimit(g_strdup(s), ",", ';');
}

/*
 * "addr/prefix;..." to the address list, the subnet list (a dotted mask for
 * IPv4, the prefix length for IPv6, as the Linux daemons read them) and the
 * address families present.
 */
static bool hv_kvp_parse_addrs(const char *s, GString *addrs, GString *masks,
                               uint8_t *family, Error **errp)
{
    g_auto(GStrv) parts = NULL;
    unsigned int i;

    *family = 0;
    if (!strcmp(s, "-")) {
        return true;
    }
    parts = g_strsplit_set(s, ";,", 0);
    for (i = 0; parts[i]; i++) {
        g_autofree char *addr = g_strdup(parts[i]);
        char *slash = strchr(addr, '/');
        bool v6 = strchr(addr, ':') != NULL;
        unsigned char bin[16];
        uint64_t prefix = v6 ? 128 : 32;

        if (slash) {
            *slash = '\0';
            if (!hv_kvp_parse_uint(slash + 1, v6 ? 128 : 32, &prefix)) {
                error_setg(errp, "set-ip: bad prefix in '%s'", parts[i]);
                return false;
            }
        }
        if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, bin) != 1) {
            error_setg(errp, "set-ip: '%s' is not an address", parts[i]);
            return false;
        }
        if (i) {
            g_string_append_c(addrs, ';');
            g_string_append_c(masks, ';');
        }
        g_string_append(addrs, addr);
        if (v6) {
            g_string_append_printf(masks, "%u", (unsigned int)prefix);
            *family |= HV_KVP_ADDR_FAMILY_IPV6;
        } else {
            uint32_t m = prefix ? ~0u << (32 - prefix) : 0;

            g_string_append_printf(masks, "%u.%u.%u.%u", m >> 24,
                                   (m >> 16) & 0xff, (m >> 8) & 0xff,
                                   m & 0xff);
            *family |= HV_KVP_ADDR_FAMILY_IPV4;
        }
    }
    return true;
}

static bool hv_kvp_put_field(uint8_t *field, size_t cap, const char *text,
                             const char *what, Error **errp)
{
    if (hv_kvp_put_utf16(field, cap, text) < 0) {
        error_setg(errp, "%s '%s' is not UTF-8 or is longer than %zu "
                   "UTF-16 units", what, text, cap / 2 - 1);
        return false;
    }
    return true;
}

static bool hv_kvp_parse_pool(const char *s, uint8_t *pool, Error **errp)
{
    uint64_t v;

    /* Any byte: a guest must refuse the pools it does not know. */
    if (!hv_kvp_parse_uint(s, UINT8_MAX, &v)) {
        error_setg(errp, "pool '%s' is not a number from 0 to 255", s);
        return false;
    }
    *pool = v;
    return true;
}

/* Build the message of a request; false (errp set) when it makes no sense. */
static bool hv_kvp_build(HvKvp *kvp, const char *req, HvKvpMsg *m,
                         Error **errp)
{
    g_auto(GStrv) w = g_strsplit(req, " ", 4);
    guint n = g_strv_length(w);
    const char *op = n ? w[0] : "";
    uint64_t num;

    kvp->enum_all = false;
    if (!strcmp(op, "set") || !strcmp(op, "set32") || !strcmp(op, "set64")) {
        int size;

        if (n < 3 || (strcmp(op, "set") && n != 4)) {
            error_setg(errp, "usage: %s <pool> <key> <value>", op);
            return false;
        }
        m->hdr.operation = HV_KVP_OP_SET;
        if (!hv_kvp_parse_pool(w[1], &m->hdr.pool, errp)) {
            return false;
        }
        size = hv_kvp_put_utf16(m->kv.key, HV_KVP_KEY_BYTES, w[2]);
        if (size < 0) {
            error_setg(errp, "key '%s' is not UTF-8 or too long", w[2]);
            return false;
        }
        m->kv.key_size = size;
        if (!strcmp(op, "set")) {
            size = hv_kvp_put_utf16(m->kv.value, HV_KVP_VALUE_BYTES,
                                    n == 4 ? w[3] : "");
            if (size < 0) {
                error_setg(errp, "value is not UTF-8 or too long");
                return false;
            }
            m->kv.value_type = HV_KVP_REG_SZ;
            m->kv.value_size = size;
        } else if (!strcmp(op, "set32")) {
            if (!hv_kvp_parse_uint(w[3], UINT32_MAX, &num)) {
                error_setg(errp, "'%s' is not a 32-bit number", w[3]);
                return false;
            }
            m->kv.value_type = HV_KVP_REG_U32;
            m->kv.value_size = 4;
            stl_le_p(m->kv.value, num);
        } else {
            if (!hv_kvp_parse_uint(w[3], UINT64_MAX, &num)) {
                error_setg(errp, "'%s' is not a 64-bit number", w[3]);
                return false;
            }
            m->kv.value_type = HV_KVP_REG_U64;
            m->kv.value_size = 8;
            stq_le_p(m->kv.value, num);
        }
        return true;
    }
    if (!strcmp(op, "get") || !strcmp(op, "delete")) {
        bool get = !strcmp(op, "get");
        uint8_t *key = get ? m->kv.key : m->del.key;
        int size;

        if (n != 3) {
            error_setg(errp, "usage: %s <pool> <key>", op);
            return false;
        }
        m->hdr.operation = get ? HV_KVP_OP_GET : HV_KVP_OP_DELETE;
        if (!hv_kvp_parse_pool(w[1], &m->hdr.pool, errp)) {
            return false;
        }
        size = hv_kvp_put_utf16(key, HV_KVP_KEY_BYTES, w[2]);
        if (size < 0) {
            error_setg(errp, "key '%s' is not UTF-8 or too long", w[2]);
            return false;
        }
        if (get) {
            m->kv.key_size = size;
        } else {
            m->del.key_size = size;
        }
        return true;
    }
    if (!strcmp(op, "enum") || !strcmp(op, "enum-all")) {
        bool all = !strcmp(op, "enum-all");

        if (n != (all ? 2 : 3)) {
            error_setg(errp, all ? "usage: enum-all <pool>"
                                 : "usage: enum <pool> <index>");
            return false;
        }
        m->hdr.operation = HV_KVP_OP_ENUMERATE;
        if (!hv_kvp_parse_pool(w[1], &m->hdr.pool, errp)) {
            return false;
        }
        if (!all && !hv_kvp_parse_uint(w[2], UINT32_MAX, &num)) {
            error_setg(errp, "index '%s' is not a 32-bit number", w[2]);
            return false;
        }
        m->en.index = all ? 0 : num;
        kvp->enum_all = all;
        return true;
    }
    if (!strcmp(op, "get-ip")) {
        if (n != 2) {
            error_setg(errp, "usage: get-ip <adapter>");
            return false;
        }
        m->ip.operation = HV_KVP_OP_GET_IP_INFO;
        m->ip.ip.addr_family = HV_KVP_ADDR_FAMILY_IPV4 |
                               HV_KVP_ADDR_FAMILY_IPV6;
        return hv_kvp_put_field(m->ip.ip.adapter_id, HV_KVP_ADAPTER_BYTES,
                                w[1], "adapter", errp);
    }
    if (!strcmp(op, "set-ip")) {
        g_auto(GStrv) a = g_strsplit(req, " ", 0);
        g_autoptr(GString) addrs = g_string_new("");
        g_autoptr(GString) masks = g_string_new("");
        g_autofree char *gw = NULL, *dns = NULL;
        guint na = g_strv_length(a);
        uint8_t family;

        if (na < 5 || na > 6 || (na == 6 && strcmp(a[5], "dhcp"))) {
            error_setg(errp, "usage: set-ip <adapter> <addr/prefix[;...]|-> "
                       "<gateway[;...]|-> <dns[;...]|-> [dhcp]");
            return false;
        }
        if (!hv_kvp_parse_addrs(a[2], addrs, masks, &family, errp)) {
            return false;
        }
        gw = hv_kvp_list(a[3]);
        dns = hv_kvp_list(a[4]);
        m->ip.operation = HV_KVP_OP_SET_IP_INFO;
        m->ip.ip.addr_family = family;
        m->ip.ip.dhcp_enabled = na == 6;
        return hv_kvp_put_field(m->ip.ip.adapter_id, HV_KVP_ADAPTER_BYTES,
                                a[1], "adapter", errp) &&
               hv_kvp_put_field(m->ip.ip.ip_addr, HV_KVP_IP_BYTES,
                                addrs->str, "addresses", errp) &&
               hv_kvp_put_field(m->ip.ip.sub_net, HV_KVP_IP_BYTES,
                                masks->str, "subnets", errp) &&
               hv_kvp_put_field(m->ip.ip.gate_way, HV_KVP_GATEWAY_BYTES,
                                gw, "gateways", errp) &&
               hv_kvp_put_field(m->ip.ip.dns_addr, HV_KVP_IP_BYTES,
                                dns, "DNS servers", errp);
    }
    error_setg(errp, "request '%s': none of set, set32, set64, get, delete, "
               "enum, enum-all, get-ip, set-ip", req);
    return false;
}

static int hv_kvp_send(HvKvp *kvp)
{
    return hv_ic_request(HV_IC(kvp), kvp->msg, sizeof(*kvp->msg),
                         kvp->timeout_s * 1000);
}

static void hv_kvp_set_request(Object *obj, const char *value, Error **errp)
{
    HvKvp *kvp = HV_KVP(obj);
    HvIc *ic = HV_IC(kvp);
    g_autofree HvKvpMsg *m = g_new0(HvKvpMsg, 1);
    int ret;

    if (!hv_ic_ready(ic)) {
        error_setg(errp, "the guest has not taken up the KVP service "
                   "(state %s)", hv_ic_state_name(ic));
        return;
    }
    if (hv_ic_awaiting(ic) || kvp->state == HV_KVP_PENDING) {
        error_setg(errp, "a request is pending");
        return;
    }
    if (!hv_kvp_build(kvp, value, m, errp)) {
        return;
    }
    g_free(kvp->msg);
    kvp->msg = g_steal_pointer(&m);
    g_string_truncate(kvp->pairs, 0);
    kvp->n_pairs = 0;
    ret = hv_kvp_send(kvp);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "cannot send the request");
        return;
    }
    g_free(kvp->last_request);
    kvp->last_request = g_strdup(value);
    kvp->state = HV_KVP_PENDING;
    kvp->requests++;
}

/* enum-all: on to the next index, outside the channel's receive path. */
static void hv_kvp_next(void *opaque)
{
    HvKvp *kvp = opaque;
    int ret;

    if (kvp->state != HV_KVP_PENDING || !kvp->enum_all) {
        return;
    }
    ret = hv_kvp_send(kvp);
    if (ret < 0) {
        hv_kvp_finish(kvp, g_strdup_printf("failed send %s",
                                           strerror(-ret)));
    }
}

/* A value the guest answered with, as text; NULL when malformed. */
static char *hv_kvp_answer_value(const HvKvpValue *kv)
{
    switch (kv->value_type) {
    case HV_KVP_REG_SZ:
        if (kv->value_size > HV_KVP_VALUE_BYTES) {
            return NULL;
        }
        return hv_kvp_get_utf16(kv->value, kv->value_size);
    case HV_KVP_REG_U32:
        return kv->value_size == 4 ?
               g_strdup_printf("%u", ldl_le_p(kv->value)) : NULL;
    case HV_KVP_REG_U64:
        return kv->value_size == 8 ?
               g_strdup_printf("%" PRIu64, ldq_le_p(kv->value)) : NULL;
    default:
        return NULL;
    }
}

static void hv_kvp_answer_ip(HvKvp *kvp, const HvKvpIpMsg *a)
{
    g_autofree char *ip = hv_kvp_get_utf16(a->ip.ip_addr, HV_KVP_IP_BYTES);
    g_autofree char *sn = hv_kvp_get_utf16(a->ip.sub_net, HV_KVP_IP_BYTES);
    g_autofree char *gw = hv_kvp_get_utf16(a->ip.gate_way,
                                           HV_KVP_GATEWAY_BYTES);
    g_autofree char *dns = hv_kvp_get_utf16(a->ip.dns_addr, HV_KVP_IP_BYTES);
    g_autofree char *id = hv_kvp_get_utf16(a->ip.adapter_id,
                                           HV_KVP_ADAPTER_BYTES);

    if (!ip || !sn || !gw || !dns || !id) {
        hv_kvp_bad(kvp, "ip-string");
        return;
    }
    hv_kvp_finish(kvp, g_strdup_printf("ok ip=%s subnet=%s gateway=%s dns=%s "
                                       "dhcp=%u family=%u adapter=%s", ip, sn,
                                       gw, dns, a->ip.dhcp_enabled,
                                       a->ip.addr_family, id));
}

static void hv_kvp_answer(HvIc *ic, const HvIcMsgHdr *hdr, uint8_t *data,
                          uint32_t len)
{
    HvKvp *kvp = HV_KVP(ic);
    const HvKvpMsg *sent = kvp->msg;
    g_autofree HvKvpMsg *a = g_new0(HvKvpMsg, 1);
    uint8_t op, pool;

    if (kvp->state != HV_KVP_PENDING || !sent) {
        hv_ic_bad(ic, "unasked");
        return;
    }
    /* The guest answers in place: the operation and pool come back. */
    if (len < sizeof(HvKvpHdr)) {
        hv_kvp_bad(kvp, "short");
        return;
    }
    memcpy(a, data, MIN(len, sizeof(*a)));
    op = sent->hdr.operation;
    pool = sent->hdr.pool;
    if (a->hdr.operation != op || a->hdr.pool != pool) {
        hv_kvp_bad(kvp, "echo");
        return;
    }

    if (hdr->status != HV_IC_S_OK) {
        if (kvp->enum_all && hdr->status == HV_IC_S_CONT) {
            /* The guest has no more keys in the pool: the normal end. */
            hv_kvp_finish(kvp, g_strdup_printf("ok %u", kvp->n_pairs));
            return;
        }
        hv_kvp_finish(kvp, g_strdup_printf("failed 0x%08x", hdr->status));
        return;
    }

    switch (op) {
    case HV_KVP_OP_GET: {
        char *value;

        if (len < offsetof(HvKvpMsg, kv) + sizeof(HvKvpValue)) {
            hv_kvp_bad(kvp, "short");
            return;
        }
        value = hv_kvp_answer_value(&a->kv);
        if (!value) {
            hv_kvp_bad(kvp, "value");
            return;
        }
        g_free(kvp->key);
        kvp->key = hv_kvp_get_utf16(sent->kv.key, sent->kv.key_size);
        g_free(kvp->value);
        kvp->value = value;
        hv_kvp_finish(kvp, g_strdup_printf("ok %s", value));
        return;
    }
    case HV_KVP_OP_ENUMERATE: {
        g_autofree char *key = NULL, *value = NULL;

        if (len < offsetof(HvKvpMsg, en) + sizeof(HvKvpEnum)) {
            hv_kvp_bad(kvp, "short");
            return;
        }
        if (a->en.index != sent->en.index) {
            hv_kvp_bad(kvp, "index");
            return;
        }
        if (a->en.data.key_size > HV_KVP_KEY_BYTES) {
            hv_kvp_bad(kvp, "key-size");
            return;
        }
        key = hv_kvp_get_utf16(a->en.data.key, a->en.data.key_size);
        value = hv_kvp_answer_value(&a->en.data);
        if (!key || !value) {
            hv_kvp_bad(kvp, !key ? "key" : "value");
            return;
        }
        g_free(kvp->key);
        kvp->key = g_strdup(key);
        g_free(kvp->value);
        kvp->value = g_strdup(value);
        if (!kvp->enum_all) {
            hv_kvp_finish(kvp, g_strdup_printf("ok %s=%s", key, value));
            return;
        }
        g_string_append_printf(kvp->pairs, "%s=%s\n", key, value);
        kvp->n_pairs++;
        if (sent->en.index + 1 >= HV_KVP_MAX_ENUM) {
            hv_kvp_finish(kvp, g_strdup("failed too-many-keys"));
            return;
        }
        kvp->msg->en.index++;
        qemu_bh_schedule(kvp->next_bh);
        return;
    }
    case HV_KVP_OP_GET_IP_INFO:
        if (len < sizeof(HvKvpIpMsg)) {
            hv_kvp_bad(kvp, "short");
            return;
        }
        hv_kvp_answer_ip(kvp, &a->ip);
        return;
    default:
        hv_kvp_finish(kvp, g_strdup("ok"));
        return;
    }
}

static void hv_kvp_failed(HvIc *ic, const char *why)
{
    HvKvp *kvp = HV_KVP(ic);

    if (kvp->state == HV_KVP_PENDING) {
        hv_kvp_finish(kvp, g_strdup_printf("failed %s", why));
    }
}

static void hv_kvp_stop(HvIc *ic)
{
    HvKvp *kvp = HV_KVP(ic);

    if (kvp->next_bh) {
        qemu_bh_cancel(kvp->next_bh);
    }
    if (kvp->state == HV_KVP_PENDING) {
        hv_kvp_finish(kvp, g_strdup("failed closed"));
    }
}

static void hv_kvp_realize(HvIc *ic, Error **errp)
{
    HvKvp *kvp = HV_KVP(ic);

    kvp->next_bh = qemu_bh_new(hv_kvp_next, kvp);
}

static char *hv_kvp_get_request(Object *obj, Error **errp)
{
    HvKvp *kvp = HV_KVP(obj);

    return g_strdup(kvp->last_request ? kvp->last_request : "");
}

static char *hv_kvp_get_result(Object *obj, Error **errp)
{
    HvKvp *kvp = HV_KVP(obj);

    switch (kvp->state) {
    case HV_KVP_NONE:
        return g_strdup("none");
    case HV_KVP_PENDING:
        return g_strdup("pending");
    default:
        return g_strdup(kvp->result);
    }
}

static char *hv_kvp_get_key(Object *obj, Error **errp)
{
    HvKvp *kvp = HV_KVP(obj);

    return g_strdup(kvp->key ? kvp->key : "");
}

static char *hv_kvp_get_value(Object *obj, Error **errp)
{
    HvKvp *kvp = HV_KVP(obj);

    return g_strdup(kvp->value ? kvp->value : "");
}

static char *hv_kvp_get_pairs(Object *obj, Error **errp)
{
    return g_strdup(HV_KVP(obj)->pairs->str);
}

static void hv_kvp_instance_init(Object *obj)
{
    HvKvp *kvp = HV_KVP(obj);

    kvp->pairs = g_string_new("");
    object_property_add_uint64_ptr(obj, "requests", &kvp->requests,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "failures", &kvp->failures,
                                   OBJ_PROP_FLAG_READ);
}

static void hv_kvp_finalize(Object *obj)
{
    HvKvp *kvp = HV_KVP(obj);

    g_clear_pointer(&kvp->next_bh, qemu_bh_delete);
    g_free(kvp->last_request);
    g_free(kvp->result);
    g_free(kvp->msg);
    g_free(kvp->key);
    g_free(kvp->value);
    g_string_free(kvp->pairs, true);
}

/* KVP versions a Windows host offers: Windows 8 and later, 7, 2008. */
static const HvIcVersion hv_kvp_versions[] = {
    { 4, 0 },
    { 3, 0 },
    { 1, 0 },
};

static const Property hv_kvp_properties[] = {
    DEFINE_PROP_UINT32("timeout", HvKvp, timeout_s, 60),
};

/*
 * A whole KVP message (as every request goes out) that a guest must refuse:
 * sizes past their fields, a pool that does not exist, strings that fill
 * their fields with no NUL, an operation that does not exist.
 */
static uint8_t *hv_kvp_malformed(HvIc *ic, const char *name, uint32_t *len)
{
    HvKvpMsg *m = g_new0(HvKvpMsg, 1);
    size_t i;

    m->hdr.operation = HV_KVP_OP_SET;
    m->kv.value_type = HV_KVP_REG_SZ;
    if (!strcmp(name, "kvp-sizes")) {
        m->kv.key_size = UINT32_MAX;
        m->kv.value_size = UINT32_MAX;
    } else if (!strcmp(name, "kvp-pool")) {
        m->hdr.operation = HV_KVP_OP_GET;
        m->hdr.pool = 77;
        m->kv.key_size = hv_kvp_put_utf16(m->kv.key, HV_KVP_KEY_BYTES, "k");
    } else if (!strcmp(name, "kvp-unterminated")) {
        for (i = 0; i < HV_KVP_KEY_BYTES; i += 2) {
            m->kv.key[i] = 'K';
        }
        for (i = 0; i < HV_KVP_VALUE_BYTES; i += 2) {
            m->kv.value[i] = 'V';
        }
        m->kv.key_size = HV_KVP_KEY_BYTES;
        m->kv.value_size = HV_KVP_VALUE_BYTES;
    } else if (!strcmp(name, "kvp-op")) {
        m->hdr.operation = 0x42;
    } else {
        g_free(m);
        return NULL;
    }
    *len = sizeof(*m);
    return (uint8_t *)m;
}

static void hv_kvp_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VMBusDeviceClass *vdc = VMBUS_DEVICE_CLASS(klass);
    HvIcClass *icc = HV_IC_CLASS(klass);

    device_class_set_props(dc, hv_kvp_properties);
    dc->desc = "Hyper-V key-value pair exchange integration service";
    qemu_uuid_parse(HV_KVP_GUID, &vdc->classid);
    qemu_uuid_parse(HV_KVP_INSTANCE, &vdc->instanceid);

    icc->msg_type = HV_IC_MSG_KVP;
    icc->versions = hv_kvp_versions;
    icc->n_versions = ARRAY_SIZE(hv_kvp_versions);
    icc->max_msg = HV_IC_HDR_LEN + HV_KVP_MSG_SIZE;
    icc->realize = hv_kvp_realize;
    icc->answer = hv_kvp_answer;
    icc->failed = hv_kvp_failed;
    icc->stop = hv_kvp_stop;
    icc->malformed = hv_kvp_malformed;
    icc->malformations = ", kvp-sizes, kvp-pool, kvp-unterminated, kvp-op";

    object_class_property_add_str(klass, "request", hv_kvp_get_request,
                                  hv_kvp_set_request);
    object_class_property_set_description(klass, "request",
        "set|set32|set64 <pool> <key> <value>, get|delete <pool> <key>, "
        "enum <pool> <index>, enum-all <pool>, get-ip <adapter>, "
        "set-ip <adapter> <addrs> <gateways> <dns> [dhcp]");
    object_class_property_add_str(klass, "result", hv_kvp_get_result, NULL);
    object_class_property_add_str(klass, "key", hv_kvp_get_key, NULL);
    object_class_property_add_str(klass, "value", hv_kvp_get_value, NULL);
    object_class_property_add_str(klass, "pairs", hv_kvp_get_pairs, NULL);
}

static const TypeInfo hv_kvp_type_info = {
    .name = TYPE_HV_KVP,
    .parent = TYPE_HV_IC,
    .instance_size = sizeof(HvKvp),
    .instance_init = hv_kvp_instance_init,
    .instance_finalize = hv_kvp_finalize,
    .class_init = hv_kvp_class_init,
};

static void hv_kvp_register_types(void)
{
    type_register_static(&hv_kvp_type_info);
}

type_init(hv_kvp_register_types)
