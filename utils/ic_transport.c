// SPDX-License-Identifier: GPL-2.0
/*
 * The character device a service's daemon talks through: /dev/vmbus/<name>.
 * One process may hold it open. Each read() returns one whole message from
 * the kernel (a buffer too small for it fails with EINVAL); each write() is
 * one whole message to the service, which checks it before anything else.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include "hv_ic.h"

/* No daemon message is anywhere near this; anything bigger is garbage. */
#define HV_ICDEV_MAX_WRITE	(16 * 1024)
/* Messages waiting for the daemon: a reply to its registration and one request. */
#define HV_ICDEV_MAX_QUEUED	4

struct hv_icdev_msg {
	struct list_head list;
	size_t len;
	u8 data[];
};

struct hv_icdev {
	struct miscdevice mdev;
	char name[32];
	const struct hv_icdev_ops *ops;
	void *ctx;
	struct kref ref;
	struct mutex cb_lock;		/* the service's callbacks vs. destroy */
	struct mutex lock;		/* the queue, open and dead */
	struct list_head queue;
	unsigned int queued;
	wait_queue_head_t wq;
	bool open;
	bool dead;
};

static struct hv_icdev *hv_icdev_of(struct file *file)
{
	/* misc_open() leaves the miscdevice here. */
	return container_of(file->private_data, struct hv_icdev, mdev);
}

static void hv_icdev_free(struct kref *ref)
{
	kfree(container_of(ref, struct hv_icdev, ref));
}

static void hv_icdev_flush_locked(struct hv_icdev *d)
{
	struct hv_icdev_msg *m, *tmp;

	list_for_each_entry_safe(m, tmp, &d->queue, list) {
		list_del(&m->list);
		kfree(m);
	}
	d->queued = 0;
}

static ssize_t hv_icdev_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct hv_icdev *d = hv_icdev_of(file);
	struct hv_icdev_msg *m;
	ssize_t ret;

again:
	if (!(file->f_flags & O_NONBLOCK) &&
	    wait_event_interruptible(d->wq, d->dead || !list_empty(&d->queue)))
		return -EINTR;

	mutex_lock(&d->lock);
	m = list_first_entry_or_null(&d->queue, struct hv_icdev_msg, list);
	if (d->dead) {
		ret = -EBADF;
	} else if (!m && !(file->f_flags & O_NONBLOCK)) {
		/* Taken back (hv_icdev_retract) since the wake-up: wait on. */
		mutex_unlock(&d->lock);
		goto again;
	} else if (!m) {
		ret = -EAGAIN;
	} else if (count < m->len) {
		ret = -EINVAL;
	} else if (copy_to_user(buf, m->data, m->len)) {
		ret = -EFAULT;
	} else {
		ret = m->len;
		list_del(&m->list);
		d->queued--;
		kfree(m);
	}
	mutex_unlock(&d->lock);
	return ret;
}

static ssize_t hv_icdev_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct hv_icdev *d = hv_icdev_of(file);
	void *msg;
	int ret;

	if (!count || count > HV_ICDEV_MAX_WRITE)
		return -EINVAL;
	msg = memdup_user(buf, count);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	mutex_lock(&d->cb_lock);
	ret = d->dead ? -EBADF : d->ops->on_msg(d->ctx, msg, count);
	mutex_unlock(&d->cb_lock);
	kfree(msg);
	return ret ? ret : count;
}

static __poll_t hv_icdev_poll(struct file *file, poll_table *wait)
{
	struct hv_icdev *d = hv_icdev_of(file);
	__poll_t mask = 0;

	poll_wait(file, &d->wq, wait);
	mutex_lock(&d->lock);
	if (d->dead)
		mask = EPOLLERR | EPOLLHUP;
	else if (!list_empty(&d->queue))
		mask = EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&d->lock);
	return mask;
}

static int hv_icdev_open(struct inode *inode, struct file *file)
{
	struct hv_icdev *d = hv_icdev_of(file);
	int ret = 0;

	mutex_lock(&d->lock);
	if (d->dead) {
		ret = -ENODEV;
	} else if (d->open) {
		ret = -EBUSY;
	} else {
		d->open = true;
		kref_get(&d->ref);
	}
	mutex_unlock(&d->lock);
	return ret;
}

