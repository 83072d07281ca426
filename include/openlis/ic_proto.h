/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hyper-V integration components (IC): the framing every utility service
 * shares, the host's messages to each service, and the checks they pass
 * before any driver acts on them.
 *
 * The host's wire layouts are spelled here under hvic_ names; the messages
 * to and from the user-space daemons are the kernel's UAPI structs from
 * <linux/hyperv.h>, which the daemons are built against. utils/ic_proto.c is
 * plain data and arithmetic, so it builds in the kernel and in the unit
 * tests alike. Fields are little-endian, as on every Hyper-V guest.
 *
 * One struct per message, each with the direction it travels and the first
 * service version that has it. Every packet is framed the same way: a pipe
 * header, an IC header, then the service's message; hvic_check() refuses a
 * packet shorter than the two headers, and each service's parser refuses a
 * body shorter than the least size stated beside its struct. hdr->size is
 * not trusted: the packet's length bounds every read.
 *
 * Matching: every message comes from the host (HVIC_FLAG_REQUEST) and is
 * answered in place: the guest rewrites the same buffer, sets
 * HVIC_FLAG_RESPONSE and a status, and sends it back with the VMBus request
 * id of the host's packet, which is how the host matches it. The guest
 * reads no new packet while one waits for its daemon (utils/ic_xact.c).
 */
#ifndef OPENLIS_IC_PROTO_H
#define OPENLIS_IC_PROTO_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#endif
#include <linux/hyperv.h>

#define HVIC_VERSION(major, minor)	((u32)(((major) << 16) | (minor)))
#define HVIC_MAJOR(v)			((u32)(v) >> 16)
#define HVIC_MINOR(v)			((u32)(v) & 0xffff)

/* Framework versions, newest first. */
#define HVIC_FW_3_0			HVIC_VERSION(3, 0)
#define HVIC_FW_1_0			HVIC_VERSION(1, 0)

/* Message types in hvic_hdr.type. */
#define HVIC_TYPE_NEGOTIATE		0
#define HVIC_TYPE_HEARTBEAT		1
#define HVIC_TYPE_KVP			2
#define HVIC_TYPE_SHUTDOWN		3
#define HVIC_TYPE_TIMESYNC		4
#define HVIC_TYPE_VSS			5
#define HVIC_TYPE_FCOPY			7

/* hvic_hdr.flags */
#define HVIC_FLAG_TRANSACTION		0x1
#define HVIC_FLAG_REQUEST		0x2
#define HVIC_FLAG_RESPONSE		0x4

/* Statuses we return in hvic_hdr.status (HRESULTs). */
#define HVIC_S_OK			0x00000000u
#define HVIC_E_FAIL			0x80004005u
#define HVIC_S_CONT			0x80070103u

/* both ways, framework 1.0: first in every packet; not read. */
struct hvic_pipe_hdr {
	u32 flags;
	u32 msgsize;
} __packed;
static_assert(sizeof(struct hvic_pipe_hdr) == 8);

struct hvic_ver {
	u16 major;
	u16 minor;
} __packed;
static_assert(sizeof(struct hvic_ver) == 4);

/* both ways, framework 1.0: after the pipe header; the answer reuses it. */
struct hvic_hdr {
	struct hvic_ver frame_ver;
	u16 type;
	struct hvic_ver msg_ver;
	u16 size;		/* of the message after this header */
	u32 status;
	u8 txn_id;
	u8 flags;
	u8 reserved[2];
} __packed;
static_assert(sizeof(struct hvic_hdr) == 20);

/* Where a service's message starts in a packet: the least packet. */
#define HVIC_BODY_OFFSET	(sizeof(struct hvic_pipe_hdr) + sizeof(struct hvic_hdr))
static_assert(HVIC_BODY_OFFSET == 28);

/*
 * host -> guest, framework 1.0, every service: the versions the host
 * offers, its counts bounded by the packet; at least
 * HVIC_NEGOTIATE_RESP_SIZE, as the answer is written over it and holds
 * the one framework and one service version chosen.
 */
