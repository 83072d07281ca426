# SPDX-License-Identifier: GPL-2.0
"""The emulated Hyper-V host: runs each guest (L2) QEMU of a spec, answers
the guest's requests for host actions, and records the guest's checks.

Runs on the build machine when its KVM has Hyper-V SynIC, and otherwise inside
the outer TCG VM (L1), chrooted into the build machine's root over 9p.

Guest <-> host protocol, one line at a time on the guest's second serial port:
  guest: @@CHECK PASS|FAIL|SKIP <name> <detail>
  guest: @@HOST <action> <args...>     host: @@REPLY <text>
  guest: @@DONE
"""

import base64
import gzip
import hashlib
import json
import os
import re
import shlex
import signal
import shutil
import socket
import subprocess
import sys
import time


QMP_TIMEOUT = 120


class QMP:
    """A minimal QMP client: commands in, their returns out, events kept."""

    def __init__(self, path, deadline):
        self.sock = _connect(path, deadline)
        # A QEMU whose main loop hangs must fail the guest, not the run.
        self.sock.settimeout(QMP_TIMEOUT)
        self.buf = b""
        self.events = []
        self.stray = []
        self.seq = 0
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QMP closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, _execute, **args):
        # (not "name": set_link and others take an argument of that name)
        # Each command carries an id that QEMU echoes: a reply left over from
        # an earlier command can then never be taken for this one's.
        self.seq += 1
        msg = {"execute": _execute, "id": self.seq}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                self.events.append(reply)
                continue
            if reply.get("id") != self.seq:
                self.stray.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError(reply["error"].get("desc", str(reply)))
            return reply.get("return")


