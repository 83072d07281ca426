// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of a daemon-backed integration service: the channel is
 * read from a work item (the daemon transport sleeps), one request at a
 * time goes to the daemon, and the request state (ic_xact.c) decides what
 * every host packet, daemon write, timeout and close does. The channel is
 * not read while a request waits, so the host packet stays in ic->buf until
 * it is answered; every path ends in exactly one answer to the host.
 *
 * Locking: s->lock covers the request state and every answer to the host.
 * Order: the transport's callback lock, then s->lock, then the transport's
 * queue lock. Timers are never cancelled synchronously under s->lock: a
 * timer that lost a race finds a newer request generation and does nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "hv_ic.h"

static bool hv_icd_holding(struct hv_icd *s)
{
	/*
	 * Until a daemon is there, leave the host's negotiation unanswered
	 * for a while, as upstream does: a host that has negotiated sends
	 * its requests (failover IP settings) at once, and those would fail.
	 */
	return s->hold_until && !s->x.registered && !s->ic.srv_ver &&
	       time_before(jiffies, s->hold_until);
}

static void hv_icd_request(struct hv_icd *s)
{
	struct hv_ic *ic = &s->ic;
	unsigned long timeout = 0;
	u32 len = 0, op = 0, gen = 0;
	enum hvic_verdict v;
	int ret;

	v = s->ops->request(s, s->out, &len, &op, &timeout);
	if (v != HVIC_OK) {
		hv_ic_reject(ic, v);
		return;
	}
	if (!len)
		return;
	if (hvic_xact_request(&s->x, op, &gen) != HVIC_XD_FORWARD) {
		dev_warn_ratelimited(&ic->dev->device, "%s: no daemon registered: request %u failed (%u so far)\n",
				     ic->name, op, s->x.no_daemon);
		hv_ic_reply(ic, HVIC_E_FAIL);
		return;
	}
	ret = hv_icdev_send(s->cdev, s->out, len);
	if (ret) {
		hvic_xact_send_failed(&s->x, gen);
		dev_warn_ratelimited(&ic->dev->device, "%s: cannot pass request %u to the daemon: %d\n",
				     ic->name, op, ret);
		hv_ic_reply(ic, HVIC_E_FAIL);
		return;
	}
	s->timer_gen = gen;
	mod_delayed_work(system_wq, &s->timeout_work, timeout);
}

static void hv_icd_rx(struct work_struct *work)
{
	struct hv_icd *s = container_of(work, struct hv_icd, rx_work);
	struct hv_ic *ic = &s->ic;

	mutex_lock(&s->lock);
	while (s->running && s->x.state == HVIC_XS_IDLE &&
	       !hv_icd_holding(s) && hv_ic_next(ic) > 0) {
		if (ic->msg.type != s->ops->type) {
			hv_ic_reject(ic, HVIC_BAD_VALUE);
			continue;
		}
		hv_icd_request(s);
	}
	mutex_unlock(&s->lock);
}

static void hv_icd_hold_over(struct work_struct *work)
{
	struct hv_icd *s = container_of(to_delayed_work(work), struct hv_icd,
					hold_work);

	schedule_work(&s->rx_work);
}

static void hv_icd_timeout(struct work_struct *work)
{
	struct hv_icd *s = container_of(to_delayed_work(work), struct hv_icd,
					timeout_work);
	struct hv_ic *ic = &s->ic;
	bool delivered;
	u32 op;

	mutex_lock(&s->lock);
	if (!s->running || s->x.state != HVIC_XS_WAITING ||
	    s->x.gen != s->timer_gen)
		goto out;
	op = s->x.op;
	/* Unread, it is taken back: a daemon must not act on it later. */
	delivered = !hv_icdev_retract(s->cdev);
	if (hvic_xact_timeout(&s->x, s->timer_gen, delivered) != HVIC_XD_FAIL)
		goto out;
	dev_warn_ratelimited(&ic->dev->device, "%s: the daemon %s request %u in time; failed (%u timeouts)\n",
			     ic->name, delivered ? "did not answer" : "did not read",
			     op, s->x.timeouts);
	hv_ic_reply(ic, HVIC_E_FAIL);
	if (s->ops->timed_out)
		s->ops->timed_out(s, op, delivered);
	schedule_work(&s->rx_work);
out:
	mutex_unlock(&s->lock);
}

