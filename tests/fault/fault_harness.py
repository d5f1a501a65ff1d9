#!/usr/bin/python3
"""Issue 5's real-process fault harness: a 3- or 5-server ensemble (zknode with raft election
and sqlite storage, or Apache ZooKeeper 3.8) in network namespaces, a seeded nemesis (SIGKILL
and restart, SIGSTOP/SIGCONT, partitions by silent drops or TCP resets), kazoo workloads
(registers, sequential creates, ephemerals, watches, multi) recorded as a zkcheck history,
final snapshots of every server, then `zkcheck` on the history.

Usage: fault_harness.py [--kind zknode|zookeeper] [--servers 3|5] [--seconds N]
                        [--broken wipe] [--keep]
Environment: ZK_FAULT_SEED (replay a schedule; default: a fresh seed, printed first),
  ZK_FAULT_SECONDS (nemesis time, default 60), ZK_BIN_DIR (zknode and zkcheck),
  ZK_FAULT_OUT (where to keep histories of failed runs, default: the run's temp dir).

--broken wipe: the deliberately broken setup the checker must catch. After the nemesis,
every server is killed, a majority's dataDirs are wiped, that majority is started alone and
a fresh client reads the registers (sync+read) and writes one; the server that kept its data
stays down, and the final state is the wiped majority's. Acknowledged writes are lost: the
run passes only if zkcheck reports a violation.

Exit codes: 0 pass, 1 fail (history kept, path printed), 77 skipped (no root, no network
namespaces, no iptables, no server binary).
"""
import argparse
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import cluster, nemesis, net, snapshot, workloads  # noqa: E402
from harness.history import History  # noqa: E402

SKIP = 77
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Context:
    def __init__(self, history, seed, linearizable_sync=True):
        self.history = history
        self.seed = seed
        self.stop_workers = threading.Event()
        # ZooKeeper's sync is not a quorum operation: it brings a follower up to date with
        # the leader it follows, and a leader cut off silently serves it until it notices it
        # lost the quorum (seen with seed 1982070838: a sync + read at epoch 1 after a write
        # acknowledged at epoch 2). Its Programmer's Guide promises sequential consistency and
        # timeliness, not linearizable reads, so against ZooKeeper sync + read is recorded as a
        # plain read. zknode's sync is a raft log entry committed by a quorum: linearizable.
        self.linearizable_sync = linearizable_sync


def skip_reason(kind, bin_dir):
    if os.geteuid() != 0:
        return "needs root to create network namespaces (ip netns add)"
    for tool in ("ip", "iptables-restore"):
        if shutil.which(tool) is None and not os.path.exists("/usr/sbin/" + tool):
            return "%s is not installed (Debian: iproute2, iptables)" % tool
    if kind == "zknode":
        if not os.access(os.path.join(bin_dir, "zknode"), os.X_OK):
            return "no zknode in %s (set ZK_BIN_DIR)" % bin_dir
        for p in ("libzk_election_raft.so", "libzk_storage_sqlite.so"):
            if not os.path.exists(os.path.join(bin_dir, "..", "lib", "zkops", "plugins", p)):
                return "plugin %s not built" % p
    else:
        if shutil.which("java") is None or not os.path.exists(cluster.zkserver.ZK_JAR):
            return "Apache ZooKeeper (Debian zookeeper) or java is not installed"
    return None


