/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon <-> kernel ABI of the Hyper-V utility services, as spoken over
 * /dev/vmbus/hv_kvp, /dev/vmbus/hv_vss and /dev/vmbus/hv_fcopy by the
 * in-tree hv_utils driver and by openlis's own. Kept here (rather than taken
 * from <linux/hyperv.h>) so the daemons build against any kernel headers,
 * including 6.10+ ones that dropped the char-device fcopy structures.
 * Sizes are pinned with static assertions.
 */
#ifndef HVD_ABI_H
#define HVD_ABI_H

#include <stdint.h>

#define HVD_PACKED __attribute__((packed))

/* Status codes returned to the host (a Windows HRESULT). */
#define HVD_S_OK			0x00000000u
#define HVD_E_FAIL			0x80004005u
#define HVD_S_CONT			0x80070103u
#define HVD_ERROR_NOT_SUPPORTED		0x80070032u
#define HVD_INVALIDARG			0x80070057u
#define HVD_GUID_NOTFOUND		0x80041002u
#define HVD_ERROR_ALREADY_EXISTS	0x80070050u
#define HVD_ERROR_DISK_FULL		0x80070070u

/* ---- KVP ---- */
#define KVP_REG_LEGACY		4	/* daemon without IP injection */
#define KVP_REG_V1		100	/* daemon with IP injection */

enum kvp_op {
	KVP_GET = 0,
	KVP_SET = 1,
	KVP_DELETE = 2,
	KVP_ENUMERATE = 3,
	KVP_GET_IP_INFO = 4,
	KVP_SET_IP_INFO = 5,
	KVP_OP_MAX = 6,
};

enum kvp_pool_id {
	KVP_P_EXTERNAL = 0,
	KVP_P_GUEST = 1,
	KVP_P_AUTO = 2,
	KVP_P_AUTO_EXTERNAL = 3,
	KVP_P_AUTO_INTERNAL = 4,
	KVP_NPOOLS = 5,
};

#define KVP_KEY_MAX	512
#define KVP_VALUE_MAX	2048

#define KVP_REG_SZ	1
#define KVP_REG_U32	4
#define KVP_REG_U64	8

#define KVP_AF_NONE	0x00
#define KVP_AF_IPV4	0x01
#define KVP_AF_IPV6	0x02

#define KVP_ADAPTER_ID_MAX	128
#define KVP_IP_ADDR_MAX		1024
#define KVP_GATEWAY_MAX		512

/*
 * The strings of the IP structure are UTF-16 on the wire to the host but
 * the kernel hands them to the daemon (and takes them back) as UTF-8,
 * NUL-terminated, inside the same u16 arrays: their byte capacity is
 * twice the element count.
 */
struct kvp_ip_value {
	uint16_t adapter_id[KVP_ADAPTER_ID_MAX];
	uint8_t addr_family;
	uint8_t dhcp_enabled;
	uint16_t ip_addr[KVP_IP_ADDR_MAX];
	uint16_t sub_net[KVP_IP_ADDR_MAX];
	uint16_t gate_way[KVP_GATEWAY_MAX];
	uint16_t dns_addr[KVP_IP_ADDR_MAX];
} HVD_PACKED;

struct kvp_hdr {
	uint8_t operation;
	uint8_t pool;
	uint16_t pad;
} HVD_PACKED;

struct kvp_value {
	uint32_t value_type;
	uint32_t key_size;
	uint32_t value_size;
	uint8_t key[KVP_KEY_MAX];
	union {
		uint8_t value[KVP_VALUE_MAX];
		uint32_t value_u32;
		uint64_t value_u64;
	} HVD_PACKED;
} HVD_PACKED;

struct kvp_msg {
	union {
		struct kvp_hdr hdr;
		uint32_t error;
	} HVD_PACKED;
	union {
		struct kvp_value get;
		struct kvp_value set;
		struct {
			uint32_t key_size;
			uint8_t key[KVP_KEY_MAX];
		} HVD_PACKED del;
		struct {
			uint32_t index;
			struct kvp_value data;
		} HVD_PACKED enumerate;
		struct kvp_ip_value ip;
		struct {
			uint8_t version[KVP_KEY_MAX];
		} HVD_PACKED reg;
		/* the uapi body union is 4-aligned: 7426 bytes padded to 7428 */
		uint8_t raw[7428];
	} HVD_PACKED body;
} HVD_PACKED;

/* ---- VSS ---- */
#define VSS_REG_LEGACY	128
#define VSS_REG_V1	129

enum vss_op {
	VSS_CREATE = 0,
	VSS_DELETE = 1,
	VSS_HOT_BACKUP = 2,
	VSS_GET_DM_INFO = 3,
	VSS_BU_COMPLETE = 4,
	VSS_FREEZE = 5,
	VSS_THAW = 6,
	VSS_AUTO_RECOVER = 7,
};

struct vss_msg {
	union {
		struct {
			uint8_t operation;
			uint8_t reserved[7];
		} HVD_PACKED hdr;
		uint32_t error;
	} HVD_PACKED;
	union {
		uint32_t feature_flags;
		uint32_t dm_info_flags;
	} HVD_PACKED;
} HVD_PACKED;

/* ---- fcopy (classic char-device ABI) ---- */
#define FCP_VERSION_0	0
#define FCP_VERSION_1	1
#define FCP_PATH_MAX	260	/* u16 elements; UTF-8 bytes = 2x */

enum fcopy_op {
	FCP_START = 0,
	FCP_WRITE = 1,
	FCP_COMPLETE = 2,
	FCP_CANCEL = 3,
};

#define FCP_OVERWRITE	0x1
#define FCP_CREATE_PATH	0x2

struct fcopy_hdr {
	uint32_t operation;
	uint8_t service_id0[16];
	uint8_t service_id1[16];
} HVD_PACKED;

struct fcopy_start {
	struct fcopy_hdr hdr;
	uint16_t file_name[FCP_PATH_MAX];
	uint16_t path_name[FCP_PATH_MAX];
	uint32_t copy_flags;
	uint64_t file_size;
} HVD_PACKED;

#define FCP_FRAGMENT	(6 * 1024)

struct fcopy_data {
	struct fcopy_hdr hdr;
	uint32_t pad;
	uint64_t offset;
	uint32_t size;
	uint8_t data[FCP_FRAGMENT];
} HVD_PACKED;

_Static_assert(sizeof(struct kvp_ip_value) == 7426, "kvp_ip_value size");
_Static_assert(sizeof(struct kvp_value) == 2572, "kvp_value size");
_Static_assert(sizeof(struct kvp_msg) == 7432, "kvp_msg size");
_Static_assert(sizeof(struct vss_msg) == 12, "vss_msg size");
_Static_assert(sizeof(struct fcopy_hdr) == 36, "fcopy_hdr size");
_Static_assert(sizeof(struct fcopy_start) == 36 + 1040 + 12, "fcopy_start size");
_Static_assert(sizeof(struct fcopy_data) == 36 + 16 + 6144, "fcopy_data size");

#endif
