#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Conformance of the "ve" family to its spec, through the kernel's ynl.

Runs in the guest (as /selftests/ve_ynl_test) with ve.ko loaded. It knows
the family only from Documentation/netlink/specs/ve.yaml, read by the
kernel's own ynl library (tools/net/ynl from linux-source-6.12): every
operation, its errors with their extack words, the dump and both
notifications, each checked against what vectl, /proc/vz/veinfo and
/proc/user_beancounters report. Prints TAP.

    ve_ynl_test [--ynl DIR] [--spec FILE]
    ve_ynl_test --list-modules     the Python files this needs (for the runner)
"""
import argparse
import errno
import json
import os
import signal
import subprocess
import sys
import time
import traceback

YNL_DIRS = ["/usr/lib/ve-ynl", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "../build/tools/ynl/tools/net/ynl")]
SPEC_PATHS = ["/selftests/ve.yaml", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "../Documentation/netlink/specs/ve.yaml")]
BASE = 611          # VE IDs this test uses: BASE..BASE+9
NUMPROC = 5
NUMFILE = 19


def first_existing(paths):
    return next((p for p in paths if os.path.exists(p)), paths[0])


ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--ynl", default=first_existing(YNL_DIRS))
ap.add_argument("--spec", default=first_existing(SPEC_PATHS))
ap.add_argument("--list-modules", action="store_true")
ARGS = ap.parse_args()
sys.path.insert(0, ARGS.ynl)
from lib import YnlFamily, NlError  # noqa: E402  (path set just above)

if ARGS.list_modules:
    import pprint  # noqa: F401  (cli.py, run as a child, needs it too)
    for mod in list(sys.modules.values()):
        f = getattr(mod, "__file__", None)
        if f and os.path.isabs(f) and not f.startswith(os.path.abspath(ARGS.ynl)) \
                and f != os.path.abspath(__file__):
            print(f)
    sys.exit(0)


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def equal(got, want, what):
    if got != want:
        raise Failed(f"{what}: got {got!r}, want {want!r}")


def family():
    return YnlFamily(ARGS.spec, "")     # "": no schema validation in the guest


def events():
    """
    A second family socket, joined to "events". Requests go on their own
    socket: 6.12's ynl loses track of a request when a notification
    arrives on the same socket before its answer.
    """
    ev = family()
    ev.ntf_subscribe("events")
    return ev


def refused(fn, err, msg=None, bad_attr=None, miss=None):
    """fn() must fail with errno @err and the given extack parts."""
    try:
        fn()
    except NlError as e:
        ext = e.nl_msg.extack or {}
        equal(-e.nl_msg.error, err, "errno")
        if msg is not None:
            equal(ext.get("msg"), "ve: " + msg, "extack message")
        if bad_attr is not None:
            equal(ext.get("bad-attr"), bad_attr, "extack attribute")
        if miss is not None:
            equal(ext.get("miss-type"), miss, "extack missing attribute")
        return ext
    raise Failed(f"succeeded where {os.strerror(err)} was expected")


def vectl(*args):
    r = subprocess.run(["vectl", *args], capture_output=True, text=True)
    if r.returncode:
        raise Failed(f"vectl {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def vectl_ubc(veid):
    """vectl ubc -j of one VE: {resource name: {held, ..., failcnt}}."""
    rows = json.loads(vectl("ubc", "-j", str(veid)))
    equal([r["ctid"] for r in rows], [veid], "vectl ubc VE list")
    return rows[0]["resources"]


def res_of(ve, rid):
    for r in ve.get("res", []):
        if r["id"] == rid:
            return r
    raise Failed(f"VE {ve.get('id')} reports no res {rid}")


def ubc_rows(veid):
    """Rows of /proc/user_beancounters for @veid: {name: [held, ..., failcnt]}."""
    rows, cur = {}, None
    with open("/proc/user_beancounters") as f:
        for line in f.readlines()[2:]:
            parts = line.split()
            if parts[0].endswith(":"):
                cur = int(parts[0][:-1])
                parts = parts[1:]
            if cur == veid:
                rows[parts[0]] = [int(x) for x in parts[1:]]
    return rows


def veinfo():
    with open("/proc/vz/veinfo") as f:
        return {int(line.split()[0]): int(line.split()[2]) for line in f}


class Init:
    """A VE init: PID 1 of new user (root-mapped), pid and net namespaces."""

    def __init__(self, script):
        self.outer = subprocess.Popen(
            ["busybox", "unshare", "-U", "-r", "-p", "-n", "-f", "sh", "-c", script],
            start_new_session=True, stderr=subprocess.DEVNULL)
        self.pid = None
        for _ in range(500):
            try:
                with open(f"/proc/{self.outer.pid}/task/{self.outer.pid}/children") as f:
                    kids = f.read().split()
            except OSError:
                kids = []
            if kids:
                self.pid = int(kids[0])
                return
            time.sleep(0.01)
        raise Failed("the init did not come up")

    def close(self):
        try:
            os.killpg(self.outer.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.outer.wait()


def wait_ntfs(ynl, want, seconds=10):
    """Collect notifications until every (name, id, key, value) in @want is seen."""
    seen, end = [], time.time() + seconds
    while time.time() < end:
        ynl.check_ntf()
        while ynl.async_msg_queue:
            seen.append(ynl.async_msg_queue.pop(0))
        if all(any(n["name"] == name and n["msg"].get("id") == veid and
                   n["msg"].get(key) == val for n in seen)
               for name, veid, key, val in want):
            return seen
        time.sleep(0.05)
    raise Failed(f"notifications missing; seen {seen}")


def cleanup():
    ynl = family()
    for veid in range(BASE, BASE + 10):
        try:
            ynl.do("stop", {"id": veid})
        except NlError:
            pass
        for _ in range(200):
            try:
                if ynl.do("get", {"id": veid})["state"] == "stopped":
                    break
            except NlError:
                break
            time.sleep(0.02)
        try:
            ynl.do("del", {"id": veid})
        except NlError:
            pass


# ---- the cases -----------------------------------------------------------

def test_spec_describes_every_operation():
    ynl = family()
    equal(sorted(o for o in ynl.ops if "do" in ynl.ops[o].yaml),
          ["del", "get", "new", "set", "start", "stop"], "operations with do")
    check("dump" in ynl.ops["get"].yaml, "get has a dump")
    equal(sorted(m for m, op in ynl.msgs.items() if op.is_async),
          ["limit-ntf", "state-ntf"], "notifications")
    equal(sorted(ynl.msgs["state-ntf"].yaml["event"]["attributes"]),
          ["exit-status", "id", "old-state", "state"], "state-ntf attributes")


def test_get_without_selector_describes_the_module():
    rsp = family().do("get", {})
    with open("/sys/module/ve/version") as f:
        equal(rsp["module-version"], f.read().strip(), "module-version")
    equal(rsp["abi-version"], 1, "abi-version")
    equal(rsp["id"], 0, "id of the host")
    equal(json.loads(vectl("version", "-j"))["module"], rsp["module-version"],
          "vectl version")


def test_new_get_set_del():
    ynl = family()
    veid = BASE
    ynl.do("new", {"id": veid, "flags": 3,
                   "res": [{"id": NUMPROC, "barrier": 10, "limit": 20}]})
    ve = ynl.do("get", {"id": veid})
    equal(ve["state"], "stopped", "state")
    equal(ve["flags"], 3, "flags")
    check("init-pid" not in ve, "a stopped VE has no init-pid")
    equal(len(ve["res"]), 21, "every resource reported")
    r = res_of(ve, NUMPROC)
    equal((r["barrier"], r["limit"], r["held"]), (10, 20, 0), "numproc")
    equal(res_of(ve, NUMFILE)["limit"], 2**64 - 1, "numfile unlimited")
    equal(vectl_ubc(veid)["numproc"]["limit"], 20, "vectl ubc numproc limit")
    equal(ubc_rows(veid)["numproc"][2:4], [10, 20], "/proc/user_beancounters numproc")

    # One value alone sets both; other resources keep theirs.
    ynl.do("set", {"id": veid, "res": [{"id": NUMFILE, "limit": 100}]})
    ve = ynl.do("get", {"id": veid})
    equal((res_of(ve, NUMFILE)["barrier"], res_of(ve, NUMFILE)["limit"]), (100, 100),
          "numfile after set")
    equal(res_of(ve, NUMPROC)["limit"], 20, "numproc after set")
    equal(ve["flags"], 3, "flags after set")

    # Addresses: the whole list in a nest; an empty nest clears it.
    v4, v6 = bytes([192, 0, 2, 9]), bytes.fromhex("20010db8000000000000000000000009")
    ynl.do("set", {"id": veid, "addrs": {"ipv4": [v4], "ipv6": [v6]}})
    ve = ynl.do("get", {"id": veid})
    equal(ve["addrs"], {"ipv4": [v4], "ipv6": [v6]}, "addrs")
    equal(ve["stats"]["dropped"], 0, "stats of a VE that never ran")
    check("netif" not in ve, "no device attached to a stopped VE")
    # 6.1 says "address belongs to another VE", 6.2+ names the address and the VE.
    ext = refused(lambda: ynl.do("new", {"id": veid + 100, "addrs": {"ipv4": [v4]}}),
                  errno.EADDRINUSE)
    check("belongs to" in ext.get("msg", ""), f"conflict message: {ext}")
    check(str(ext.get("bad-attr", "")).endswith("ipv4"), f"conflict attribute: {ext}")
    refused(lambda: ynl.do("set", {"id": veid, "netif": [{"ifindex": 1}]}),
            errno.ESRCH, "netif: the VE is not running")
    ynl.do("set", {"id": veid, "addrs": {}})
    check("addrs" not in ynl.do("get", {"id": veid}), "addrs cleared")
    equal(family().do("get", {})["netif-count"], 0, "netif-count of the node")

    ynl.do("del", {"id": veid})
    refused(lambda: ynl.do("get", {"id": veid}), errno.ENOENT,
            "no VE with this id", ".id")


def test_dump_lists_what_vectl_lists():
    ynl = family()
    for veid in (BASE + 1, BASE + 2):
        ynl.do("new", {"id": veid})
    dumped = {ve["id"]: ve for ve in ynl.dump("get", {})}
    check({BASE + 1, BASE + 2} <= set(dumped), "dump has the new VEs")
    listed = {int(line) for line in vectl("list", "-a", "-H", "-o", "ctid").split()}
    equal(set(dumped), listed, "dump against vectl list -a")
    equal(dumped[BASE + 1]["state"], "stopped", "state in the dump")
    refused(lambda: ynl.dump("get", {"id": BASE + 1}), errno.EINVAL)


def test_errors_name_the_attribute():
    ynl = family()
    veid = BASE + 3
    ynl.do("new", {"id": veid})
    refused(lambda: ynl.do("new", {"id": veid}), errno.EEXIST,
            "a VE with this id exists", ".id")
    refused(lambda: ynl.do("del", {}), errno.EINVAL,
            "required attribute missing", miss="id")
    ext = refused(lambda: ynl.do("get", {"id": 0}), errno.ERANGE)
    equal(ext.get("bad-attr"), ".id", "policy refusal names id")
    refused(lambda: ynl.do("get", {"id": 2**31}), errno.ERANGE, bad_attr=".id")
    refused(lambda: ynl.do("set", {"id": veid, "res": [{"id": 4, "barrier": 1}]}),
            errno.EINVAL, "res.id names no resource", ".res.id")
    refused(lambda: ynl.do("set", {"id": veid, "res": [{"id": 25, "barrier": 1}]}),
            errno.ERANGE, bad_attr=".res.id")
    refused(lambda: ynl.do("set", {"id": veid, "res": [{"id": NUMPROC, "barrier": 5,
                                                         "held": 1}]}),
            errno.EINVAL, "res.held, res.maxheld and res.failcnt are read-only",
            ".res.held")
    refused(lambda: ynl.do("set", {"id": veid, "res": [{"id": NUMPROC, "barrier": 5,
                                                         "limit": 4}]}),
            errno.EINVAL, "res.limit below res.barrier", ".res.limit")
    ext = refused(lambda: ynl.do("set", {"id": veid, "res": [{"barrier": 5}]}),
                  errno.EINVAL, "res without res.id", miss=1)   # res.id, in a nest
    check("miss-nest" in ext, "the missing attribute's nest is named")
    refused(lambda: ynl.do("start", {"id": veid, "init-pid": 1}), errno.EINVAL,
            "init process is in the host pid namespace", ".init-pid")
    refused(lambda: ynl.do("start", {"id": veid}), errno.EINVAL,
            "required attribute missing", miss="init-pid")
    refused(lambda: ynl.do("stop", {"id": veid}), errno.ESRCH, "VE is not running")
    refused(lambda: ynl.do("get", {"id": veid, "pid": 1}), errno.EINVAL,
            "give at most one of id, pid, fd")
    # Nothing of that changed the VE.
    ve = ynl.do("get", {"id": veid})
    equal((ve["state"], res_of(ve, NUMPROC)["limit"]), ("stopped", 2**64 - 1),
          "the VE after refusals")


def test_start_stop_and_state_notifications():
    ynl, ev = family(), events()
    veid = BASE + 4
    ynl.do("new", {"id": veid})
    init = Init("exec sleep 1000")
    try:
        ynl.do("start", {"id": veid, "init-pid": init.pid})
        ve = ynl.do("get", {"id": veid})
        equal((ve["state"], ve["init-pid"], ve["num-tasks"]), ("running", init.pid, 1),
              "running VE")
        check(ve["start-time"] > 0, "start-time set")
        equal(veinfo().get(veid), 1, "/proc/vz/veinfo task count")
        equal(ynl.do("get", {"pid": init.pid}), {"pid": init.pid, "id": veid},
              "get by pid")
        row = vectl("list", "-H", "-o", "ctid,status,initpid", str(veid)).split()
        equal(row, [str(veid), "running", str(init.pid)], "vectl list")
        refused(lambda: ynl.do("del", {"id": veid}), errno.EBUSY,
                "VE is running; stop it first")
        wait_ntfs(ev, [("state-ntf", veid, "state", "running")])

        ynl.do("stop", {"id": veid})
        seen = wait_ntfs(ev, [("state-ntf", veid, "state", "stopping"),
                               ("state-ntf", veid, "state", "stopped")])
        last = [n["msg"] for n in seen if n["msg"].get("state") == "stopped"][-1]
        equal(last["old-state"], "stopping", "old-state")
        equal(last["exit-status"] & 0x7f, signal.SIGKILL, "killed init's status")
        equal(ynl.do("get", {"id": veid})["state"], "stopped", "state after stop")
        check(veid not in veinfo(), "a stopped VE leaves /proc/vz/veinfo")
    finally:
        init.close()


def test_limit_notification():
    ynl, ev = family(), events()
    veid = BASE + 5
    ynl.do("new", {"id": veid, "res": [{"id": NUMPROC, "barrier": 1, "limit": 1}]})
    # The init forks a subshell each second; bound with numproc 1:1, its
    # next fork is refused and it gives up.
    init = Init("while (exit 0); do sleep 1; done")
    try:
        ynl.do("start", {"id": veid, "init-pid": init.pid})
        seen = wait_ntfs(ev, [("limit-ntf", veid, "id", veid),
                               ("state-ntf", veid, "state", "stopped")], 20)
        lim = [n["msg"] for n in seen if n["name"] == "limit-ntf"][0]
        equal(len(lim["res"]), 1, "one res in limit-ntf")
        r = lim["res"][0]
        equal((r["id"], r["held"], r["barrier"], r["limit"]), (NUMPROC, 1, 1, 1),
              "numproc at its limit")
        check(r["failcnt"] >= 1, "failcnt counts the refusal")
        got = res_of(ynl.do("get", {"id": veid}), NUMPROC)
        check(got["failcnt"] >= r["failcnt"], "get failcnt against the ntf")
        equal(ubc_rows(veid)["numproc"][4], got["failcnt"],
              "/proc/user_beancounters failcnt")
        equal(vectl_ubc(veid)["numproc"]["failcnt"], got["failcnt"], "vectl ubc failcnt")
    finally:
        init.close()


def test_cli_dumps_and_gets():
    cli = os.path.join(ARGS.ynl, "cli.py")
    ynl = family()
    ynl.do("new", {"id": BASE + 6, "flags": 7})
    base = [sys.executable, cli, "--spec", ARGS.spec, "--no-schema", "--output-json"]
    out = subprocess.run(base + ["--dump", "get"], capture_output=True, text=True,
                         check=True).stdout
    check(any(ve["id"] == BASE + 6 for ve in json.loads(out)), "cli.py --dump get")
    out = subprocess.run(base + ["--do", "get", "--json", json.dumps({"id": BASE + 6})],
                         capture_output=True, text=True, check=True).stdout
    equal(json.loads(out)["flags"], 7, "cli.py --do get")


def main():
    tests = [(n, f) for n, f in globals().items() if n.startswith("test_")]
    print("TAP version 13")
    print(f"1..{len(tests)}")
    failed = 0
    cleanup()
    for i, (name, fn) in enumerate(tests, 1):
        try:
            fn()
            print(f"ok {i} ynl.{name[5:]}")
        except Exception as e:      # noqa: BLE001 (any failure is the case's)
            failed += 1
            print(f"not ok {i} ynl.{name[5:]}")
            for line in (str(e) + "\n" + traceback.format_exc()).splitlines():
                print(f"# {line}")
        finally:
            cleanup()
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
