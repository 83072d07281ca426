# SPDX-License-Identifier: GPL-2.0
"""Build busybox initramfs images for the outer (L1) and guest (L2) VMs."""

import gzip
import lzma
import os
import shutil
import subprocess
import tempfile

BUSYBOX = "/bin/busybox"


def decompressed(path):
    """Module bytes, whatever compression Debian shipped them with."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], check=True,
                              capture_output=True).stdout
    if path.endswith(".gz"):
        return gzip.decompress(data)
    return data


class ModuleTree:
    """The modules of one kernel: find a module by name, and its deps."""

    def __init__(self, moddir, builtin=()):
        self.moddir = moddir
        # Modules the kernel has built in: nothing to load for them.
        self.builtin = {b.replace("-", "_") for b in builtin}
        self.index = {}
        for root, _dirs, files in os.walk(moddir):
            for f in files:
                for ext in (".ko", ".ko.xz", ".ko.zst", ".ko.gz"):
                    if f.endswith(ext):
                        name = f[: -len(ext)].replace("-", "_")
                        self.index.setdefault(name, os.path.join(root, f))

    def has(self, name):
        """Whether the kernel has the module as a file (not built in)."""
        return name.replace("-", "_") in self.index

    def path(self, name):
        key = name.replace("-", "_")
        if key not in self.index:
            raise KeyError(f"module {name} not in {self.moddir}")
        return self.index[key]

    def depends(self, path):
        out = subprocess.run(["/sbin/modinfo", "-F", "depends", path],
                             check=True, capture_output=True, text=True)
        return [d for d in out.stdout.strip().split(",") if d]

    def closure(self, names, overrides=None):
        """Module files in load order: dependencies before users.
        overrides maps a module name to a .ko that replaces the kernel's."""
        overrides = {k.replace("-", "_"): v for k, v in (overrides or {}).items()}
        order, seen = [], set()

        def visit(name):
            key = name.replace("-", "_")
            if key in seen:
                return
            seen.add(key)
            if key not in overrides and key not in self.index and \
                    key in self.builtin:
                return
            path = overrides.get(key) or self.path(key)
            for dep in self.depends(path):
                visit(dep)
            order.append((key, path))

        for n in names:
            visit(n)
        return order


def build(out_path, init_script, files=None, modules=None):
    """Write a gzip'd newc cpio with busybox, /init, extra files and modules.
    files: {dest path in image: source path}; modules: [(name, .ko path)],
    stored as /lib/openlis-modules/NN-name.ko in load order."""
    with tempfile.TemporaryDirectory() as root:
        for d in ("bin", "sbin", "dev", "proc", "sys", "tmp", "etc", "run",
                  "mnt", "lib/openlis-modules"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        shutil.copy2(BUSYBOX, os.path.join(root, "bin/busybox"))
        shutil.copy2(init_script, os.path.join(root, "init"))
        os.chmod(os.path.join(root, "init"), 0o755)
        for dest, src in (files or {}).items():
            target = os.path.join(root, dest.lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(src, target)
        for i, (name, path) in enumerate(modules or []):
            with open(os.path.join(root, "lib/openlis-modules",
                                   f"{i:02d}-{name}.ko"), "wb") as f:
                f.write(decompressed(path))
        listing = subprocess.run(["find", "."], cwd=root, check=True,
                                 capture_output=True).stdout
        cpio = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc",
                               "--owner", "0:0"], cwd=root, input=listing,
                              check=True, capture_output=True).stdout
    tmp = out_path + ".tmp"
    with gzip.open(tmp, "wb", compresslevel=1) as f:
        f.write(cpio)
    os.replace(tmp, out_path)
    return out_path
