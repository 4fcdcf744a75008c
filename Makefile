# SPDX-License-Identifier: GPL-2.0
#
# ve: top-level build. "make" builds kernel/ve.ko and userspace/vectl;
# "make check" is the whole test run; "make demo" shows ve in a guest.

VERSION := $(shell cat $(CURDIR)/VERSION)

# The kernel to build against: the running kernel's build dir when it has
# one, else the newest installed Debian headers. KDIR= overrides.
KDIR ?= $(shell scripts/kdir)

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DESTDIR ?=

KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) VE_VERSION=$(VERSION)

.PHONY: all module vectl selftests test-modules clean install deps \
	lint unit selftest check demo bench

all: module vectl

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "make: no kernel headers found (run: scripts/install-deps, or set KDIR=)" >&2; exit 2; }
	$(KMAKE) modules

vectl:
	$(MAKE) -C userspace VERSION=$(VERSION)

selftests: vectl
	$(MAKE) -C selftests

# Modules that exist only to test the test runner itself.
test-modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/modules modules

install: all
	$(KMAKE) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra modules_install
	install -D -m 0755 userspace/vectl $(DESTDIR)$(SBINDIR)/vectl

clean:
	-test -z "$(KDIR)" || $(KMAKE) clean
	-test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/modules clean
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf build

deps:
	scripts/install-deps --if-missing

lint: deps
	scripts/lint $(KDIR)

unit: deps vectl
	$(MAKE) -C userspace check

check: deps
	scripts/check

demo: deps all
	scripts/demo
