#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Boot kernels of the matrix as Hyper-V guests on an emulated Hyper-V host
(QEMU's VMBus and hv-balloon), with the openlis stack or the kernel's in-tree
one, run named scenarios inside and report every check.

  tests/vm/run.py --kernel 6.1,6.12 --stack intree,openlis \\
                  --scenario vmbus-connect,balloon-resize

A scenario whose header says "# rootfs: debian" runs in a guest that boots
on into a Debian root file system with systemd (tests/vm/rootfs.sh builds
it), with openlis's modules installed under updates/ as DKMS puts them and,
on the stacks with openlis's clients, openlis's daemons; the others run from
the busybox initramfs as before. --rootfs debian runs every scenario there;
its disk sits on the VMBus SCSI controller as on Hyper-V and Azure
(--root-disk virtio puts it on virtio-blk instead).

A scenario whose header says "# rootfs: dkms" runs in guests whose image
was made as a user's is (tests/vm/rootfs.sh dkms-<kernel>): each boots a
stage of that image, its own kernel and initramfs, with its root on the
VMBus SCSI controller, and the harness loads nothing. The image's stages
file says which: on the openlis stack, each stage where `make dkms-install`
or a kernel update after it put openlis on the kernel (one guest each), on
the in-tree stack the image after `make dkms-remove`.

A guest runs on Debian's QEMU, or on openlis's build of it
(scripts/build-qemu.sh) when a scenario uses one of openlis's host models
or its header says "# host: openlis-qemu": the balloon scenarios, whose
QMP balloon targets make Debian's hv-balloon abort now and then
(tests/host/patches).

The route (OPENLIS_ROUTE, or --route; named in every run's log):
  kvm     /dev/kvm offers Hyper-V SynIC: the guests run under it directly;
  tcg     the guests run under QEMU's TCG, with Hyper-V's guest interface
          emulated by openlis's QEMU (tests/host/patches/tcg-hyperv.patch);
  nested  an outer TCG VM (L1) provides a KVM that has SynIC, and the guests
          run inside it: a guest lost there runs again in a new outer VM
          (hostside.ATTEMPTS attempts in all).
auto (the default) is kvm where the machine's KVM can, else tcg.
"""

import argparse
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import initramfs  # noqa: E402
import hostside  # noqa: E402

CACHE = os.environ.get("OPENLIS_CACHE", os.path.expanduser("~/.cache/openlis"))
QEMU = os.environ.get("OPENLIS_QEMU", "qemu-system-x86_64")
L1_KERNEL = "6.12"
# The newest VMBus version QEMU's host accepts (hw/hyperv/vmbus.c: WIN10).
QEMU_VMBUS_VERSION = "4.0"

# Every guest is the same Hyper-V VM: 1 GiB at boot, and a Dynamic Memory
# device that can hot-add up to 1 GiB more. hv-balloon places its memory
# 32 GiB-aligned (the largest alignment a guest may ask for), so maxmem must
# leave room for that; it is address space only, nothing is allocated.
GUEST_MEM, GUEST_MAXMEM, HOTADD_MEM = "1G", "40G", "1G"

KVM_CHECK_EXTENSION = 0xAE03
KVM_CAP_HYPERV_SYNIC2 = 148

HV_CPU = ("host,kvm=off,hv-relaxed,hv-vapic,hv-time,hv-vpindex,hv-synic,"
          "hv-runtime,hv-stimer")
# Under TCG: what tcg-hyperv.patch implements (hv-time is the reference
# counter, without the TSC page; no hv-vapic).
HV_CPU_TCG = "max,hv-relaxed,hv-time,hv-vpindex,hv-synic,hv-runtime,hv-stimer"
ROUTES = ("auto", "kvm", "tcg", "nested")


def time_left():
    """Seconds left before OPENLIS_VM_DEADLINE (epoch seconds), or None."""
    deadline = os.environ.get("OPENLIS_VM_DEADLINE")
    if not deadline:
        return None
    return int(deadline) - time.time()


def budget_cuts(runs, what):
    """FAIL lines for guests the check's time budget leaves out: a check
    cut for time has not passed."""
    return [(r["name"], f"guest.ran {what}: the check's time budget "
             "(OPENLIS_VM_DEADLINE) ran out; run this group on its own")
            for r in runs]


def log(msg):
    print(msg, flush=True)


def kvm_has_synic2():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError:
        return False
    try:
        return fcntl.ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV_SYNIC2) > 0
    except OSError:
        return False
    finally:
        os.close(fd)


def fetch_kernel(name):
    # <name>-debug: the debug build of a matrix kernel, which
    # scripts/build-debug-kernel.sh (make debug-kernel) leaves in the cache.
    if name.endswith("-debug"):
        cmd = [os.path.join(TOP, "scripts/build-debug-kernel.sh"), "--cached"]
    else:
        cmd = [os.path.join(TOP, "scripts/fetch-kernel.sh"), name]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    d = out.stdout.strip().splitlines()[-1]
    return {
        "name": name,
        "dir": d,
        "kdir": os.path.realpath(os.path.join(d, "kdir")),
        "vmlinuz": os.path.realpath(os.path.join(d, "vmlinuz")),
        "modules": os.path.realpath(os.path.join(d, "modules")),
        "abi": open(os.path.join(d, "abi")).read().strip(),
    }


# The kernel options that build in a module the scenarios name.
BUILTIN_OPTIONS = {"hv_vmbus": ("CONFIG_HYPERV=y", "CONFIG_HYPERV_VMBUS=y")}


def builtin_modules(kernel):
    """The modules of BUILTIN_OPTIONS this kernel has built in (Debian 7.x:
    its VMBus core), from its headers' .config."""
    try:
        config = open(os.path.join(kernel["kdir"], ".config")).read().split()
    except OSError:
        return []
    mods = [m for m, opts in BUILTIN_OPTIONS.items()
            if any(o in config for o in opts)]
    # A kernel of our own config builds in what Debian's has as modules.
    try:
        with open(os.path.join(kernel["modules"], "modules.builtin")) as f:
            mods += [os.path.basename(ln.strip())[:-3] for ln in f
                     if ln.strip().endswith(".ko")]
    except OSError:
        pass
    return mods


def build_openlis(kernel, workdir):
    """Build openlis against a kernel in a private copy of the tree; return
    {module name: .ko path}."""
    src = os.path.join(workdir, f"build-{kernel['name']}")
    subprocess.run(["rsync", "-a", "--delete", "--exclude", ".git",
                    "--exclude", "build", TOP + "/", src + "/"], check=True)
    r = subprocess.run(["make", "-C", src, f"KDIR={kernel['kdir']}", "modules"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    with open(os.path.join(workdir, f"build-{kernel['name']}.log"), "w") as f:
        f.write(r.stdout)
    if r.returncode != 0:
        raise RuntimeError(f"openlis build for {kernel['name']} failed:\n"
                           + r.stdout[-3000:])
    kos = {}
    for root, dirs, files in os.walk(src):
        # tests/kmod holds test clients for every stack, not openlis modules.
        if root == src:
            dirs[:] = [d for d in dirs if d != "tests"]
        for f in files:
            if f.endswith(".ko"):
                kos[f[:-3].replace("-", "_")] = os.path.join(root, f)
    return kos


_testmods = {}


def build_testmods(kernel, workdir):
    """tests/kmod built for a kernel: {module name: .ko path}. They use only
    the exported VMBus API, so every stack's guest can load them."""
    if kernel["name"] in _testmods:
        return _testmods[kernel["name"]]
    src = os.path.join(workdir, f"testmods-{kernel['name']}")
    subprocess.run(["rsync", "-a", "--delete", os.path.join(TOP, "tests/kmod") + "/",
                    src + "/"], check=True)
    r = subprocess.run([os.path.join(TOP, "scripts/kmake.sh"), kernel["kdir"],
                        "-C", kernel["kdir"], f"M={src}", "modules"],
                       # kmake.sh's chroot sees the folder it starts in
                       cwd=src,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(src + ".log", "w") as f:
        f.write(r.stdout)
    if r.returncode != 0:
        raise RuntimeError(f"tests/kmod build for {kernel['name']} failed:\n"
                           + r.stdout[-3000:])
    _testmods[kernel["name"]] = {f[:-3]: os.path.join(src, f)
                                 for f in os.listdir(src) if f.endswith(".ko")}
    return _testmods[kernel["name"]]


def scenario_meta(name):
    path = os.path.join(HERE, "scenarios", name + ".sh")
    if not os.path.exists(path):
        raise SystemExit(f"no scenario {name} ({path})")
    meta = {"modules": [], "qemu": [], "timeout": 120, "cmdline": [],
            "rootfs": None, "testmods": [], "host": None, "core": None,
            "tools": [], "alt": [], "peer": []}
    for line in open(path):
        m = re.match(r"#\s*(modules|qemu|timeout|cmdline|rootfs|testmods|host|core|tools|alt|peer):\s*(.*)",
                     line)
        if not m:
            continue
        key, val = m.group(1), m.group(2).strip()
        if key == "timeout":
            meta["timeout"] = int(val)
        elif key == "rootfs":
            if val not in ROOTFS:
                raise SystemExit(f"{path}: unknown rootfs {val}: one of "
                                 f"{', '.join(ROOTFS)}")
            meta["rootfs"] = val
        elif key == "host":
            # "openlis-qemu": the host needs openlis's build of QEMU,
            # with its fixes to QEMU's own devices (tests/host/patches).
            if val != "openlis-qemu":
                raise SystemExit(f"{path}: unknown host {val}: openlis-qemu")
            meta["host"] = val
        elif key == "core":
            # "modular": the scenario needs the SynIC without a VMBus core,
            # which a kernel with the core built in cannot give it.
            if val != "modular":
                raise SystemExit(f"{path}: unknown core {val}: modular")
            meta["core"] = val
        elif key == "qemu":
            # One device per line, so scenarios sharing a device share it.
            meta["qemu"].append(val)
        elif key == "peer":
            # QEMU lines of the peer namespace's tap, kept only where the
            # build machine can make one (peer_unavailable); {vm} is
            # tests/vm, where the tap's scripts are (tests/vm/peer).
            meta["peer"].append(val.replace("{vm}", HERE))
        elif key == "tools":
            for t in val.split():
                if t not in GUEST_TOOLS:
                    raise SystemExit(f"{path}: unknown tool {t}: one of "
                                     f"{', '.join(GUEST_TOOLS)}")
            meta["tools"] += val.split()
        else:
            meta[key] += val.split()
    return path, meta


IC_SERVICES = ("hv_heartbeat", "hv_timesync", "hv_shutdown", "hv_kvp",
               "hv_vss", "hv_fcopy")
# Devices of QEMU's own; any other hv- device is one of openlis's host models
# (tests/host), which only the QEMU that scripts/build-qemu.sh builds has.
QEMU_OWN_DEVICES = ("hv-balloon", "hv-syndbg")
_built_qemu = []


def guest_qemu(qemu_extra, built=False):
    """The QEMU binary a guest needs: Debian's, or openlis's build of it when
    a scenario uses one of openlis's host models or asks for it (@built)."""
    wanted = [a.split(",")[0] for q in qemu_extra for a in q.split()
              if a.startswith("hv-") and a.split(",")[0] not in QEMU_OWN_DEVICES]
    if not (wanted or built) or "OPENLIS_QEMU" in os.environ:
        return QEMU
    if not _built_qemu:
        log("   building openlis's QEMU (its host models, its fixes to "
            "QEMU's own devices)")
        out = subprocess.run([os.path.join(TOP, "scripts/build-qemu.sh")],
                             check=True, stdout=subprocess.PIPE, text=True)
        _built_qemu.append(out.stdout.strip().splitlines()[-1])
    return _built_qemu[0]


ROOTFS = ("debian", "dkms")
# What the initramfs needs to mount the root file system, where the kernel
# has it as a module (ext4 checksums its metadata with crc32c, a soft
# dependency that modinfo's depends does not list), besides its disk's
# driver.
ROOTFS_BOOT_MODULES = ("crc32c_generic", "ext4")
# The controllers the root file system's disk can sit on (--root-disk):
# the VMBus SCSI controller (tests/host/hv-scsi.c) as on Hyper-V and
# Azure, under the stack's hv_storvsc (openlis's where DKMS installs it),
# or virtio-blk. Each: the guest's device, its drivers, and QEMU's
# arguments for a drive of the given options.
ROOT_DISKS = {
    "virtio": ("/dev/vda", ("virtio_pci", "virtio_blk"),
               lambda drive: ["-drive", f"{drive},if=virtio"]),
    "hv-scsi": ("/dev/sda", ("hv_vmbus", "sd_mod", "hv_storvsc"),
                lambda drive: ["-drive", f"{drive},if=none,id=hvroot0",
                               "-device", "hv-scsi,id=hvroot",
                               "-device", "scsi-hd,bus=hvroot.0,drive=hvroot0,"
                               "channel=0,scsi-id=0,lun=0,serial=openlis-root"]),
}
ROOT_DISK = os.environ.get("OPENLIS_ROOT_DISK", "hv-scsi")
# Stacks whose user space is openlis's daemons rather than Debian's.
DAEMON_STACKS = ("openlis", "openlis-clients", "openlis-daemons")
# Systemd's boot and power-off in the guest, on top of the scenarios' own
# timeouts (under nested emulation on a busy machine a boot takes minutes).
ROOTFS_BOOT_TIME = 420
_rootfs_images = {}


def rootfs_image(kernel, rootfs):
    """The cached root file system image for a kernel (built if missing);
    for dkms, the folder of the stages of the kernel's image."""
    what = (f"dkms-{kernel['name']}" if rootfs == "dkms"
            else kernel["name"])
    key = (what, rootfs)
    if key not in _rootfs_images:
        log(f"   root file system {rootfs} for {what}"
            " (built once, a few minutes; dkms's about 15)")
        out = subprocess.run([os.path.join(HERE, "rootfs.sh"), what],
                             check=True, stdout=subprocess.PIPE, text=True)
        _rootfs_images[key] = out.stdout.strip().splitlines()[-1]
    return _rootfs_images[key]


def depmod_index(kernel, name, overrides, workdir):
    """modprobe's index for the kernel's modules plus openlis's under
    updates/openlis, as depmod makes it where DKMS installs them: made here
    rather than in the guest, where reading every module (xz-compressed on
    newer kernels) takes minutes under emulation. Returns {file: path}."""
    base = os.path.join(workdir, f"depmod-{name}")
    moddir = os.path.join(base, "lib/modules", kernel["abi"])
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(os.path.join(moddir, "updates/openlis"))
    os.symlink(os.path.join(kernel["modules"], "kernel"),
               os.path.join(moddir, "kernel"))
    for f in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        src = os.path.join(kernel["modules"], f)
        if os.path.exists(src):
            shutil.copy2(src, moddir)
    for mod, ko in overrides.items():
        shutil.copy2(ko, os.path.join(moddir, "updates/openlis", mod + ".ko"))
    subprocess.run(["/sbin/depmod", "-b", base, kernel["abi"]], check=True)
    return {f: os.path.join(moddir, f) for f in os.listdir(moddir)
            if f.startswith("modules.") and f not in (
                "modules.order", "modules.builtin", "modules.builtin.modinfo")}


# Programs a scenario asks for (its "tools:" line), each from its script,
# which prints the binary's path last: a static build (fio), or the build
# machine's own program (iperf3, which Debian ships only dynamically
# linked), which the guest then gets with the shared libraries it loads.
# Only guests that use one carry it.
GUEST_TOOLS = {"fio": "scripts/build-fio.sh",
               "iperf3": "scripts/host-iperf3.sh"}
_guest_tools = {}


def guest_tool(name):
    """A scenario's tool for the guest as {dest: path}, at /bin/<name> with
    the shared libraries of a dynamic one at their own paths (found once)."""
    if name not in _guest_tools:
        out = subprocess.run([os.path.join(TOP, GUEST_TOOLS[name])],
                             check=True, stdout=subprocess.PIPE, text=True)
        path = out.stdout.strip().splitlines()[-1]
        files = {f"/bin/{name}": path}
        ldd = subprocess.run(["ldd", path], capture_output=True, text=True)
        for lib in re.findall(r"(/\S+) \(0x", ldd.stdout):
            files[lib] = os.path.realpath(lib)
        _guest_tools[name] = files
    return _guest_tools[name]


def peer_unavailable(route):
    """Why a tap into a network namespace of the run's own (tests/vm/peer)
    cannot be made here, or None. Without one, a scenario's peer: lines are
    left out, and tests/vm/peer's status says why, so that the scenario
    skips."""
    if route not in ("kvm", "tcg"):
        return f"the {route} route runs QEMU away from the build machine"
    if os.geteuid() != 0:
        return "not root"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    if not shutil.which("ip"):
        return "no ip command"
    r = subprocess.run(["unshare", "--net", "true"], capture_output=True,
                       text=True)
    if r.returncode:
        return f"no network namespace: {r.stderr.strip()}"
    return None


def peer_status_none(why):
    """Tell the guest's host peer action that no peer came up, and why."""
    d = os.environ.get("OPENLIS_PEER_DIR", "/run/openlis-peer")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "status"), "w") as f:
        f.write(f"none: {why}\n")


def build_guest_tools(workdir):
    """tests/vm/guest's helpers, static for the busybox guest: {dest: path}."""
    out = os.path.join(workdir, "ethtool-lite")
    if not os.path.exists(out):
        subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror",
                        "-o", out, os.path.join(HERE, "guest/ethtool-lite.c")],
                       check=True)
    return {"/bin/ethtool-lite": out}


def build_daemons(workdir):
    """openlis's daemons, units and udev rules, installed into a staging
    tree laid out for a merged-/usr Debian; return {dest path: source}."""
    src = os.path.join(workdir, "daemons")
    dest = os.path.join(workdir, "daemons-root")
    if not os.path.isdir(dest):
        subprocess.run(["rsync", "-a", "--delete", "--exclude", "build",
                        os.path.join(TOP, "daemons") + "/", src + "/"],
                       check=True)
        r = subprocess.run(
            ["make", "-C", src, "install", f"DESTDIR={dest}.tmp",
             "PREFIX=/usr", "UNITDIR=/usr/lib/systemd/system",
             "UDEVDIR=/usr/lib/udev/rules.d"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with open(os.path.join(workdir, "daemons-build.log"), "w") as f:
            f.write(r.stdout)
        if r.returncode != 0:
            raise RuntimeError("openlis's daemons did not build:\n"
                               + r.stdout[-3000:])
        os.rename(dest + ".tmp", dest)
    files = {}
    for root, _d, names in os.walk(dest):
        for n in names:
            path = os.path.join(root, n)
            files["/" + os.path.relpath(path, dest)] = path
    return files


STACKS = {
    "intree": "the kernel's own modules",
    "openlis": "openlis's modules wherever openlis builds one",
    "openlis-core": "openlis's hv_vmbus under the kernel's own clients",
    "openlis-clients": "openlis's clients on the kernel's own hv_vmbus",
    # Compatibility both ways in the systemd guest: Debian's hyperv-daemons
    # on openlis's modules, openlis's daemons on the kernel's modules.
    "openlis-modules": "openlis's modules under Debian's daemons",
    "openlis-daemons": "openlis's daemons on the kernel's own modules",
}


# Stacks that run the kernel's own modules.
KERNEL_MODULE_STACKS = ("intree", "openlis-daemons")


def stack_modules(stack, kos):
    """The openlis modules that replace the kernel's in a given stack."""
    if stack in KERNEL_MODULE_STACKS:
        return {}
    if stack in ("openlis", "openlis-modules"):
        return dict(kos)
    if stack == "openlis-core":
        return {k: v for k, v in kos.items() if k == "hv_vmbus"}
    if stack == "openlis-clients":
        return {k: v for k, v in kos.items() if k != "hv_vmbus"}
    raise SystemExit(f"unknown stack {stack}: one of {', '.join(STACKS)}")


def fcopy_mib():
    """The size of daemons-fcopy's big copy, in MiB (OPENLIS_FCOPY_MIB)."""
    return int(os.environ.get("OPENLIS_FCOPY_MIB", "100"))


def dkms_stages(kernel, stack):
    """The stages of the kernel's dkms image that a stack's guests boot,
    each (stage, how openlis came or went: install, update or remove), or
    a string saying why there are none."""
    folder = rootfs_image(kernel, "dkms")
    stages = []
    with open(os.path.join(folder, "stages")) as f:
        for line in f:
            stage, st, abi, role = line.split()
            if st == stack and abi == kernel["abi"]:
                stages.append((stage, role))
    return stages or (f"the dkms image has no stage for {kernel['abi']} "
                      f"on the {stack} stack")


def harness_archive(path, files):
    """The harness's files as a tar archive, {dest: source}, for a guest
    that fetches them from the host (guest/systemd/fetch-harness)."""
    with tarfile.open(path, "w") as tar:
        for dest, src in sorted(files.items()):
            tar.add(src, arcname=dest.lstrip("/"))
    return path


def make_run(kernel, stack, scenarios, workdir, openlis_kos, rootfs, route,
             dkms=None):
    """One guest's spec; for a dkms rootfs, of the image's stage dkms
    (dkms_stages)."""
    name = f"{kernel['name']}-{stack}" + (f"-{rootfs}" if rootfs else "")
    if rootfs == "dkms":
        stage, role = dkms
        name += f"-{stage}"
        stage_dir = os.path.join(rootfs_image(kernel, rootfs), stage)
    # The boot itself: a minute on a busy machine under emulation.
    modules, qemu_extra, cmdline, timeout = [], [], [], 120
    testmods, built_qemu, alts = [], False, []
    files = {"/lib/openlis/lib.sh": os.path.join(HERE, "guest/lib.sh")}
    files.update(build_guest_tools(workdir))
    for s in scenarios:
        path, meta = scenario_meta(s)
        files[f"/scenarios/{s}.sh"] = path
        modules += [m for m in meta["modules"] if m not in modules]
        qemu_extra += [q for q in meta["qemu"] if q not in qemu_extra]
        if meta["peer"]:
            why = peer_unavailable(route)
            if why:
                log(f"   {s}: no peer namespace ({why}): it skips")
                peer_status_none(why)
            else:
                qemu_extra += [q for q in meta["peer"] if q not in qemu_extra]
        cmdline += meta["cmdline"]
        timeout += meta["timeout"]
        testmods += [m for m in meta["testmods"] if m not in testmods]
        alts += [m for m in meta["alt"] if m not in alts]
        for t in meta["tools"]:
            files.update(guest_tool(t))
        built_qemu = built_qemu or meta["host"] == "openlis-qemu"
    # The scenario's own timeout is for make check's 100 MiB copy; a bigger
    # one (OPENLIS_FCOPY_MIB) takes about 2 s more for every MiB more.
    if "daemons-fcopy" in scenarios:
        timeout += 2 * max(0, fcopy_mib() - 100)
    tree = initramfs.ModuleTree(kernel["modules"], builtin_modules(kernel))
    overrides = stack_modules(stack, openlis_kos)
    if rootfs == "dkms":
        # The image's own initramfs loads what it holds.
        modules, overrides = [], {}
        timeout += ROOTFS_BOOT_TIME
    elif rootfs:
        rootdev, disk_modules, disk_args = ROOT_DISKS[ROOT_DISK]
        boot = [m for m in disk_modules + ROOTFS_BOOT_MODULES
                if tree.has(m)]
        modules = boot + [m for m in modules if m not in boot]
        timeout += ROOTFS_BOOT_TIME
    # openlis splits the in-tree hv_utils into a library and one module per
    # service: where openlis's hv_utils stands in, its services come along.
    if "hv_utils" in modules and "hv_utils" in overrides:
        modules += [m for m in IC_SERVICES if m in overrides and m not in modules]
    # "alt:" modules come in the other build too (the kernel's where the
    # stack loads openlis's, else openlis's), not loaded, as
    # /lib/openlis-alt/<name>.ko, with what it needs loaded: a scenario
    # swaps the two in one guest.
    for m in alts:
        alt = tree.path(m) if m in overrides else openlis_kos.get(m)
        if not alt:
            raise SystemExit(f"openlis builds no {m} for {kernel['name']}")
        modules += [d for d in tree.depends(alt) if d not in modules]
        dest = os.path.join(workdir, f"{name}-alt-{m}.ko")
        with open(dest, "wb") as f:
            f.write(initramfs.decompressed(alt))
        files[f"/lib/openlis-alt/{m}.ko"] = dest
    order = tree.closure(modules, overrides)
    # Test clients go last, on whichever core the stack has.
    if testmods:
        built = build_testmods(kernel, workdir)
        for m in testmods:
            if m not in built:
                raise SystemExit(f"tests/kmod builds no {m}.ko")
            order.append((m, built[m]))
    provenance = " ".join(
        f"{m}={'openlis' if p in overrides.values() else 'test' if m in testmods else 'in-tree'}"
        for m, p in order)
    conf = os.path.join(workdir, f"{name}.conf")
    with open(conf, "w") as f:
        f.write(f"STACK={stack}\nKERNEL={kernel['name']}\n"
                f"SCENARIOS='{' '.join(scenarios)}'\n"
                f"EXPECT_VMBUS_VERSION={QEMU_VMBUS_VERSION}\n"
                f"MODULES='{provenance}'\n")
        if rootfs == "dkms":
            f.write(f"ROOTFS={rootfs}\nDKMS_STAGE={stage}\nDKMS_ROLE={role}\n"
                    f"OPENLIS_VERSION={open(os.path.join(TOP, 'VERSION')).read().strip()}\n")
        elif rootfs:
            f.write(f"ROOTFS={rootfs}\nROOTDEV={rootdev}\n"
                    f"OPENLIS_UPDATES='{' '.join(sorted(overrides))}'\n"
                    f"OPENLIS_DAEMONS={int(stack in DAEMON_STACKS)}\n"
                    # The size of daemons-fcopy's big copy: 0.8 MiB/s under
                    # nested emulation, so make check copies less.
                    f"FCOPY_MIB={fcopy_mib()}\n")
    files["/etc/openlis.conf"] = conf
    if rootfs == "dkms":
        vmlinuz = os.path.join(stage_dir, f"vmlinuz-{kernel['abi']}")
        initrd = os.path.join(stage_dir, f"initrd.img-{kernel['abi']}")
        files = {d: p for d, p in files.items() if not d.startswith("/bin/")}
        harness = harness_archive(os.path.join(workdir, f"{name}.tar"), files)
    elif rootfs:
        # Laid over the root file system by /init before it switches root:
        # openlis's modules where DKMS puts them, with modprobe's index
        # for them, and, on stacks with openlis's clients, its daemons.
        moddir = f"/openlis-root/usr/lib/modules/{kernel['abi']}"
        for mod, ko in overrides.items():
            files[f"{moddir}/updates/openlis/{mod}.ko"] = ko
        if overrides:
            for f, path in depmod_index(kernel, name, overrides,
                                        workdir).items():
                files[f"{moddir}/{f}"] = path
        if stack in DAEMON_STACKS:
            for dest, src in build_daemons(workdir).items():
                files["/openlis-root" + dest] = src
    if rootfs != "dkms":
        vmlinuz = kernel["vmlinuz"]
        initrd = initramfs.build(os.path.join(workdir, f"{name}.cpio.gz"),
                                 os.path.join(HERE, "guest/init"), files, order)
    append = ["console=ttyS0", "panic=-1", "oops=panic", "loglevel=4"]
    if rootfs == "dkms":
        append = [f"root={ROOT_DISKS['hv-scsi'][0]}", "ro"] + append
    if rootfs:
        # Under nested emulation every console line costs a good part of a
        # second, and a systemd boot prints hundreds: warnings and failed
        # units only (the kernel's log is in the journal, and the scenarios
        # print dmesg's Hyper-V lines at the end).
        append += ["loglevel=4", "systemd.show_status=error"]
    # For an experiment, e.g. OPENLIS_GUEST_APPEND=init_on_alloc=0: words
    # added to every guest's kernel command line.
    append = " ".join(append + cmdline + os.environ.get("OPENLIS_GUEST_APPEND", "").split())
    if route == "tcg":
        # openlis's QEMU has the Hyper-V interface under TCG.
        built_qemu = True
        accel = ["-machine", "q35", "-accel", "tcg,thread=multi",
                 "-cpu", HV_CPU_TCG]
    else:
        accel = ["-machine", "q35,accel=kvm", "-cpu", HV_CPU]
    qemu = [guest_qemu(qemu_extra, built_qemu), "-nodefaults"] + accel + [
            "-smp", "2", "-m", f"{GUEST_MEM},maxmem={GUEST_MAXMEM},slots=4",
            "-kernel", vmlinuz,
            "-initrd", initrd, "-append", append,
            "-global", "ICH9-LPC.disable_s4=1",
            "-device", "vmbus-bridge,id=vmbus",
            "-object", f"memory-backend-ram,id=hvmem,size={HOTADD_MEM}",
            "-device", "hv-balloon,id=hvb,status-report=on,memdev=hvmem"] + [a for q in qemu_extra for a in q.split()]
    # snapshot=on: the guest's writes go to a temporary overlay, and the
    # cached image is opened read-only (it is on a read-only 9p mount in the
    # outer VM, where file locks are not to be had either).
    drive = "format=raw,snapshot=on,file.locking=off"
    if rootfs == "dkms":
        qemu += ROOT_DISKS["hv-scsi"][2](
            f"file={os.path.join(stage_dir, 'root.img')},{drive}")
        qemu += ["-fw_cfg", f"name=opt/openlis/harness,file={harness}"]
    elif rootfs:
        qemu += disk_args(f"file={rootfs_image(kernel, rootfs)},{drive}")
    # For a hunt, e.g. "-d cpu_reset,guest_errors -D {out}/{name}.qemu.log":
    # {out} is the output folder, the same path inside the outer VM.
    extra = os.environ.get("OPENLIS_GUEST_QEMU_ARGS", "")
    qemu += extra.format(out=workdir, name=name).split()
    disk = ROOT_DISK
    if rootfs == "dkms":
        provenance = (f"the dkms image's stage {stage} ({role} of openlis),"
                      " its own kernel and initramfs")
        disk = "hv-scsi"
    log(f"   {name}: {provenance}" + (f"; root file system {rootfs} on {disk}"
                                          if rootfs else ""))
    return {"name": name, "qemu": qemu, "timeout": timeout,
            "rootfs": rootfs, "balloons": built_qemu}


# Guests in the outer VM that balloon (their scenarios run on openlis's
# QEMU) keep their memory locked, so that QEMU's discards of ballooned
# pages fail (it warns and goes on, its accounting unchanged): guests of
# either stack reset in the middle of inflates whose pages it discarded,
# and the outer VM was damaged after (tests/host/README.md). Only those:
# the others discard nothing, and the outer kernel's deaths in a guest
# QEMU ("corrupted stack end") came more often with every guest locked.
# on-fault: locked as the guest touches it, not all at boot.
NESTED_GUEST_ARGS = ["-overcommit", "mem-lock=on-fault"]


def set_overlay_dir(runs, tmpdir):
    """QEMU writes a snapshot=on overlay under $TMPDIR (else /var/tmp, which
    is read-only in the outer VM): give the guests with a disk a writable
    one. hostside.py runs the argv as it is, so env sets it."""
    for r in runs:
        if r.pop("rootfs", None):
            r["qemu"] = ["env", f"TMPDIR={tmpdir}"] + r["qemu"]


ROUTE_WHAT = {
    "kvm": "KVM has Hyper-V SynIC: the guests run on it directly",
    "tcg": "the guests run on TCG with Hyper-V's interface emulated",
    "nested": "TCG outer VM, KVM inside",
}


def run_direct(spec_path):
    subprocess.run([sys.executable, os.path.join(HERE, "hostside.py"),
                    spec_path], check=True)


# A vCPU of the emulated outer VM sometimes freezes, and hostside.py with it
# (tests/host/README.md): nothing on the outer console and no file of
# hostside.py's written for this long means it will not come back. Longer
# than hostside.py's own silence deadline for a guest, after which it writes
# a result.
L1_SILENCE = 420
# What a wedged outer kernel prints again and again: its lockup and stall
# reports with their stack dumps (matched after the printk timestamp).
L1_COMPLAINT = re.compile(
    r"^(watchdog: BUG: soft lockup|rcu: |NMI backtrace|Call Trace|"
    r"Sending NMI|Modules linked in|CPU: \d+ |Hardware name|Code: |"
    r"R[A-Z0-9]{2}: |[A-Z]S: |CR[0-9]: |<|\? |\S+\+0x)")
L1_STAMP = re.compile(r"^\[\s*[0-9.]+\]\s*")


def _last_write(workdir):
    """When a file in the output folder was last written, in monotonic time."""
    newest = 0.0
    for entry in os.scandir(workdir):
        # Only hostside.py's own files: a guest's QEMU in the outer VM may
        # still write its console while hostside.py's vCPU is frozen.
        if not entry.name.endswith((".host.log", ".results", ".txt")):
            continue
        try:
            newest = max(newest, entry.stat().st_mtime)
        except OSError:
            pass
    return time.monotonic() - max(0.0, time.time() - newest)


# Outer VMs booted again after the first, for guests that vanished or were
# running when an outer VM died. Every guest has hostside.ATTEMPTS
# attempts, so this bounds only outer VMs that die before any guest starts.
MAX_OUTER_RETRIES = 8


def outer_retries(runs, workdir, status):
    """The guests of @runs still without results after an outer VM ended,
    each with its next attempt number. A guest that was running when the
    outer VM died counts that as an attempt; after its last one it gets a
    result saying so."""
    missing = []
    for r in runs:
        base = os.path.join(workdir, r["name"])
        attempt = r.get("attempt", 1)
        if os.path.exists(base + ".results"):
            continue
        if os.path.exists(base + ".vanished"):
            with open(base + ".vanished") as f:
                why = f"attempt {attempt} vanished: {f.read().strip()}"
            os.unlink(base + ".vanished")
        elif os.path.exists(base + ".host.log"):
            why = (f"attempt {attempt} ended: the outer VM died while it ran "
                   f"(QEMU status {status})")
            hostside.keep_attempt(workdir, r["name"], attempt)
        else:
            missing.append(r)
            continue
        hostside.add_loss(r, why)
        if attempt >= hostside.ATTEMPTS:
            with open(base + ".results", "w") as f:
                f.write(f"FAIL guest.exit lost in all {attempt} attempts\n"
                        f"SKIP guest.retried {r['retry_why']}\n")
            continue
        r["attempt"] = attempt + 1
        missing.append(r)
    return missing


# vgif=0: KVM leaves its guests' GIF to the emulated SVM's intercepts rather
# than to TCG's virtual GIF (a suspect in the outer VM's frozen vCPUs).
L1_KVM_AMD = os.environ.get("OPENLIS_L1_KVM_AMD", "vgif=0").replace(" ", ",")
# More of the outer kernel's command line, for experiments.
L1_APPEND = os.environ.get("OPENLIS_L1_APPEND", "")


def run_nested(spec_path, workdir, budget):
    """Boot the outer TCG VM, which runs hostside.py on the spec."""
    l1 = fetch_kernel(L1_KERNEL)
    tree = initramfs.ModuleTree(l1["modules"])
    order = tree.closure(["kvm_amd", "9pnet_virtio", "9p"])
    initrd = initramfs.build(os.path.join(workdir, "l1.cpio.gz"),
                             os.path.join(HERE, "l1-init"), {}, order)
    # THP only adds khugepaged work to the emulated outer VM.
    append = (f"console=ttyS0 quiet panic=-1 transparent_hugepage=never "
              f"{L1_APPEND} "
              f"openlis.kvm_amd={L1_KVM_AMD} openlis.spec={spec_path} "
              f"openlis.repo={TOP}")
    argv = [QEMU, "-nodefaults", "-accel", "tcg,thread=multi", "-machine", "q35",
            "-cpu", "max", "-smp", "2", "-m", "6G", "-display", "none",
            "-no-reboot", "-serial", "stdio", "-kernel", l1["vmlinuz"],
            "-initrd", initrd, "-append", append,
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,"
            "readonly=on,multidevs=remap",
            "-virtfs", f"local,path={workdir},mount_tag=out,"
            "security_model=none,multidevs=remap"]
    with open(os.path.join(workdir, "l1.console.log"), "w") as con:
        p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        end = time.monotonic() + budget
        os.set_blocking(p.stdout.fileno(), False)
        pending = b""
        active = checked = time.monotonic()
        while p.poll() is None:
            now = time.monotonic()
            if now > end:
                p.kill()
                log(f"!! outer VM exceeded its {budget} s budget")
                break
            if now > checked + 10:
                checked = now
                active = max(active, _last_write(workdir))
                if now > active + L1_SILENCE:
                    p.kill()
                    log(f"!! outer VM silent for {L1_SILENCE} s (no console "
                        "output, no file of hostside.py's written): killed")
                    break
            chunk = p.stdout.read()
            if not chunk:
                time.sleep(0.2)
                continue
            con.write(chunk.decode(errors="replace"))
            con.flush()
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                text = line.decode(errors="replace").rstrip("\r")
                # A wedged outer kernel repeats its lockup complaints for
                # ever: they are no sign of progress.
                if not L1_COMPLAINT.search(L1_STAMP.sub("", text)):
                    active = time.monotonic()
                if text.startswith(("  PASS", "  FAIL", "  SKIP", "  NOTE", "== ",
                                    "L1:")):
                    log(text)
        rest = p.stdout.read() or b""
        con.write(rest.decode(errors="replace"))
        p.wait()
        con.write(f"\n(outer QEMU exit status {p.returncode})\n")
    return p.returncode


def main():
    global ROOT_DISK
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--kernel", default="6.12")
    ap.add_argument("--stack", default="intree")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--out", default=None)
    ap.add_argument("--rootfs", choices=ROOTFS, default=None,
                    help="run every scenario in this root file system")
    ap.add_argument("--root-disk", choices=tuple(ROOT_DISKS), default=ROOT_DISK,
                    help="the controller of the root file system's disk")
    ap.add_argument("--route", choices=ROUTES + ("direct",),
                    default=os.environ.get("OPENLIS_ROUTE",
                                           os.environ.get("OPENLIS_VM_ROUTE",
                                                          "auto")))
    args = ap.parse_args()
    ROOT_DISK = args.root_disk
    route = args.route
    if route == "direct":
        route = "kvm"
    if route == "auto":
        route = "kvm" if kvm_has_synic2() else "tcg"

    # Two VM runs at once on a 2-core machine starve the outer TCG VM into
    # the timeouts that look like guest hangs: the second one waits.
    os.makedirs(CACHE, exist_ok=True)
    lock = open(os.path.join(CACHE, "vm.lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log("== vm: another VM run holds the machine; waiting for it")
        fcntl.flock(lock, fcntl.LOCK_EX)

    # What the guests need on this machine (rsync, QEMU with VMBus, busybox,
    # debootstrap...): installed when missing, as make check does, so this
    # command works on a fresh machine too.
    if subprocess.run([os.path.join(TOP, "scripts", "install-deps.sh")]).returncode:
        raise SystemExit("vm: scripts/install-deps.sh failed; see above")

    kernels = args.kernel.split(",")
    stacks = args.stack.split(",")
    scenarios = args.scenario.split(",")
    workdir = os.path.abspath(args.out or os.path.join(
        TOP, "build", "vm", time.strftime("%Y%m%d-%H%M%S")))
    os.makedirs(workdir, exist_ok=True)
    log(f"== vm: kernels {kernels}, stacks {stacks}, scenarios {scenarios}")
    log(f"   logs in {workdir}")

    # Guests are grouped by root file system: the busybox scenarios keep
    # their initramfs guest, the others share one systemd guest.
    groups = {}
    for sc in scenarios:
        groups.setdefault(args.rootfs or scenario_meta(sc)[1]["rootfs"],
                          []).append(sc)

    runs, skipped, cut = [], [], []
    for k in kernels:
        kernel = fetch_kernel(k)
        kos = {}
        if any(s not in KERNEL_MODULE_STACKS for s in stacks):
            kos = build_openlis(kernel, workdir)
        for s in stacks:
            if s not in KERNEL_MODULE_STACKS and not stack_modules(s, kos):
                skipped.append((f"{k}-{s}", "openlis builds none of this "
                                "stack's modules for this kernel"))
                continue
            for rootfs, group in groups.items():
                if "hv_vmbus" in builtin_modules(kernel):
                    modular = [g for g in group
                               if scenario_meta(g)[1]["core"] == "modular"]
                    skipped += [(f"{k}-{s}", f"SKIPPED: {sc} needs a loadable "
                                 "VMBus core, and this kernel's is built in")
                                for sc in modular]
                    group = [g for g in group if g not in modular]
                    if not group:
                        continue
                if rootfs != "dkms":
                    runs.append(make_run(kernel, s, group, workdir, kos,
                                         rootfs, route))
                    continue
                stages = dkms_stages(kernel, s)
                if isinstance(stages, str):
                    skipped += [(f"{k}-{s}", f"SKIPPED: {sc}: {stages}")
                                for sc in group]
                    continue
                runs += [make_run(kernel, s, group, workdir, kos, rootfs,
                                  route, st) for st in stages]

    spec_path = os.path.join(workdir, "spec.json")
    spec = {"runs": runs}
    if route == "nested":
        spec["sockdir"] = "/run/openlis"
        spec["retry_outside"] = True
        # The balloon benchmark measures a host that really gives memory
        # up, as Hyper-V does, and takes the risk of losing a guest.
        lock = os.environ.get("OPENLIS_GUEST_MEM_LOCK", "1") != "0"
        for r in runs:
            if r["balloons"] and lock:
                r["qemu"] += NESTED_GUEST_ARGS
    # hostside.py creates the socket folder before it starts a guest; in the
    # outer VM it is a tmpfs, directly the output folder.
    set_overlay_dir(runs, spec.get("sockdir", workdir))
    with open(spec_path, "w") as f:
        json.dump(spec, f, indent=1)
    # Room for one retry of every guest, within what the caller's deadline
    # (make check's time budget) leaves.
    budget = 2 * sum(r["timeout"] for r in runs) + 300
    left = time_left()
    if left is not None and left < budget:
        budget = max(0, int(left))
        log(f"== vm: the check's time budget leaves {budget} s for this run")
        if runs and budget < min(r["timeout"] for r in runs) + 300:
            cut += budget_cuts(runs, "not started")
            runs = []
    log(f"== route: {route} ({ROUTE_WHAT[route]})")
    started = time.monotonic()
    if runs and route in ("kvm", "tcg"):
        run_direct(spec_path)
    elif runs:
        status = run_nested(spec_path, workdir, budget)
        boots = 1
        while True:
            missing = outer_retries(runs, workdir, status)
            if not missing:
                break
            left = time_left()
            if left is not None and \
                    left < sum(r["timeout"] for r in missing) + 300:
                cut += budget_cuts(missing, "not run to its end")
                runs = [r for r in runs if r not in missing]
                break
            if boots > MAX_OUTER_RETRIES:
                log(f"NOTE {boots} outer VMs booted: no more for "
                    f"{', '.join(r['name'] for r in missing)}")
                break
            log(f"NOTE outer VM {boots} ended (QEMU status {status}) before "
                f"{', '.join(r['name'] for r in missing)} reported: booting "
                "a new one for them")
            retry_path = os.path.join(workdir, f"spec-retry{boots}.json")
            with open(retry_path, "w") as f:
                json.dump(dict(spec, runs=missing), f, indent=1)
            os.replace(os.path.join(workdir, "l1.console.log"),
                       os.path.join(workdir, f"l1.console.log.attempt{boots}"))
            boots += 1
            # The budget check above left room for this.
            status = run_nested(retry_path, workdir,
                                sum(r["timeout"] for r in missing) + 300)
    log(f"== vm: {time.monotonic() - started:.0f} s")

    passed = failed = skipn = 0
    for r in runs:
        res = os.path.join(workdir, r["name"] + ".results")
        if not os.path.exists(res):
            log(f"FAIL [{r['name']}] guest.ran no results: the guest never ran "
                f"(see {workdir}/l1.console.log)")
            failed += 1
            continue
        lines = [ln for ln in open(res) if ln.strip()]
        if not lines:
            log(f"FAIL [{r['name']}] guest.results the guest reported nothing")
            failed += 1
        for line in lines:
            status, _, rest = line.strip().partition(" ")
            log(f"{status} [{r['name']}] {rest}")
            passed += status == "PASS"
            failed += status == "FAIL"
            skipn += status == "SKIP"
    for name, why in cut:
        log(f"FAIL [{name}] {why}")
        failed += 1
    for name, why in skipped:
        log(f"SKIP [{name}] {why}")
        skipn += 1
    log(f"vm: {passed} passed, {failed} failed, {skipn} skipped")
    return 1 if failed or not (passed or skipn) else 0


if __name__ == "__main__":
    sys.exit(main())
