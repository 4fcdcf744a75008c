#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test guest (scripts/vm -f selftests/run_guest.sh): loads
# ve.ko and runs every selftest program, each printing TAP. Ends with
# "# selftests: N passed, N failed". A program that fails without reporting
# a failing case (a crash, a bad exit) counts as one failure.

cd /selftests || exit 1
modprobe ve || { echo "not ok 1 - modprobe ve"; echo "# selftests: 0 passed, 1 failed"; exit 1; }

pass=0
fail=0
# VE_SELFTESTS picks programs (comma-separated: it comes on the kernel
# command line, where a space would end it). By default every program; the
# ones named *_nodes_test need the test bed of two nodes (VM_NODES=2) and
# are all that runs on it.
if [ "${VE_NODES:-1}" -gt 1 ]; then
	default='./*_nodes_test'
else
	default='./*_test'
fi
# shellcheck disable=SC2046 # split on the commas, then glob
for t in $(echo "${VE_SELFTESTS:-$default}" | tr , ' '); do
	case "$t" in
	*_nodes_test) [ "${VE_NODES:-1}" -gt 1 ] || [ -n "${VE_SELFTESTS:-}" ] || continue ;;
	esac
	echo "# selftest: ${t#./}"
	out=/tmp/${t#./}.tap
	t0=$(date +%s)
	"$t" > "$out" 2>&1
	rc=$?
	cat "$out"
	echo "# selftest: ${t#./} took $(($(date +%s) - t0)) s"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - ${t#./} exited with status $rc"
		f=1
	fi
	# A program that died mid-way may leave the module out: the rest need it.
	[ -d /sys/module/ve ] || modprobe ve
	pass=$((pass + p))
	fail=$((fail + f))
done

echo "# selftests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
