#!/usr/bin/env python3
"""Memory per idle connection of a proxy, for benchmarks/peers/run.sh.

Opens N idle TCP connections to the proxy's front address, waits until the proxy has opened its own N connections
to the backend (counted with `ss`), and reads the proxy's resident memory (VmRSS from /proc/PID/status, summed over
the given processes and their direct children, so an nginx master and its workers count together) before and after.
Then closes them all and waits until the proxy's backend connections are gone. Loopback only, bounded in time.

    idle_conns.py --connect 127.0.0.1:22080 --backend 127.77.1.10:18080 --pids 1234 --n 9000

Prints one line of key=value pairs: opened, backend (connections the proxy opened to the backend), rss_before_kib,
rss_after_kib, bytes_per_conn, errors, closed_by_peer. With --jcmd (a JVM proxy), also heap_before_kib,
heap_after_kib and heap_bytes_per_conn: the Java heap in use right after a full GC (jcmd GC.run, then
GC.heap_info), i.e. the live objects; each is read after the RSS reading so the GC does not change that.
"""
import argparse
import os
import re
import resource
import socket
import subprocess
import sys
import time


def processes(roots):
    found = set(roots)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid in roots:
            found.add(int(entry))
    return sorted(found)


def rss_kib(roots):
    total = 0
    for pid in processes(roots):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def live_heap_kib(jcmd, pid):
    subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, check=True, timeout=60)
    info = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    return sum(int(x) for x in re.findall(r"^\S.*total \d+K, used (\d+)K", info, re.M))


def backend_connections(host, port):
    out = subprocess.run(["ss", "-Htn", "state", "established", "dst", host, "dport", "=", f":{port}"],
                         capture_output=True, text=True, check=True).stdout
    return sum(1 for line in out.splitlines() if line.strip())


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connect", required=True, help="HOST:PORT of the proxy's front")
    ap.add_argument("--backend", required=True, help="HOST:PORT the proxy forwards to")
    ap.add_argument("--pids", required=True, help="comma-separated PIDs of the proxy (children are added)")
    ap.add_argument("--n", type=int, default=9000)
    ap.add_argument("--jcmd", help="path of jcmd: also report the live Java heap (single PID only)")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to wait before each RSS reading")
    args = ap.parse_args()

    host, port = args.connect.rsplit(":", 1)
    bhost, bport = args.backend.rsplit(":", 1)
    roots = {int(p) for p in args.pids.split(",") if p}
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    base = backend_connections(bhost, bport)
    time.sleep(args.settle)
    before = rss_kib(roots)
    heap_before = live_heap_kib(args.jcmd, min(roots)) if args.jcmd else None

    socks, errors = [], 0
    deadline = time.monotonic() + 60
    for _ in range(args.n):
        if time.monotonic() > deadline:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((host, int(port)))
            socks.append(s)
        except OSError:
            errors += 1
            s.close()

    wait_for(lambda: backend_connections(bhost, bport) - base >= len(socks), 30)
    time.sleep(args.settle)
    held = backend_connections(bhost, bport) - base
    after = rss_kib(roots)
    heap_after = live_heap_kib(args.jcmd, min(roots)) if args.jcmd else None
    # A connection the proxy closed while held shows as readable EOF; count those as errors too.
    closed_by_peer = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1, socket.MSG_PEEK) == b"":
                closed_by_peer += 1
        except BlockingIOError:
            pass
        except OSError:
            closed_by_peer += 1
    for s in socks:
        s.close()
    wait_for(lambda: backend_connections(bhost, bport) <= base, 30)

    per_conn = (after - before) * 1024 / len(socks) if socks else float("nan")
    line = (f"opened={len(socks)} backend={held} rss_before_kib={before} rss_after_kib={after} "
            f"bytes_per_conn={per_conn:.0f} errors={errors} closed_by_peer={closed_by_peer}")
    if args.jcmd and socks:
        line += (f" heap_before_kib={heap_before} heap_after_kib={heap_after}"
                 f" heap_bytes_per_conn={(heap_after - heap_before) * 1024 / len(socks):.0f}")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
