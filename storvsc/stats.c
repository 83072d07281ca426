// SPDX-License-Identifier: GPL-2.0
/*
 * hv_storvsc's counters in debugfs, one folder per controller:
 * /sys/kernel/debug/hv_storvsc/<VMBus device>/channels has a line per
 * channel (index, relid, target CPU, SRBs sent, bytes, SRBs the host
 * failed, host packets dropped, SRBs in flight), and .../dropped a line
 * per verdict that dropped packets.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "hv_storvsc.h"

static struct dentry *stv_debugfs_root;

static int stv_channels_show(struct seq_file *m, void *unused)
{
	struct stv_dev *dev = m->private;
	unsigned int i, n = stv_nr_chans(dev);

	seq_puts(m, "channel relid cpu requests bytes errors bad inflight\n");
	for (i = 0; i < n; i++) {
		struct stv_chan *c = &dev->chans[i];

		seq_printf(m, "%u %u %u %lld %lld %lld %lld %d\n", i,
			   c->chan->offermsg.child_relid,
			   READ_ONCE(c->chan->target_cpu),
			   (long long)atomic64_read(&c->requests),
			   (long long)atomic64_read(&c->bytes),
			   (long long)atomic64_read(&c->errors),
			   (long long)atomic64_read(&c->bad),
			   atomic_read(&c->inflight));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stv_channels);

static int stv_dropped_show(struct seq_file *m, void *unused)
{
	struct stv_dev *dev = m->private;
	unsigned int v;
	s64 n;

	for (v = 0; v < VSTOR_NR_VERDICTS; v++) {
		n = atomic64_read(&dev->verdicts[v]);
		if (n)
			seq_printf(m, "%s: %lld\n", vstor_verdict_name(v),
				   (long long)n);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stv_dropped);

void stv_stats_init(struct stv_dev *dev)
{
	dev->debugfs = debugfs_create_dir(dev_name(&dev->hdev->device),
					  stv_debugfs_root);
	debugfs_create_file("channels", 0444, dev->debugfs, dev,
			    &stv_channels_fops);
	debugfs_create_file("dropped", 0444, dev->debugfs, dev,
			    &stv_dropped_fops);
}

void stv_stats_exit(struct stv_dev *dev)
{
	debugfs_remove_recursive(dev->debugfs);
	dev->debugfs = NULL;
}

void stv_stats_module_init(void)
{
	stv_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
}

void stv_stats_module_exit(void)
{
	debugfs_remove_recursive(stv_debugfs_root);
}