def _connect(path, deadline):
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class Host:
    """Host actions a guest scenario may ask for."""

    def __init__(self, qmp, name="", outdir=".", scratch=None):
        self.qmp = qmp
        self.name = name
        self.outdir = outdir
        # Where the files a guest copies in are made: in the outer VM, its
        # memory (the output folder is the build machine's, over 9p, every
        # 6 KiB fragment of a copy a 9p read through the emulation).
        self.scratch = scratch or outdir
        self.files = []

    def data_path(self, name, key):
        return os.path.join(self.outdir, f"{name}.{key}.txt")

    def do_compare(self, key):
        """Compare the lines this guest sent as @@DATA <key> with those of
        the in-tree stack's guest on the same kernel in this run, which is
        the reference (run it first: --stack intree,...)."""
        if not re.fullmatch(r"[a-z0-9-]+", key):
            return f"error bad key {key}"
        mine = self.data_path(self.name, key)
        if not os.path.exists(mine):
            return "error this guest sent no data"
        kernel, _, stack = self.name.partition("-")
        if stack == "intree":
            n = sum(1 for _ in open(mine))
            return f"reference {n}"
        ref = self.data_path(f"{kernel}-intree", key)
        if not os.path.exists(ref):
            return "none"
        a = open(ref).read().splitlines()
        b = open(mine).read().splitlines()
        if a == b:
            return f"same {len(a)}"
        sa, sb = set(a), set(b)
        only_ref = [x for x in a if x not in sb]
        only_mine = [x for x in b if x not in sa]
        with open(os.path.join(self.outdir, f"{self.name}.{key}.diff"), "w") as f:
            f.write(f"# - only in {kernel}-intree, + only in {self.name}\n")
            f.writelines(f"-{x}\n" for x in only_ref)
            f.writelines(f"+{x}\n" for x in only_mine)
        first = " | ".join((["-" + x for x in only_ref] +
                            ["+" + x for x in only_mine])[:3])
        return f"differ {len(only_ref)} {len(only_mine)} {first}"

    def act(self, words):
        name, args = words[0], words[1:]
        fn = getattr(self, "do_" + name.replace("-", "_"), None)
        if fn is None:
            return f"error unknown host action {name}"
        try:
            return fn(*args)
        except (socket.timeout, EOFError):
            raise   # QEMU itself stopped answering: the guest is lost
        except Exception as e:  # reported to the guest, which fails its check
            return f"error {type(e).__name__}: {e}"

    def do_balloon(self, value):
        self.qmp.cmd("balloon", value=int(value))
        return "ok"

    def do_query_balloon(self):
        return str(self.qmp.cmd("query-balloon")["actual"])

    def do_wait_balloon(self, value, seconds):
        """Poll until the host sees the guest at the target (within 4 MiB);
        the reply carries the guest's size and the seconds it took."""
        start = time.monotonic()
        want, end = int(value), start + float(seconds)
        while True:
            actual = self.qmp.cmd("query-balloon")["actual"]
            if abs(actual - want) < 4 << 20:
                return f"ok {actual} {time.monotonic() - start:.3f}"
            if time.monotonic() > end:
                return f"timeout {actual}"
            time.sleep(0.05)

    def do_qmp(self, *words):
        msg = json.loads(" ".join(words))
        return json.dumps(self.qmp.cmd(msg["execute"], **msg.get("arguments", {})))

    def do_peer(self):
        """How netvsc-peer's network namespace came up (tests/vm/peer/up.sh,
        QEMU's script for the tap): "up <namespace> <tap> iperf3=yes|no" or
        "none: <why>"."""
        path = os.path.join(os.environ.get("OPENLIS_PEER_DIR", "/run/openlis-peer"),
                            "status")
        try:
            return "; ".join(open(path).read().split("\n")).strip("; ")
        except FileNotFoundError:
            return "none: no status from tests/vm/peer/up.sh"

    def do_time(self):
        return str(time.time())

    def do_mkfile(self, mib):
        """A host file of random data for a file copy: "<path> <sha256>".
        Removed when the guest's run ends (remove_files)."""
        n = int(mib)
        if not 0 < n <= 4096:
            return f"error size {mib} MiB out of 1..4096"
        path = os.path.join(self.scratch,
                            f"{self.name}.hostfile{len(self.files)}")
        digest = hashlib.sha256()
        with open(path, "wb") as f:
            for _ in range(n):
                chunk = os.urandom(1 << 20)
                digest.update(chunk)
                f.write(chunk)
        self.files.append(path)
        return f"{path} {digest.hexdigest()}"

    def remove_files(self):
        for path in self.files:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def _poweroff_result(proc, checks, console, required):
    """The guest was asked to power off: QEMU must exit, cleanly, after the
    kernel said it powers down (a reset or a crash ends QEMU too), and the
    checks the scenario named as due on the way down must have come."""
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        checks.append(("FAIL", "guest.poweroff",
                       "QEMU still runs 60 s after the guest's port closed"))
        return
    with open(console, errors="replace") as f:
        powered_down = "reboot: Power down" in f.read()
    if proc.returncode != 0:
        checks.append(("FAIL", "guest.poweroff",
                       f"QEMU exited with status {proc.returncode}"))
    elif not powered_down:
        checks.append(("FAIL", "guest.poweroff",
                       "QEMU exited (status 0) but the kernel never said "
                       "'reboot: Power down': a reset, not a power-off"))
    else:
        checks.append(("PASS", "guest.poweroff",
                       "the guest powered off as requested (reboot: Power down, "
                       "QEMU status 0)"))
    seen = {name for _, name, _ in checks}
    for name in required:
        if name not in seen:
            checks.append(("FAIL", name, "never reported before the power-off"))


