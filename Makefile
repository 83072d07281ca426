# SPDX-License-Identifier: GPL-2.0
# openlis: Hyper-V guest drivers for Linux, built out of tree.
#
#   make                      modules for the running kernel, and the daemons
#   make KDIR=<headers>       modules for another kernel
#   make check                everything the project tests (what CI runs)
#   make quick-check          unit tests, build matrix and style: no VMs
#   make demo                 boot an emulated Hyper-V guest with openlis
#   make style                checkpatch --strict and a sparse build
#   make debug-kernel         Debian's 6.12 with KASAN, lockdep, kmemleak...
#                             built once into the cache (tests/vm: 6.12-debug)

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
TOP := $(CURDIR)
KREL = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
COMPAT = $(TOP)/.compat/$(KREL)
KMAKE = $(TOP)/scripts/kmake.sh $(KDIR) -C $(KDIR) M=$(TOP) OPENLIS_COMPAT=$(COMPAT) \
	OPENLIS_DIRS="$(OPENLIS_DIRS)"

.PHONY: all modules compat daemons clean clean-modules dkms-install dkms-remove check quick-check unit style \
	matrix dkms-test vm-check demo install modules_install debug-kernel

all: modules daemons

compat:
	@test -f $(KDIR)/Makefile || { \
		echo "openlis: no kernel headers at KDIR=$(KDIR)"; \
		echo "openlis: install linux-headers-$(KVER) or pass KDIR=<headers>"; \
		exit 1; }
	@scripts/check-kernel.sh $(KDIR)
	@scripts/conftest.sh $(KDIR) $(COMPAT)

modules: compat
	$(KMAKE) modules

modules_install: compat
	$(KMAKE) modules_install

daemons:
	$(MAKE) -C daemons

install: modules_install
	$(MAKE) -C daemons install

clean-modules:
	-test ! -f $(KDIR)/Makefile || $(KMAKE) clean

clean: clean-modules
	$(MAKE) -C daemons clean
	$(MAKE) -C tests/unit clean
	rm -rf .compat

unit:
	$(MAKE) -C tests/unit check

matrix:
	tests/build-matrix.sh

style:
	tests/style.sh

VERSION := $(shell cat VERSION)

# Install on this machine through DKMS (as root): the source goes to
# /usr/src/openlis-<version>, DKMS builds and installs it for the running
# kernel and rebuilds it for every new one. After each install and removal
# DKMS runs boot/dkms-post.sh for that kernel: the initramfs hook and the
# dracut configuration, and that kernel's initramfs rebuilt.
dkms-install:
	rsync -a --delete --exclude .git --exclude build --exclude .compat \
		./ /usr/src/openlis-$(VERSION)/
	dkms status -m openlis -v $(VERSION) | grep -q . || dkms add -m openlis -v $(VERSION)
	dkms install -m openlis -v $(VERSION) -k $(KVER)

dkms-remove:
	dkms remove -m openlis -v $(VERSION) --all
	rm -rf /usr/src/openlis-$(VERSION)

dkms-test:
	tests/dkms-test.sh

vm-check:
	tests/vm/suite.sh

debug-kernel:
	scripts/build-debug-kernel.sh

quick-check:
	tests/check.sh quick

check:
	tests/check.sh full

demo:
	tests/vm/demo.sh