static void hv_icd_refused(struct hv_icd *s, const struct hvic_xact *before,
			   size_t len)
{
	const char *why = "for no request";

	if (s->x.wrong_op != before->wrong_op)
		why = "for another operation";
	else if (s->x.bad_register != before->bad_register)
		why = "(a registration while a request waits)";
	dev_warn_ratelimited(&s->ic.dev->device, "%s: refused a daemon message of %zu bytes %s\n",
			     s->ic.name, len, why);
}

static int hv_icd_on_msg(void *ctx, const void *msg, size_t len)
{
	struct hv_icd *s = ctx;
	struct hvic_xact before;
	int kind, ret = 0;
	u32 val = 0;

	mutex_lock(&s->lock);
	before = s->x;
	kind = s->ops->classify(s, msg, len, &val);
	if (kind == HV_ICD_REGISTER) {
		if (hvic_xact_register(&s->x, val) != HVIC_XD_NOTHING) {
			hv_icd_refused(s, &before, len);
			ret = -EINVAL;
		} else {
			ret = s->ops->registered(s, val);
			if (ret)
				hvic_xact_close(&s->x);
			else
				dev_info(&s->ic.dev->device, "%s: daemon registered (version %u)\n",
					 s->ic.name, val);
			schedule_work(&s->rx_work);
		}
	} else if (kind == HV_ICD_REPLY) {
		switch (hvic_xact_reply(&s->x, val)) {
		case HVIC_XD_ANSWER:
			cancel_delayed_work(&s->timeout_work);
			if (s->running)
				s->ops->answer(s, msg, len);
			schedule_work(&s->rx_work);
			break;
		case HVIC_XD_DROP:
			dev_info_ratelimited(&s->ic.dev->device, "%s: dropped a late daemon reply (%u so far)\n",
					     s->ic.name, s->x.late);
			break;
		default:
			hv_icd_refused(s, &before, len);
			ret = -EINVAL;
			break;
		}
	} else {
		s->bad_msgs++;
		dev_warn_ratelimited(&s->ic.dev->device, "%s: refused a malformed daemon message of %zu bytes (%u so far)\n",
				     s->ic.name, len, s->bad_msgs);
		ret = kind < 0 ? kind : -EINVAL;
	}
	mutex_unlock(&s->lock);
	return ret;
}

static void hv_icd_on_release(void *ctx)
{
	struct hv_icd *s = ctx;
	u32 op;

	mutex_lock(&s->lock);
	op = s->x.op;
	if (hvic_xact_close(&s->x) == HVIC_XD_FAIL) {
		cancel_delayed_work(&s->timeout_work);
		dev_warn(&s->ic.dev->device, "%s: the daemon closed the device during request %u; failed\n",
			 s->ic.name, op);
		if (s->running)
			hv_ic_reply(&s->ic, HVIC_E_FAIL);
		schedule_work(&s->rx_work);
	}
	mutex_unlock(&s->lock);
}

static const struct hv_icdev_ops hv_icd_dev_ops = {
	.on_msg = hv_icd_on_msg,
	.on_release = hv_icd_on_release,
};

/* For the service's callbacks, under s->lock: a message to the daemon. */
int hv_icd_send(struct hv_icd *s, const void *msg, size_t len, bool owed)
{
	int ret = hv_icdev_send(s->cdev, msg, len);

	if (!ret && owed)
		hvic_xact_owe(&s->x);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_icd_send);

static void hv_icd_callback(void *context)
{
	struct vmbus_channel *chan = context;
	struct hv_icd *s = hv_get_drvdata(chan->device_obj);

	schedule_work(&s->rx_work);
}

static int hv_icd_start(struct hv_icd *s)
{
	int ret;

	ret = hv_ic_open(&s->ic, hv_icd_callback);
	if (ret)
		return ret;
	mutex_lock(&s->lock);
	s->running = true;
	s->hold_until = 0;
	if (s->hold_secs)
		s->hold_until = (jiffies + s->hold_secs * HZ) | 1;
	mutex_unlock(&s->lock);
	if (s->hold_secs)
		schedule_delayed_work(&s->hold_work, s->hold_secs * HZ);
	/* Whatever arrived before running was set waits in the ring. */
	schedule_work(&s->rx_work);
	return 0;
}