def run_guest(run, outdir):
    """Boot one guest, serve it until @@DONE or its deadline; return checks."""
    name = run["name"]
    sockdir = run.get("sockdir") or outdir
    os.makedirs(sockdir, exist_ok=True)
    qmp_path = os.path.join(sockdir, f"{name}.qmp")
    ctl_path = os.path.join(sockdir, f"{name}.ctl")
    for p in (qmp_path, ctl_path):
        if os.path.exists(p):
            os.unlink(p)
    console = os.path.join(outdir, f"{name}.console.log")
    argv = run["qemu"] + [
        "-display", "none", "-no-reboot",
        "-serial", f"file:{console}",
        "-chardev", f"socket,id=ctl,path={ctl_path},server=on,wait=off",
        "-serial", "chardev:ctl",
        "-qmp", f"unix:{qmp_path},server=on,wait=off",
    ]
    started = time.monotonic()
    deadline = started + run.get("timeout", 600)
    checks = []
    log = open(os.path.join(outdir, f"{name}.host.log"), "w")
    log.write("qemu: " + " ".join(shlex.quote(a) for a in argv) + "\n")
    log.flush()
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    done = False
    # A scenario that asks the host to power the guest off says so first; the
    # guest going away is then the expected result, not a failure. It may
    # name checks that must come on the way down.
    poweroff_expected = False
    poweroff_checks = []
    heard = False
    last_heard = started
    host = None
    try:
        qmp = QMP(qmp_path, time.monotonic() + 30)
        host = Host(qmp, name, outdir, sockdir)
        for p in [f for f in os.listdir(outdir)
                  if f.startswith(name + ".") and f.endswith(".txt")]:
            os.unlink(os.path.join(outdir, p))
        ctl = _connect(ctl_path, time.monotonic() + 30)
        ctl.settimeout(1.0)
        buf = b""
        while not done:
            if heard and time.monotonic() > last_heard + SILENCE_DEADLINE:
                checks.append(("FAIL", "guest.exit",
                               f"the guest said nothing for {SILENCE_DEADLINE} s: "
                               "it hung"))
                break
            if not heard and time.monotonic() > started + BOOT_DEADLINE:
                checks.append(("FAIL", "guest.exit",
                               f"the guest said nothing within {BOOT_DEADLINE} s "
                               "of starting: it hung in boot"))
                break
            if time.monotonic() > deadline:
                checks.append(("FAIL", "guest.deadline",
                               f"no @@DONE within {run.get('timeout', 600)} s"))
                break
            # After an expected power-off the port is read to its end:
            # the last checks may still be in it.
            if proc.poll() is not None and not poweroff_expected:
                checks.append(("FAIL", "guest.exit",
                               f"QEMU exited ({proc.returncode}) before @@DONE"))
                break
            try:
                chunk = ctl.recv(4096)
            except socket.timeout:
                continue
            if not chunk and poweroff_expected:
                _poweroff_result(proc, checks, console, poweroff_checks)
                done = True
                break
            if not chunk:
                # Its exit status tells a reset (0) from a crash.
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
                checks.append(("FAIL", "guest.exit",
                               f"the guest's control port closed before @@DONE "
                               f"(QEMU status {proc.returncode})"))
                break
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode(errors="replace").strip("\r\x00 ")
                if not line.startswith("@@"):
                    continue
                heard = True
                last_heard = time.monotonic()
                log.write(f"[{time.monotonic() - started:7.1f}] {line}\n")
                log.flush()
                words = line.split()
                if words[0] == "@@CHECK" and len(words) >= 3:
                    checks.append((words[1], words[2], " ".join(words[3:])))
                    print(f"  {words[1]:4} [{name}] {words[2]} {' '.join(words[3:])}",
                          flush=True)
                elif words[0] == "@@HOST" and len(words) >= 2:
                    reply = host.act(words[1:])
                    log.write(f"[{time.monotonic() - started:7.1f}] -> {reply}\n")
                    for stray in qmp.stray:
                        log.write(f"  (QMP reply to no pending command: {stray})\n")
                    qmp.stray.clear()
                    ctl.sendall(f"@@REPLY {reply}\n".encode())
                elif words[0] == "@@DATA" and len(words) >= 2 and \
                        re.fullmatch(r"[a-z0-9-]+", words[1]):
                    # One line of a listing to compare across stacks.
                    rest = line.split(None, 2)[2] if len(words) > 2 else ""
                    with open(host.data_path(name, words[1]), "a") as f:
                        f.write(rest + "\n")
                    continue
                elif words[0] == "@@DATAZ" and len(words) == 3 and \
                        re.fullmatch(r"[a-z0-9-]+", words[1]):
                    # A whole listing, gzip and base64: every byte on the
                    # emulated UART costs a trip through the outer VM.
                    try:
                        text = gzip.decompress(base64.b64decode(words[2]))
                    except (ValueError, OSError, EOFError) as e:
                        checks.append(("FAIL", f"{words[1]}.data",
                                       f"undecodable listing: {e}"))
                        continue
                    with open(host.data_path(name, words[1]), "wb") as f:
                        f.write(text)
                    continue
                elif words[0] == "@@POWEROFF-EXPECTED":
                    poweroff_expected = True
                    poweroff_checks = words[2:]
                elif words[0] == "@@DONE":
                    done = True
        if done:
            proc.wait(timeout=max(5, deadline - time.monotonic()))
    except Exception as e:
        why = f"{type(e).__name__}: {e}"
        if isinstance(e, socket.timeout) and proc.poll() is None:
            _backtrace(proc.pid, log)
        if proc.poll() is not None:
            log.flush()
            last = open(log.name).read().strip().splitlines()[-1:]
            why = f"QEMU exited ({proc.returncode}): {' '.join(last)}"
        checks.append(("FAIL", "host.error", why))
    finally:
        if host:
            host.remove_files()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.write(f"qemu exit status {proc.returncode}\n")
        log.write(f"elapsed {time.monotonic() - started:.1f} s\n")
        log.close()
    if not checks:
        checks.append(("FAIL", "guest.checks", "the scenario reported no check"))
    with open(os.path.join(outdir, f"{name}.results"), "w") as f:
        for status, check, detail in checks:
            f.write(f"{status} {check} {detail}\n")
    return checks


