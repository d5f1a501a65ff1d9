#!/usr/bin/python3
"""The fault harness's partitions, checked without any ZooKeeper server (issue 5):

1. The nemesis's schedules: with 5 servers it picks every kind (kill, pause, halves, leader,
   ring, bridge), with 3 never ring or bridge, and every partition's cut map is symmetric and
   has the promised shape (ring: each server reaches exactly its two ring neighbours, so each
   sees a majority with itself and no two see the same one; bridge: one server reaches all,
   the others only their pair and the bridge; halves: a minority of 1 or 2).
2. The real drops: 5 server namespaces and a client namespace (harness/net.py), a TCP
   listener in each server namespace; for ring, bridge, halves and leader-alone partitions
   in both modes, every server probes every other one at once: the pairs the layout links
   must connect, the cut ones must time out ("drop") or be refused ("reset"), the client
   must reach every server, and after heal() every pair connects again.

Part 2 needs root and `ip netns`/iptables: without them only part 1 runs and the exit code is
77 (skipped). Exit 0: pass, 1: fail.
"""
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import nemesis, net  # noqa: E402

SKIP = 77
PORT = 2888
LISTENER = r"""
import socket, select
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", %d)); s.listen(64)
print("ready", flush=True)
while True:
    c, _ = s.accept(); c.close()
""" % PORT
# Connects to every address given at once; prints "ip verdict" per address.
PROBER = r"""
import socket, sys, threading
out = {}
def probe(ip):
    s = socket.socket(); s.settimeout(1.5)
    try:
        s.connect((ip, %d)); out[ip] = "accepted"
    except ConnectionRefusedError:
        out[ip] = "refused"
    except socket.timeout:
        out[ip] = "timeout"
    except OSError as e:
        out[ip] = "error:%%s" %% e.errno
    finally:
        s.close()
ts = [threading.Thread(target=probe, args=(ip,)) for ip in sys.argv[1:]]
for t in ts: t.start()
for t in ts: t.join()
for ip in sys.argv[1:]: print(ip, out[ip])
""" % PORT

failures = []


def expect(what, got, want):
    if got != want:
        failures.append(what)
        print("FAIL: %s: %r (expected %r)" % (what, got, want))


def check_schedules():
    seen = {3: set(), 5: set()}
    for seed in range(300):
        for n in (3, 5):
            sids = list(range(1, n + 1))
            for step in nemesis.make_schedule(random.Random(seed), n, 60):
                seen[n].add(step["kind"])
                nemesis.describe(step)  # every step prints
                if step["kind"] in ("kill", "pause"):
                    continue
                cut, _ = nemesis.partition(step, sids, leader=random.Random(seed).choice(sids))
                check_cut(step, cut, sids, "seed %d, %d servers" % (seed, n))
    expect("kinds picked with 5 servers", sorted(seen[5]),
           sorted(["kill", "pause", "halves", "leader", "ring", "bridge"]))
    expect("kinds picked with 3 servers", sorted(seen[3]),
           sorted(["kill", "pause", "halves", "leader"]))


