#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the debug-kernel guest (make check-debug): every selftest,
# the fuzz and stress smokes among them (run_guest.sh), then ve.ko is
# unloaded and kmemleak must find nothing that leaked since the start.
# KASAN, lockdep, atomic-sleep, RCU and UBSAN reports go to the console,
# which the runner checks.
kml=/sys/kernel/debug/kmemleak
if [ ! -w "$kml" ]; then
	echo "not ok 1 - kmemleak: $kml is missing (is this the debug kernel?)"
	exit 1
fi
# What the boot left behind is not ours to judge.
echo scan > "$kml"
echo clear > "$kml"

# KASAN, lockdep and kmemleak under TCG: everything takes several times
# as long, so every test's timeout does too.
export KSFT_TIMEOUT_SCALE=8
# A VE's start and stop take seconds under KASAN: the network's leak
# check runs 10 cycles here (make check runs 100), kmemleak covers the rest.
export VE_NET_CYCLES="${VE_NET_CYCLES:-10}"
sh /selftests/run_guest.sh
rc=$?

# Whatever a failed test left running must not keep the module in.
vectl stop --all --fast > /dev/null 2>&1
for id in $(vectl list -a -H -o ctid 2>/dev/null); do
	vectl kernel stop "$id" > /dev/null 2>&1
	vectl kernel del "$id" > /dev/null 2>&1
done
if [ -d /sys/module/ve ] && ! rmmod ve; then
	echo "not ok - rmmod ve after the selftests"
	rc=1
fi
# kmemleak reports an object once it is a few seconds old and unreferenced
# in two scans in a row.
sleep 6
echo scan > "$kml"
sleep 1
echo scan > "$kml"
n=$(grep -c '^unreferenced object' "$kml")
if [ "$n" -eq 0 ]; then
	echo "ok - kmemleak: no leak after the selftests and rmmod"
else
	echo "not ok - kmemleak: $n suspected leaks after the selftests and rmmod"
	sed 's/^/# /' "$kml" | head -n 200
	rc=1
fi
exit "$rc"