def _backtrace(pid, log):
    """Every thread's stack of a QEMU whose QMP went silent, into its log:
    which lock or loop holds the main loop is the whole question."""
    gdb = shutil.which("gdb")
    if not gdb:
        log.write("no gdb here: no backtrace of the silent QEMU\n")
        return
    try:
        out = subprocess.run([gdb, "-p", str(pid), "-batch", "-nx",
                              "-ex", "thread apply all bt"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=120).stdout
    except subprocess.TimeoutExpired:
        out = "gdb did not finish within 120 s\n"
    log.write("==== backtrace of the silent QEMU\n" + out + "==== end\n")
    log.flush()


VANISHED = ("guest.exit", "host.error", "guest.deadline")
# A guest boots to its first check in about 20 s under emulation on an idle
# machine, and in well over 100 s on a busy one.
BOOT_DEADLINE = 240
# No scenario waits longer than 180 s between two lines.
SILENCE_DEADLINE = 300


def vanished(checks):
    """The guest went away without a kernel message: infrastructure, or a
    bug that a second attempt shows again."""
    return any(st == "FAIL" and name in VANISHED for st, name, _ in checks)


# Attempts a guest gets before its loss is a failure: the nested route
# loses guests of either stack now and then (tests/host/README.md), and a
# real bug loses every attempt.
ATTEMPTS = 3


def add_loss(run, what):
    """Add a lost attempt to what the guest's retried line will name."""
    run["retry_why"] = "; ".join(filter(None, [run.get("retry_why"), what]))


def keep_attempt(outdir, name, attempt):
    """Keep a lost attempt's logs beside the next attempt's."""
    for ext in ("console.log", "host.log", "results"):
        src = os.path.join(outdir, f"{name}.{ext}")
        if os.path.exists(src):
            os.replace(src, f"{src}.attempt{attempt}")


def main():
    spec_path = sys.argv[1]
    with open(spec_path) as f:
        spec = json.load(f)
    outdir = os.path.dirname(os.path.abspath(spec_path))
    # In an outer VM a guest that vanished may have taken the outer VM's
    # KVM down with it (a next attempt there has been seen to die in its
    # first seconds): run.py retries it in a new outer VM instead.
    retry_outside = spec.get("retry_outside", False)
    for run in spec["runs"]:
        if spec.get("sockdir"):
            run["sockdir"] = spec["sockdir"]
        attempt = run.get("attempt", 1)
        while True:
            print(f"== guest {run['name']}", flush=True)
            checks = run_guest(run, outdir)
            gone = vanished(checks)
            if not gone or attempt >= ATTEMPTS:
                break
            why = "; ".join(d for st, n, d in checks if n in VANISHED)
            keep_attempt(outdir, run["name"], attempt)
            if retry_outside:
                print(f"  NOTE [{run['name']}] attempt {attempt} vanished "
                      f"({why}): the guest runs again in a new outer VM, "
                      "with the guests after it", flush=True)
                with open(os.path.join(outdir, f"{run['name']}.vanished"),
                          "w") as f:
                    f.write(why + "\n")
                break
            print(f"  NOTE [{run['name']}] attempt {attempt} vanished "
                  f"({why}): running it again", flush=True)
            add_loss(run, f"attempt {attempt} vanished: {why}")
            attempt += 1
        # Handed on to a new outer VM: no results here yet.
        handed_on = gone and retry_outside and attempt < ATTEMPTS
        if run.get("retry_why") and not handed_on:
            with open(os.path.join(outdir, f"{run['name']}.results"), "a") as f:
                f.write(f"SKIP guest.retried {run['retry_why']}\n")
        if gone and retry_outside:
            break
    with open(os.path.join(outdir, "hostside.done"), "w") as f:
        f.write("ok\n")


if __name__ == "__main__":
    main()
