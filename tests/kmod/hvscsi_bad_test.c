// SPDX-License-Identifier: GPL-2.0
/*
 * Sends the synthetic SCSI controller's host malformed VMSTOR packets on
 * the primary channel of a bound storvsc, as a broken or hostile guest
 * would, so that the host's checks (tests/host/hv-scsi.c) run under a real
 * guest: a packet shorter than its header, an unknown operation, SRBs
 * whose data has no page list, a page list shorter than the transfer, a
 * page outside guest RAM, a range starting past its page, a direction
 * that is not the command's, a CDB of
 * no bytes, a transfer past the host's maximum, a command moving more than
 * its buffer, and too many sub-channels asked for. The host must answer
 * each with an error and touch no memory; every SRB here reads, so that a
 * host that let one through could not write the disk.
 *
 * With reset=1 it sends instead what storvsc's error handling would, well
 * formed: RESET_BUS, then RESET_LUN of LUN 0, so that the host cancels
 * what is in flight (the requests come back ABORTED and the guest retries).
 *
 * insmod hvscsi_bad_test.ko host=<SCSI host number of the storvsc>; one
 * line a packet, "hvscsi_bad_test: <case> sent|FAIL <errno>", then
 * "hvscsi_bad_test: done <sent> <failed>". Without host= it does nothing
 * (the harness loads every test module at boot).
 *
 * The answers come back to storvsc as completions of its initialization
 * request (the packets carry that request's id, which storvsc's request id
 * callback passes through unchanged), which no one waits for once the
 * driver is up: storvsc copies them and goes on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hyperv.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <scsi/scsi_host.h>

static int host = -1;
module_param(host, int, 0444);
MODULE_PARM_DESC(host, "SCSI host number of the storvsc controller");

static bool reset;
module_param(reset, bool, 0444);
MODULE_PARM_DESC(reset, "send RESET_BUS and RESET_LUN (well formed) instead");

#define HSB_OP_EXECUTE_SRB		3
#define HSB_OP_RESET_LUN		4
#define HSB_OP_RESET_BUS		6
#define HSB_OP_CREATE_SUB_CHANNELS	13
#define HSB_COMPLETION			1
#define HSB_READ			1
#define HSB_WRITE			0

/* VMSTOR's packet as the Win8 protocol has it: 64 bytes */
struct hsb_packet {
	u32 operation;
	u32 flags;
	u32 status;
	union {
		struct {
			u16 length;
			u8 srb_status;
			u8 scsi_status;
			u8 port;
			u8 path_id;
			u8 target_id;
			u8 lun;
			u8 cdb_length;
			u8 sense_info_length;
			u8 data_in;
			u8 reserved;
			u32 data_transfer_length;
			u8 cdb[20];
			u8 ext[16];
		} __packed srb;
		u16 sub_channel_count;
		u8 raw[0x34];
	};
} __packed;

static_assert(sizeof(struct hsb_packet) == 64);

static struct vmbus_channel *hsb_chan;
static struct page *hsb_page;
static int hsb_sent, hsb_failed;

static void hsb_result(const char *what, int ret)
{
	if (ret) {
		hsb_failed++;
		pr_info("%s FAIL %d\n", what, ret);
	} else {
		hsb_sent++;
		pr_info("%s sent\n", what);
	}
}

static void hsb_inband(const char *what, struct hsb_packet *p, u32 len)
{
	hsb_result(what, vmbus_sendpacket(hsb_chan, p, len, VMBUS_RQST_INIT,
					  VM_PKT_DATA_INBAND,
					  VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED));
}

/* An SRB with one page of @range_len bytes at @pfn, from @offset in it. */
static void hsb_paged_at(const char *what, struct hsb_packet *p, u64 pfn,
			 u32 range_len, u32 offset)
{
	u64 buf[(sizeof(struct vmbus_packet_mpb_array) + sizeof(u64)) /
		sizeof(u64)] = {};
	struct vmbus_packet_mpb_array *d = (void *)buf;

	d->rangecount = 1;
	d->range.len = range_len;
	d->range.offset = offset;
	d->range.pfn_array[0] = pfn;
	hsb_result(what, vmbus_sendpacket_mpb_desc(hsb_chan, d, sizeof(buf),
						   p, sizeof(*p),
						   VMBUS_RQST_INIT));
}