struct hvic_negotiate {
	u16 frame_count;
	u16 msg_count;
	u32 reserved;
	struct hvic_ver ver[];	/* frame_count framework, then msg_count */
} __packed;
static_assert(sizeof(struct hvic_negotiate) == 8);

#define HVIC_NEGOTIATE_RESP_SIZE	(sizeof(struct hvic_negotiate) + \
					 2 * sizeof(struct hvic_ver))
static_assert(HVIC_NEGOTIATE_RESP_SIZE == 16);
/* More versions than any host offers is a malformed offer. */
#define HVIC_MAX_OFFERED_VERSIONS	100

/*
 * host -> guest, heartbeat 1.0: answered with seq_num + 1. At least the
 * 8 bytes of seq_num: hosts may leave out the reserved words.
 */
struct hvic_heartbeat {
	u64 seq_num;
	u32 reserved[8];
} __packed;
static_assert(sizeof(struct hvic_heartbeat) == 40);

/* Shutdown flags: the action, and bit 0 asking for it to be forced. */
#define HVIC_SD_FORCE			0x1
#define HVIC_SD_POWEROFF		0x0
#define HVIC_SD_REBOOT			0x2
#define HVIC_SD_HIBERNATE		0x4

/*
 * host -> guest, shutdown 1.0: power off, reboot or hibernate, as flags
 * say; answered with a status before the guest acts. At least the 12 bytes
 * before display_message, which is never read.
 */
struct hvic_shutdown {
	u32 reason_code;
	u32 timeout_seconds;
	u32 flags;
	u8 display_message[2048];
} __packed;
static_assert(sizeof(struct hvic_shutdown) == 2060);

/* Time sync flags. */
#define HVIC_TS_PROBE			0x0
#define HVIC_TS_SYNC			0x1
#define HVIC_TS_SAMPLE			0x2

/* 100 ns units from 1601-01-01 (the host's epoch) to 1970-01-01. */
#define HVIC_EPOCH_DELTA		116444736000000000ULL

/*
 * host -> guest, time sync 1.0 to 3.0: the host's time; answered with a
 * status. At least its whole 25 bytes.
 */
struct hvic_timesync {
	u64 parent_time;
	u64 child_time;
	u64 round_trip_time;
	u8 flags;
} __packed;
static_assert(sizeof(struct hvic_timesync) == 25);

/*
 * host -> guest, time sync 4.0: the host's time and the reference counter
 * when it sampled; answered with a status. At least its whole 22 bytes.
 */
struct hvic_timesync_ref {
	u64 parent_time;
	u64 vm_reference_time;
	u8 flags;
	u8 leap_flags;
	u8 stratum;
	u8 reserved[3];
} __packed;
static_assert(sizeof(struct hvic_timesync_ref) == 22);

/*
 * The KVP, VSS and file-copy bodies are the UAPI structs the daemons read,
 * the host's strings in UTF-16, so these sizes are both the wire's and the
 * daemons' ABI, which every shipped daemon is built against:
 *  - KVP, host -> guest, 1.0: struct hv_kvp_msg; the least
 *    body per operation is hvic_kvp_min_len[] in utils/ic_proto.c.
 *    Answered in place once the daemon replies.
 *  - VSS, host -> guest, 5.0: struct hv_vss_msg, whole; answered in place
 *    once the daemon replies (freeze, thaw, hot backup) or at once (the
 *    operations the guest has nothing to do for).
 *  - file copy, host -> guest, 1.1: struct hv_fcopy_hdr, then the whole
 *    struct its operation names (hv_start_fcopy, hv_do_fcopy); answered
 *    in place once the daemon replies.
 */
static_assert(sizeof(struct hv_kvp_msg) == 7432);
static_assert(sizeof(struct hv_kvp_ip_msg) == 7428);
static_assert(sizeof(struct hv_vss_msg) == 12);
static_assert(sizeof(struct hv_fcopy_hdr) == 36);
static_assert(sizeof(struct hv_start_fcopy) == 1088);
static_assert(sizeof(struct hv_do_fcopy) == 6196);