class Run:
    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.failures = []

    def log(self, text):
        print("[%6.1fs] %s" % (time.monotonic() - self.t0, text), flush=True)

    def main(self):
        a = self.args
        bin_dir = cluster.zkserver.default_bin_dir()
        reason = skip_reason(a.kind, bin_dir)
        if reason:
            print("SKIP: " + reason)
            return SKIP
        seed_env = os.environ.get("ZK_FAULT_SEED")
        seed = int(seed_env) if seed_env else random.SystemRandom().randrange(1 << 31)
        replay = "ZK_FAULT_SEED=%d ZK_FAULT_SECONDS=%g %s --kind %s --servers %d%s" % (
            seed, a.seconds, os.path.abspath(__file__), a.kind, a.servers,
            " --broken wipe" if a.broken else "")
        print("fault seed: %d (replay: %s)" % (seed, replay), flush=True)
        rng = random.Random(seed)
        steps = nemesis.make_schedule(rng, a.servers, a.seconds)
        print("schedule (%d faults; 'leader' is resolved at run time):" % len(steps))
        for s in steps:
            print("  " + nemesis.describe(s))
        sys.stdout.flush()

        self.dir = tempfile.mkdtemp(prefix="zk-fault-harness-")
        hist_path = os.path.join(self.dir, "history.jsonl")
        net.remove_stale("zf")
        tag = "zf%d" % (os.getpid() % 100000)
        self.net = net.Network(tag, a.servers)
        self.ens = None
        history = None
        ok = False
        try:
            try:
                self.net.create()
            except RuntimeError as e:
                print("SKIP: cannot build the network namespaces: %s" % e)
                return SKIP
            self.net.enter_client_namespace()
            kazoo_log = logging.FileHandler(os.path.join(self.dir, "kazoo.log"))
            kazoo_log.setFormatter(logging.Formatter("%(asctime)s %(threadName)s %(message)s"))
            kl = logging.getLogger("kazoo")
            kl.addHandler(kazoo_log)
            kl.setLevel(logging.INFO)
            kl.propagate = False

            history = History(hist_path)
            history.comment("fault seed %d: %s" % (seed, replay))
            ok = self.exercise(seed, steps, history, bin_dir)
        finally:
            if history is not None:
                history.close()
            if self.ens is not None:
                self.ens.stop_all()
            self.net.destroy()
        if not ok:
            return 1
        return self.check(hist_path, bin_dir, replay)

    def exercise(self, seed, steps, history, bin_dir):
        a = self.args
        self.ens = cluster.Ensemble(self.dir, a.servers, a.kind, self.net, bin_dir)
        self.ens.start_all()
        try:
            # Quorum, not equal zxids: an idle ZooKeeper leader shows its new epoch's zxid
            # while the followers still show 0x0.
            self.ens.wait_serving(120)
        except TimeoutError as e:
            return self.fail("ensemble did not form: %s" % e)
        self.log("ensemble up (%s x%d): leader server.%s" % (a.kind, a.servers,
                                                            self.ens.leader()))
        all_hosts = self.ens.hosts()
        self.setup(all_hosts, history)

        ctx = Context(history, seed, linearizable_sync=(a.kind == "zknode"))
        sids = self.ens.sids
        pid = 0
        workers = []

        def add(cls, *extra):
            nonlocal pid
            pid += 1
            workers.append(cls(ctx, pid, *extra))
        # Clients on one server each and on the whole list.
        for i in range(4):
            add(workloads.RegisterWorker, self.ens.servers[sids[i % len(sids)]].hosts
                if i % 2 == 0 else all_hosts)
        for i in range(2):
            add(workloads.SequentialWorker, all_hosts)
        servers = [(s.ip, cluster.CLIENT_PORT) for s in self.ens.servers.values()]
        for i in range(2):
            add(workloads.EphemeralWorker, servers)
        for i in range(2):
            add(workloads.WatchWorker, self.ens.servers[sids[(i + 1) % len(sids)]].hosts
                if i == 0 else all_hosts)
        for i in range(2):
            add(workloads.MultiWorker, all_hosts)
        for w in workers:
            w.start()

        stop_nemesis = threading.Event()
        nem = nemesis.Nemesis(self.ens, self.net, steps, self.log, stop_nemesis)
        # On this thread: a server's parent-death signal fires when the *thread* that
        # started it exits (prctl(2)), so every restart must come from the main thread.
        nem.run()
        if nem.error is not None:
            self.failures.append("nemesis: %r" % nem.error)
        self.log("nemesis done: %d faults" % len(nem.done))

        # The servers expected back: all, or in the broken setup the wiped majority alone (the
        # server that kept its data stays down: its log would fight the majority's new one,
        # and how that ends is not what this run is about).
        back = None
        if a.broken:
            back = self.wipe_majority(history, pid + 1)

        try:
            self.ens.wait_serving(90, back)
            self.log("healed: every server serving (leader server.%s)" % self.ens.leader())
        except TimeoutError as e:
            ctx.stop_workers.set()
            return self.fail("no quorum after healing: %s" % e)
        # A few seconds of fault-free traffic (a run length, not a synchronisation), then the
        # workers end (ephemeral sessions are closed and confirmed, watch sessions flush
        # their events with sync reads).
        ctx.stop_workers.wait(3)
        ctx.stop_workers.set()
        for w in workers:
            w.join(90)
            if w.is_alive():
                self.failures.append("worker %s did not stop" % w.name)
            for e in w.errors:
                self.log("worker %s: %s" % (w.name, e))
        # A client may have been told "session expired" while its session still lived: a
        # re-attach is refused while a close is only proposed (ZooKeeper's closing flag), and
        # if a leader change loses that close the session ends by expiry on the new leader,
        # a session timeout and a tick or two later (Apache ZooKeeper, seed 1539641854). Its
        # ephemerals are gone only then: wait out that bound before reading the final trees.
        time.sleep(workloads.SESSION_TIMEOUT + 2 * cluster.TICK_MS / 1000.0)
        self.mark_epoch(self.ens.hosts(back))
        try:
            view = self.ens.wait_converged(60, back)
            self.log("converged: %s" % sorted(
                (sid, i["Mode"], i["Zxid"]) for sid, i in view.items()))
        except TimeoutError as e:
            return self.fail("no convergence after the workload: %s" % e)
        for s in (self.ens.servers[sid] for sid in (back or self.ens.sids)):
            try:
                nodes, digest = snapshot.snapshot(s)
            except RuntimeError as e:
                return self.fail(str(e))
            history.final("server.%d" % s.sid, nodes, digest)
            self.log("final snapshot server.%d: %d nodes, %s" % (s.sid, len(nodes), digest))
        self.log("history: %s" % dict(sorted(history.counts.items())))
        return not self.failures

    def setup(self, hosts, history):
        from kazoo.client import KazooClient
        c = KazooClient(hosts=hosts, timeout=10.0)
        c.start(timeout=60)
        try:
            for p in workloads.PARENTS:
                c.ensure_path(p)
            for k in workloads.REG_KEYS + workloads.MULTI_KEYS:
                c.create(k, b"init")
                _, st = c.get(k)
                history.init(k, True, "init", st.version, st.mzxid)
        finally:
            c.stop()
            c.close()

    def mark_epoch(self, hosts):
        """One write outside the workload's tree (not in the history), so the current epoch
        has a committed zxid every server reaches (see wait_serving above)."""
        from kazoo.client import KazooClient
        c = KazooClient(hosts=hosts, timeout=10.0)
        try:
            c.start(timeout=60)
            c.retry(c.ensure_path, "/fault-harness-marker")
            c.retry(c.set, "/fault-harness-marker", b"%d" % time.time())
        except Exception as e:  # noqa: BLE001 - convergence below reports the consequence
            self.log("epoch marker write failed: %r" % e)
        finally:
            c.stop()
            c.close()

    def wipe_majority(self, history, pid):
        """The broken setup: all down, a majority's dataDirs wiped, that majority alone.
        Returns the majority's ids."""
        sids = self.ens.sids
        majority = sids[:len(sids) // 2 + 1]
        self.log("BROKEN: killing every server, wiping the dataDirs of %s" % majority)
        self.ens.stop_all()
        for sid in majority:
            self.ens.servers[sid].wipe()
            self.ens.servers[sid].start()
        try:
            self.ens.wait_serving(90, majority)
        except TimeoutError as e:
            self.failures.append("wiped majority did not form: %s" % e)
            return majority
        self.log("BROKEN: wiped majority %s serving; a fresh client reads and writes" % majority)
        ctx = Context(history, 0)
        w = workloads.RegisterWorker(ctx, pid, self.ens.hosts(majority))
        if w.connect(self.ens.hosts(majority), timeout=60):
            for k in workloads.REG_KEYS:
                w.read(k, sync=True)
            w.write(workloads.REG_KEYS[0], "after-wipe")
            w.drop_client()
        return majority

    def fail(self, message):
        self.failures.append(message)
        self.log("FAIL: " + message)
        for s in (self.ens.servers.values() if self.ens else []):
            print("---- server.%d log tail (%s) ----\n%s" % (s.sid, s.log_path, s.log_tail()))
        return False

    def check(self, hist_path, bin_dir, replay):
        zkcheck = os.path.join(bin_dir, "zkcheck")
        keep_dir = os.environ.get("ZK_FAULT_OUT") or self.dir
        if not os.access(zkcheck, os.X_OK):
            print("zkcheck not built (%s): history kept unchecked at %s" % (zkcheck, hist_path))
            return 1 if self.args.broken else 0
        r = subprocess.run([zkcheck, "--time-limit-ms", str(self.args.check_ms), hist_path],
                           capture_output=True, text=True)
        out = (r.stdout + r.stderr).strip()
        verdicts = {0: "valid", 1: "VIOLATION", 2: "PARSE ERROR", 3: "UNDECIDED"}
        self.log("zkcheck: exit %d (%s)" % (r.returncode, verdicts.get(r.returncode, "?")))
        if self.args.broken:
            passed = r.returncode == 1
            print(out if not passed else "\n".join(out.splitlines()[:40]))
            print("PASS: zkcheck caught the wiped dataDirs" if passed else
                  "FAIL: zkcheck did not catch the wiped dataDirs (exit %d)" % r.returncode)
        else:
            passed = r.returncode == 0
            print(out if not passed else "\n".join(out.splitlines()[:5]))
        if passed and not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            if keep_dir != self.dir:
                os.makedirs(keep_dir, exist_ok=True)
                shutil.copy(hist_path, keep_dir)
                hist_path = os.path.join(keep_dir, os.path.basename(hist_path))
            print("history kept: %s (server logs: %s)\nreplay: %s\nre-check: %s %s"
                  % (hist_path, self.dir, replay, zkcheck, hist_path))
        return 0 if passed else 1


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kind", choices=("zknode", "zookeeper"),
                   default=os.environ.get("ZK_FAULT_KIND", "zknode"))
    p.add_argument("--servers", type=int, choices=(3, 5), default=3)
    p.add_argument("--seconds", type=float,
                   default=float(os.environ.get("ZK_FAULT_SECONDS", "60")))
    p.add_argument("--broken", choices=("wipe",), default=None)
    p.add_argument("--check-ms", type=int, default=60000, help="zkcheck's time limit")
    p.add_argument("--keep", action="store_true", help="keep the temp dir even on success")
    run = Run(p.parse_args())
    code = run.main()
    if code == 1 and run.failures:
        print("FAILED: " + "; ".join(run.failures))
    return code


if __name__ == "__main__":
    sys.exit(main())