static void hv_icd_stop_work(struct hv_icd *s)
{
	cancel_delayed_work_sync(&s->hold_work);
	cancel_delayed_work_sync(&s->timeout_work);
	cancel_work_sync(&s->rx_work);
}

int hv_icd_probe(struct hv_device *dev, const char *name,
		 const struct hvic_versions *vers, u32 buf_size,
		 const struct hv_icd_ops *ops, unsigned int hold_secs)
{
	struct hv_icd *s;
	int ret;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	ret = hv_ic_init(&s->ic, dev, name, vers, buf_size);
	if (ret)
		goto free;
	s->ops = ops;
	s->hold_secs = hold_secs;
	mutex_init(&s->lock);
	hvic_xact_init(&s->x);
	INIT_WORK(&s->rx_work, hv_icd_rx);
	INIT_DELAYED_WORK(&s->timeout_work, hv_icd_timeout);
	INIT_DELAYED_WORK(&s->hold_work, hv_icd_hold_over);
	s->out = kzalloc(ops->max_out, GFP_KERNEL);
	if (!s->out) {
		ret = -ENOMEM;
		goto free_ic;
	}
	hv_set_drvdata(dev, s);
	s->cdev = hv_icdev_create(ops->devname, &hv_icd_dev_ops, s);
	if (IS_ERR(s->cdev)) {
		ret = PTR_ERR(s->cdev);
		goto free_out;
	}
	ret = hv_icd_start(s);
	if (ret)
		goto destroy;
	return 0;
destroy:
	hv_icdev_destroy(s->cdev);
	hv_icd_stop_work(s);
free_out:
	kfree(s->out);
free_ic:
	hv_ic_free(&s->ic);
free:
	kfree(s);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_icd_probe);

OL_HV_REMOVE_RET hv_icd_remove(struct hv_device *dev)
{
	struct hv_icd *s = hv_get_drvdata(dev);
	struct hvic_xact *x = &s->x;

	mutex_lock(&s->lock);
	s->running = false;
	mutex_unlock(&s->lock);
	/* No daemon callback runs after this; a waiting request dies with the channel. */
	hv_icdev_destroy(s->cdev);
	hv_ic_close(&s->ic);
	hv_icd_stop_work(s);
	if (x->timeouts || x->no_daemon || x->late || x->spurious ||
	    x->wrong_op || x->bad_register || s->bad_msgs)
		dev_info(&s->ic.dev->device, "%s: %u requests answered; failed: %u timed out, %u without a daemon; from the daemon: %u late replies dropped; refused: %u spurious, %u wrong operation, %u registrations, %u malformed\n",
			 s->ic.name, x->answered, x->timeouts, x->no_daemon,
			 x->late, x->spurious, x->wrong_op, x->bad_register,
			 s->bad_msgs);
	kfree(s->out);
	hv_ic_free(&s->ic);
	kfree(s);
	return OL_HV_REMOVE_DONE;
}
EXPORT_SYMBOL_GPL(hv_icd_remove);

int hv_icd_suspend(struct hv_device *dev)
{
	struct hv_icd *s = hv_get_drvdata(dev);
	bool delivered;

	mutex_lock(&s->lock);
	s->running = false;
	mutex_unlock(&s->lock);
	vmbus_close(s->ic.chan);
	hv_icd_stop_work(s);

	mutex_lock(&s->lock);
	/* Closing the channel tells the host; the daemon may still answer. */
	if (s->x.state == HVIC_XS_WAITING) {
		delivered = !hv_icdev_retract(s->cdev);
		hvic_xact_abandon(&s->x, delivered);
	}
	if (s->x.registered && s->ops->suspend)
		s->ops->suspend(s);
	mutex_unlock(&s->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(hv_icd_suspend);

int hv_icd_resume(struct hv_device *dev)
{
	return hv_icd_start(hv_get_drvdata(dev));
}
EXPORT_SYMBOL_GPL(hv_icd_resume);