/* Verdicts on a packet. */
enum hvic_verdict {
	HVIC_OK,
	HVIC_NO_MATCH,		/* negotiate: no common version; answered */
	HVIC_BAD_LENGTH,	/* shorter than what it must hold */
	HVIC_BAD_SIZE,		/* a size field claims bytes not there */
	HVIC_BAD_COUNT,		/* a count beyond the message or the limit */
	HVIC_BAD_VALUE,		/* a field out of its range */
	HVIC_BAD_STRING,	/* not a valid, terminated string */
	HVIC_NR_VERDICTS
};

/* A checked packet: header and body point into the caller's buffer. */
struct hvic_msg {
	struct hvic_hdr *hdr;
	u8 *body;
	u32 body_len;		/* bytes after the header that are really there */
	u16 type;
};

struct hvic_versions {
	const u32 *fw;
	unsigned int nr_fw;
	const u32 *srv;
	unsigned int nr_srv;
};

const char *hvic_verdict_name(enum hvic_verdict v);
enum hvic_verdict hvic_check(u8 *pkt, u32 len, struct hvic_msg *m);
enum hvic_verdict hvic_negotiate(struct hvic_msg *m,
				 const struct hvic_versions *vers,
				 u32 *fw_out, u32 *srv_out);
void hvic_set_response(struct hvic_msg *m, u32 status);

enum hvic_verdict hvic_heartbeat_answer(struct hvic_msg *m);

enum hvic_sd_action {
	HVIC_SD_ACT_POWEROFF,
	HVIC_SD_ACT_REBOOT,
	HVIC_SD_ACT_HIBERNATE,
	HVIC_SD_ACT_INVALID,
};

enum hvic_verdict hvic_shutdown_parse(const struct hvic_msg *m,
				      enum hvic_sd_action *act);

struct hvic_time_sample {
	u64 host_time;		/* 100 ns units since 1601 */
	u64 ref_time;		/* reference counter at sampling, if has_ref */
	bool has_ref;
	u8 flags;
};

enum hvic_verdict hvic_timesync_parse(const struct hvic_msg *m, u32 srv_ver,
				      struct hvic_time_sample *s);
bool hvic_host_time_to_ns(u64 host_time, u64 *ns);

/* Strings: UTF-16LE from the host, UTF-8 to and from the daemons. */
int hvic_utf16_to_utf8(const u8 *in, u32 in_units, char *out, u32 out_size);
int hvic_utf8_to_utf16(const char *in, u32 in_len, u8 *out, u32 out_units);

/* KVP: what to do with a host request. */
enum hvic_kvp_action {
	HVIC_KVP_FORWARD,	/* give the daemon the message built */
	HVIC_KVP_FAIL,		/* answer the host with HVIC_E_FAIL now */
};

enum hvic_verdict hvic_kvp_to_daemon(const struct hvic_msg *m,
				     struct hv_kvp_msg *out,
				     enum hvic_kvp_action *act);
void hvic_kvp_to_host(struct hvic_msg *m, const struct hv_kvp_msg *reply,
		      bool legacy, u32 *status);

/* VSS */
enum hvic_verdict hvic_vss_parse(const struct hvic_msg *m, u8 *op);

/* File copy */
enum hvic_verdict hvic_fcopy_to_daemon(const struct hvic_msg *m, void *out,
				       u32 out_size, u32 *out_len);

/*
 * What a daemon wrote to its device. A reply cannot say which operation it
 * answers: the daemons put their status where the operation was.
 */
enum hvic_dmsg {
	HVIC_DMSG_BAD,		/* wrong size, or an unknown registration */
	HVIC_DMSG_REGISTER,	/* *ver: the version it registers with */
	HVIC_DMSG_REPLY,
};

enum hvic_dmsg hvic_kvp_daemon_msg(const void *msg, size_t len,
				   bool registered, u32 *ver);
enum hvic_dmsg hvic_vss_daemon_msg(const void *msg, size_t len, u32 *ver);
enum hvic_dmsg hvic_fcopy_daemon_msg(const void *msg, size_t len,
				     bool registered, u32 *ver);

#endif