def check_cut(step, cut, sids, where):
    what = "%s: %s" % (where, nemesis.describe(step))
    reach = {s: set(sids) - cut[s] - {s} for s in sids}
    if any(s in cut[s] for s in sids) or any(o not in sids for s in sids for o in cut[s]):
        expect(what + ": cut names only others", cut, "no self, only known ids")
    for s in sids:
        for o in cut[s]:
            if s not in cut[o]:
                expect(what + ": symmetric", (s, o), "cut both ways")
    sizes = sorted(len(r) for r in reach.values())
    kind = step["kind"]
    if kind == "ring":
        order = step["order"]
        for i, s in enumerate(order):
            expect(what + ": ring neighbours of %d" % s, reach[s],
                   {order[i - 1], order[(i + 1) % 5]})
        views = {frozenset(reach[s] | {s}) for s in sids}
        expect(what + ": five distinct majorities", len(views), 5)
    elif kind == "bridge":
        expect(what + ": reach sizes", sizes, [2, 2, 2, 2, 4])
        b = step["order"][0]
        expect(what + ": the bridge reaches all", reach[b], set(sids) - {b})
    elif kind == "halves":
        small = min(sizes) + 1
        expect(what + ": a minority side", 1 <= small <= (len(sids) - 1) // 2, True)
    elif kind == "leader":
        expect(what + ": one alone", sizes.count(0), 1)


def check_real_drops():
    if os.geteuid() != 0:
        print("SKIP (part 2): needs root for network namespaces")
        return SKIP
    tag = "zq%d" % (os.getpid() % 100000)
    network = net.Network(tag, 5, subnet="10.79.0")
    listeners = []
    try:
        try:
            network.create()
        except RuntimeError as e:
            print("SKIP (part 2): cannot build the network namespaces: %s" % e)
            return SKIP
        sids = sorted(network.server_ns)
        for sid in sids:
            p = subprocess.Popen(network.exec_prefix(sid) + [sys.executable, "-c", LISTENER],
                                 stdout=subprocess.PIPE, text=True)
            listeners.append(p)
            expect("listener in server.%d" % sid, p.stdout.readline().strip(), "ready")

        def matrix():
            """{(from, to): verdict}, from = a server id or "client"."""
            sources = [(sid, network.server_ns[sid]) for sid in sids] + [
                ("client", network.client_ns)]
            procs = []
            for src, ns in sources:
                targets = [network.server_ip[t] for t in sids if t != src]
                procs.append((src, subprocess.Popen(
                    net.netns.exec_prefix(ns) + [sys.executable, "-c", PROBER] + targets,
                    stdout=subprocess.PIPE, text=True)))
            by_ip = {ip: sid for sid, ip in network.server_ip.items()}
            out = {}
            for src, p in procs:
                text, _ = p.communicate(timeout=30)
                for line in text.splitlines():
                    ip, verdict = line.split()
                    out[(src, by_ip[ip])] = verdict
            return out

        all_up = matrix()
        expect("before any partition", sorted(set(all_up.values())), ["accepted"])
        rng = random.Random(1)
        cases = [("ring", "drop"), ("ring", "reset"), ("bridge", "drop"), ("bridge", "reset"),
                 ("halves", "reset"), ("leader", "drop")]
        for kind, mode in cases:
            order = sids[:]
            rng.shuffle(order)
            step = {"at": 0, "duration": 1, "kind": kind, "mode": mode, "order": order,
                    "minority": 2}
            cut, what = nemesis.partition(step, sids, leader=order[0])
            network.apply(cut, mode)
            got = matrix()
            blocked = "timeout" if mode == "drop" else "refused"
            want = {}
            for a in sids:
                want[("client", a)] = "accepted"
                for b in sids:
                    if a != b:
                        want[(a, b)] = blocked if b in cut[a] else "accepted"
            wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
            expect("%s (%s) %s: pairs (got, want)" % (kind, mode, what), wrong, {})
            if not wrong:
                print("ok: partition (%s) %s: %d pairs cut, %d linked" % (
                    mode, what, sum(v == blocked for v in want.values()),
                    sum(v == "accepted" for v in want.values())))
            network.heal()
            expect("%s (%s) healed" % (kind, mode), sorted(set(matrix().values())),
                   ["accepted"])
    finally:
        for p in listeners:
            p.kill()
            p.wait()
        network.destroy()
    return 0


def main():
    check_schedules()
    print("schedules: %s" % ("ok" if not failures else "FAILED"))
    code = check_real_drops()
    if failures:
        print("FAILED: %d checks" % len(failures))
        return 1
    print("PASS" if code == 0 else "PASS (part 1 only)")
    return code


if __name__ == "__main__":
    sys.exit(main())
