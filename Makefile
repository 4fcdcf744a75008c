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

.PHONY: all module vectl selftests test-modules templates clean install deps \
	lint unit selftest check demo bench profile generate deb check-deb fuzz stress check-debug \
	check-cluster

all: module vectl

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "make: no kernel headers found (run: scripts/install-deps, or set KDIR=)" >&2; exit 2; }
	$(KMAKE) modules

vectl:
	$(MAKE) -C userspace VERSION=$(VERSION)

# The ynl conformance test runs the kernel's ynl library in the guest.
selftests: vectl
	$(MAKE) -C userspace vectl-faults
	$(MAKE) -C selftests
	scripts/ynl-gen --extract

# The busybox OS template the guest selftests and the demo use.
templates: build/template/busybox.tar.gz

build/template/busybox.tar.gz: scripts/mktemplate-busybox
	scripts/mktemplate-busybox $@

# Modules that exist only to test the test runner itself.
test-modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/modules modules

install: all
	$(KMAKE) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra modules_install
	install -D -m 0755 userspace/vectl $(DESTDIR)$(SBINDIR)/vectl
	install -D -m 0755 userspace/ved $(DESTDIR)$(SBINDIR)/ved
	install -D -m 0644 Documentation/vectl.8 $(DESTDIR)$(PREFIX)/share/man/man8/vectl.8
	install -D -m 0644 userspace/vectl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/vectl
	install -d -m 0755 $(DESTDIR)/lib/systemd/system
	sed 's|@SBINDIR@|$(SBINDIR)|g' userspace/ve.service.in > $(DESTDIR)/lib/systemd/system/ve.service
	sed 's|@SBINDIR@|$(SBINDIR)|g' userspace/ved.service.in > $(DESTDIR)/lib/systemd/system/ved.service
	install -d -m 0755 $(DESTDIR)/etc/ve/conf $(DESTDIR)/var/lib/ve/template
	test -e $(DESTDIR)/etc/ve/ve.conf || install -m 0644 etc/ve.conf $(DESTDIR)/etc/ve/ve.conf
	install -m 0644 etc/ve-basic.conf-sample $(DESTDIR)/etc/ve/conf/

clean:
	-test -z "$(KDIR)" || $(KMAKE) clean
	-test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/modules clean
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	$(MAKE) -C bench clean
	rm -rf build

deps:
	scripts/install-deps --if-missing

# Regenerate uapi/linux/ve.h, kernel/netlink-gen.[ch] and common/ve_names.h
# from Documentation/netlink/specs/ve.yaml after changing the spec.
generate:
	scripts/ynl-gen

lint: deps
	scripts/lint $(KDIR)

unit: deps vectl
	$(MAKE) -C userspace check

# KERNELS=6.1 (or 6.1-rt, 6.12, a list) limits the guest runs; all three
# by default.
check: deps
	KERNELS="$(KERNELS)" scripts/check

demo:
	scripts/install-deps --if-missing --demo
	$(MAKE) all templates
	scripts/demo

# Debian packages (ve-dkms, vectl) into build/deb/; check-deb installs,
# tries and purges them on this machine (root).
deb:
	scripts/install-deps --if-missing --deb
	scripts/deb

check-deb: deps deb all templates
	scripts/check-deb

# Long runs of single guest suites, outside "make check": the netlink
# fuzzer with 10^6 messages (make check sends a 10^4 smoke per identity).
FUZZ_COUNT ?= 300000
fuzz: deps all selftests
	VM_TCG=single VM_TIMEOUT=7200 \
	VM_APPEND="VE_SELFTESTS=./ve_fuzz_test VE_FUZZ_COUNT=$(FUZZ_COUNT) $(if $(FUZZ_SEED),VE_FUZZ_SEED=$(FUZZ_SEED))" \
		scripts/vm -f selftests/run_guest.sh

# Concurrency for 10 minutes each: the module's lifecycle (8 threads of
# NEW/START/STOP/DEL) and vectl's (4 workers of commands on shared VEs);
# and 100 randomized fault-injection trials. make check runs them for 30
# and 60 s, and 10 trials.
STRESS_SECONDS ?= 600
stress: deps all selftests templates
	VM_TCG=single VM_TIMEOUT=$$(( 2 * $(STRESS_SECONDS) + 900 )) \
	VM_APPEND="VE_SELFTESTS=./ve_stress_test,./ve_vectl_stress_test,./ve_fault_test VE_STRESS_SECONDS=$(STRESS_SECONDS) VE_VECTL_STRESS_SECONDS=$(STRESS_SECONDS) VE_FAULT_TRIALS=100" \
		scripts/vm -f selftests/run_guest.sh

# The cluster's tests alone (make check runs them too): the two-node test
# bed, etcd on node1, shared storage over 9p (Documentation/cluster.md).
check-cluster: deps all selftests templates
	VM_NODES=2 VM_TCG=single VM_TIMEOUT=2700 \
	VM_APPEND="VE_SELFTESTS=./ve_cluster_nodes_test" \
		scripts/vm -f selftests/run_guest.sh

# The selftests on a KASAN/lockdep/kmemleak/UBSAN kernel (built once, cached
# in /var/cache/ve); DEBUG_KERNEL=6.12-rt for the PREEMPT_RT one.
check-debug: deps
	DEBUG_KERNEL="$(DEBUG_KERNEL)" scripts/check-debug

bench: deps all templates
	$(MAKE) -C bench
	scripts/bench

# Where a VE's loops spend their instructions (a QEMU plugin; scripts/profile).
profile: deps all templates
	$(MAKE) -C bench
	scripts/profile