static void hsb_paged(const char *what, struct hsb_packet *p, u64 pfn,
		      u32 range_len)
{
	hsb_paged_at(what, p, pfn, range_len, 0);
}

/* READ(10) or WRITE(10) of @blocks 512-byte blocks at LBA 0. */
static void hsb_srb(struct hsb_packet *p, u8 opcode, u16 blocks, u8 data_in,
		    u32 len)
{
	memset(p, 0, sizeof(*p));
	p->operation = HSB_OP_EXECUTE_SRB;
	p->flags = HSB_COMPLETION;
	p->srb.length = 0x34;
	p->srb.cdb_length = 10;
	p->srb.sense_info_length = 20;
	p->srb.data_in = data_in;
	p->srb.data_transfer_length = len;
	p->srb.cdb[0] = opcode;
	p->srb.cdb[7] = blocks >> 8;
	p->srb.cdb[8] = blocks & 0xff;
}

static int __init hsb_init(void)
{
	struct Scsi_Host *shost;
	struct hv_device *hdev;
	struct hsb_packet p;
	u64 pfn;

	if (host < 0) {
		pr_info("idle (no host=)\n");
		return 0;
	}
	shost = scsi_host_lookup(host);
	if (!shost) {
		pr_info("no SCSI host %d\n", host);
		return -ENODEV;
	}
	hdev = container_of(shost->shost_gendev.parent, struct hv_device,
			    device);
	hsb_chan = hdev->channel;
	hsb_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!hsb_page) {
		scsi_host_put(shost);
		return -ENOMEM;
	}
	pfn = page_to_pfn(hsb_page) << (PAGE_SHIFT - HV_HYP_PAGE_SHIFT);

	if (reset) {
		memset(&p, 0, sizeof(p));
		p.operation = HSB_OP_RESET_BUS;
		p.flags = HSB_COMPLETION;
		hsb_inband("reset-bus", &p, sizeof(p));
		p.operation = HSB_OP_RESET_LUN;
		hsb_inband("reset-lun", &p, sizeof(p));
		goto done;
	}

	memset(&p, 0, sizeof(p));
	p.operation = HSB_OP_EXECUTE_SRB;
	p.flags = HSB_COMPLETION;
	hsb_inband("short", &p, 8);

	p.operation = 99;
	hsb_inband("unknown-op", &p, sizeof(p));

	hsb_srb(&p, 0x28, 1, HSB_READ, 512);
	hsb_inband("srb-no-page-list", &p, sizeof(p));

	hsb_srb(&p, 0x28, 16, HSB_READ, 8192);
	hsb_paged("srb-short-page-list", &p, pfn, 4096);

	hsb_srb(&p, 0x28, 8, HSB_READ, 4096);
	hsb_paged("srb-page-not-ram", &p, 0xffffffff0ULL, 4096);

	hsb_srb(&p, 0x2a, 8, HSB_READ, 4096);
	hsb_paged("srb-direction", &p, pfn, 4096);

	/* a range starting past its page: QEMU's VMBus cannot parse it */
	hsb_srb(&p, 0x28, 8, HSB_READ, 4096);
	hsb_paged_at("srb-bad-descriptor", &p, pfn, 4096, 5000);

	hsb_srb(&p, 0x28, 8, HSB_READ, 4096);
	p.srb.cdb_length = 0;
	hsb_paged("srb-cdb-length", &p, pfn, 4096);

	hsb_srb(&p, 0x28, 8, HSB_READ, 64 << 20);
	hsb_paged("srb-too-big", &p, pfn, 4096);

	hsb_srb(&p, 0x28, 16, HSB_READ, 4096);
	hsb_paged("srb-buffer-too-small", &p, pfn, 4096);

	memset(&p, 0, sizeof(p));
	p.operation = HSB_OP_CREATE_SUB_CHANNELS;
	p.flags = HSB_COMPLETION;
	p.sub_channel_count = 200;
	hsb_inband("sub-channels", &p, sizeof(p));

done:
	pr_info("done %d %d\n", hsb_sent, hsb_failed);
	scsi_host_put(shost);
	return 0;
}

static void __exit hsb_exit(void)
{
	/* the host answered or refused before touching it, if at all */
	if (hsb_page)
		__free_page(hsb_page);
}

module_init(hsb_init);
module_exit(hsb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Malformed VMSTOR packets for the emulated SCSI host");