static int hv_icdev_release(struct inode *inode, struct file *file)
{
	struct hv_icdev *d = hv_icdev_of(file);

	mutex_lock(&d->cb_lock);
	if (!d->dead)
		d->ops->on_release(d->ctx);
	mutex_unlock(&d->cb_lock);

	mutex_lock(&d->lock);
	d->open = false;
	hv_icdev_flush_locked(d);
	mutex_unlock(&d->lock);
	kref_put(&d->ref, hv_icdev_free);
	return 0;
}

/*
 * The file operations run in hv_utils, which an open file pins; the service
 * module can go away meanwhile, as hv_icdev_destroy() stops its callbacks.
 */
static const struct file_operations hv_icdev_fops = {
	.owner = THIS_MODULE,
	.read = hv_icdev_read,
	.write = hv_icdev_write,
	.poll = hv_icdev_poll,
	.open = hv_icdev_open,
	.release = hv_icdev_release,
	.llseek = noop_llseek,
};

struct hv_icdev *hv_icdev_create(const char *name,
				 const struct hv_icdev_ops *ops, void *ctx)
{
	struct hv_icdev *d;
	int ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	snprintf(d->name, sizeof(d->name), "vmbus/%s", name);
	d->ops = ops;
	d->ctx = ctx;
	kref_init(&d->ref);
	mutex_init(&d->cb_lock);
	mutex_init(&d->lock);
	INIT_LIST_HEAD(&d->queue);
	init_waitqueue_head(&d->wq);
	d->mdev.minor = MISC_DYNAMIC_MINOR;
	d->mdev.name = d->name;
	d->mdev.fops = &hv_icdev_fops;
	ret = misc_register(&d->mdev);
	if (ret) {
		kfree(d);
		return ERR_PTR(ret);
	}
	return d;
}
EXPORT_SYMBOL_GPL(hv_icdev_create);

/*
 * After this no callback runs; a daemon still holding the device gets
 * EBADF and HUP, and the last close frees it.
 */
void hv_icdev_destroy(struct hv_icdev *d)
{
	mutex_lock(&d->cb_lock);
	mutex_lock(&d->lock);
	d->dead = true;
	hv_icdev_flush_locked(d);
	mutex_unlock(&d->lock);
	mutex_unlock(&d->cb_lock);
	wake_up_interruptible_all(&d->wq);
	misc_deregister(&d->mdev);
	kref_put(&d->ref, hv_icdev_free);
}
EXPORT_SYMBOL_GPL(hv_icdev_destroy);

/* Queue one message for the daemon; fails when none has the device open. */
int hv_icdev_send(struct hv_icdev *d, const void *msg, size_t len)
{
	struct hv_icdev_msg *m;
	int ret = 0;

	m = kmalloc(struct_size(m, data, len), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->len = len;
	memcpy(m->data, msg, len);
	mutex_lock(&d->lock);
	if (d->dead || !d->open)
		ret = -ENODEV;
	else if (d->queued >= HV_ICDEV_MAX_QUEUED)
		ret = -EBUSY;
	if (!ret) {
		list_add_tail(&m->list, &d->queue);
		d->queued++;
	}
	mutex_unlock(&d->lock);
	if (ret)
		kfree(m);
	else
		wake_up_interruptible(&d->wq);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_icdev_send);

/*
 * Take back the message queued last if the daemon has not read it yet (a
 * request the host stopped waiting for). Returns whether it was taken back:
 * if not, the daemon has it and will answer it.
 */
bool hv_icdev_retract(struct hv_icdev *d)
{
	struct hv_icdev_msg *m = NULL;

	mutex_lock(&d->lock);
	if (!list_empty(&d->queue)) {
		m = list_last_entry(&d->queue, struct hv_icdev_msg, list);
		list_del(&m->list);
		d->queued--;
	}
	mutex_unlock(&d->lock);
	if (!m)
		return false;
	kfree(m);
	return true;
}
EXPORT_SYMBOL_GPL(hv_icdev_retract);

/* Forget what the daemon has not read (a request the host gave up on). */
void hv_icdev_flush(struct hv_icdev *d)
{
	mutex_lock(&d->lock);
	hv_icdev_flush_locked(d);
	mutex_unlock(&d->lock);
}
EXPORT_SYMBOL_GPL(hv_icdev_flush);
