#!/usr/bin/python3
"""Issue 3's fault test: a 3-server zknode ensemble (raft election) under concurrent kazoo
writers while random servers, often the leader, are SIGKILLed (then restarted on the same
dataDir) or SIGSTOPped (then SIGCONTed). Afterwards every acknowledged write must be present
on every server and all servers must hold identical trees (`hash` digests and a full listing
of /fault compared across servers).

Environment:
  ZK_BIN_DIR        dir holding zknode (default: build/bin next to the source tree)
  ZK_FAULT_SEED     replay a schedule (the seed is printed at the start of every run; the
                    leader's identity at fault time is not seeded, so a replay is close, not
                    exact)
  ZK_FAULT_SECONDS  how long faults are injected (default 40)
  ZK_KEEP_TMP       keep the temp dir (server logs, event log) after the run

Outcome rules (ZooKeeper Programmer's Guide, "Consistency Guarantees"): a write whose reply
arrived is acknowledged and must survive; a write that ended in ConnectionLoss, SessionExpired,
OperationTimeout or a client-side timeout has an unknown outcome (it may or may not be there)
and is never retried on the same path.
"""
import collections
import logging
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import zkserver  # noqa: E402
from kazoo.client import KazooClient  # noqa: E402
from kazoo import exceptions as kex  # noqa: E402
from kazoo.handlers.threading import KazooTimeoutError  # noqa: E402

HOST = "127.0.0.1"
N_SERVERS = 3
N_WRITERS = 3
N_SHARED = 3
OP_TIMEOUT = 15.0      # client-side bound on one request; longer than any fault
SESSION_TIMEOUT = 10.0  # seconds; kazoo's `timeout`
# Liveness: a request must get its reply or a disconnect within this many seconds. A fault
# lasts at most 3 s, then an election (200 ms timeout) and a kazoo reconnect; healthy runs
# wait at most ~4 s. Overridable (ZK_FAULT_MAX_WAIT) for slow machines.
MAX_REQUEST_WAIT = float(os.environ.get("ZK_FAULT_MAX_WAIT", "8"))
UNKNOWN_OUTCOME = (kex.ConnectionLoss, kex.SessionExpiredError, kex.OperationTimeoutError,
                   kex.ConnectionClosedError, kex.SessionMovedError, KazooTimeoutError)


class Server(zkserver.ServerProcess):
    """One ensemble member: fixed ports and dataDir, so it can be killed and restarted
    (start/kill/pause/resume/srvr: zkserver.ServerProcess)."""

    def __init__(self, root, sid, bin_dir):
        super().__init__(os.path.join(root, "server%d" % sid))
        self.sid = sid
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir)
        with open(os.path.join(self.data_dir, "myid"), "w") as f:
            f.write("%d\n" % sid)
        self.cfg = os.path.join(self.dir, "zoo.cfg")
        self.binary = os.path.join(bin_dir, "zknode")
        self.host = HOST
        self.port = zkserver.free_port()
        self.quorum_port = zkserver.free_port()
        self.election_port = zkserver.free_port()

    def write_cfg(self, servers):
        lines = ["tickTime=2000", "initLimit=10", "syncLimit=5",
                 "dataDir=%s" % self.data_dir, "clientPort=%d" % self.port,
                 "clientPortAddress=%s" % HOST, "admin.enableServer=false",
                 "4lw.commands.whitelist=*"]
        lines += ["server.%d=%s:%d:%d" % (s.sid, HOST, s.quorum_port, s.election_port)
                  for s in servers]
        with open(self.cfg, "w") as f:
            f.write("\n".join(lines) + "\n")

    def command(self):
        return [self.binary, self.cfg]

    def log_tail(self, lines=60):
        return zkserver.log_tail(self.log_path, lines)


class Writer(threading.Thread):
    """Sequential synchronous creates of /fault/w<k>-<n> (data = path) and, every fifth
    operation, a versioned setData on a shared key."""

    def __init__(self, k, hosts, stop, rng_seed, events):
        super().__init__(name="writer%d" % k, daemon=True)
        self.k = k
        self.hosts = hosts
        self.stop_event = stop
        self.rng = random.Random(rng_seed)
        self.events = events
        self.acked = {}       # path -> data
        self.unknown = set()  # paths whose create had an unknown outcome
        self.attempted = set()
        self.unexpected = []  # (op, path, repr(exception))
        self.set_acked = collections.Counter()    # shared key -> acknowledged sets
        self.set_unknown = collections.Counter()  # shared key -> unknown-outcome sets
        self.bad_version = 0
        self.exc_kinds = collections.Counter()
        self.max_latency = 0.0
        self.client = None

    def _wait(self, async_result):
        started = time.monotonic()
        try:
            return async_result.get(timeout=OP_TIMEOUT)
        finally:
            # A long wait without a reply or a disconnect is a liveness finding (reported in
            # the summary), not a safety violation.
            waited = time.monotonic() - started
            self.max_latency = max(self.max_latency, waited)
            if waited > MAX_REQUEST_WAIT:
                self.events("writer %d: a request waited %.1fs (no reply, no disconnect)"
                            % (self.k, waited))

    def run(self):
        # No kazoo command retry: every outcome is classified here, and a path is tried once.
        self.client = KazooClient(hosts=self.hosts, timeout=SESSION_TIMEOUT,
                                  connection_retry=dict(max_tries=-1, delay=0.1, backoff=1.5,
                                                        max_delay=1.0),
                                  randomize_hosts=True)
        try:
            self.client.start(timeout=30)
        except Exception as e:  # noqa: BLE001 - reported as a failure below
            self.unexpected.append(("connect", "", repr(e)))
            return
        n = 0
        while not self.stop_event.is_set():
            n += 1
            if n % 5 == 0:
                self._shared_set("/fault/shared-%d" % self.rng.randrange(N_SHARED), n)
                continue
            path = "/fault/w%d-%d" % (self.k, n)
            data = path.encode()
            self.attempted.add(path)
            try:
                self._wait(self.client.create_async(path, data))
                self.acked[path] = data
            except kex.NodeExistsError:
                # Only possible if the create was re-sent after a lost reply: it is there.
                self.acked[path] = data
                self.exc_kinds["NodeExists(own path)"] += 1
            except UNKNOWN_OUTCOME as e:
                self.unknown.add(path)
                self.exc_kinds[type(e).__name__] += 1
                self._note(e, "create " + path)
                self._backoff()
            except Exception as e:  # noqa: BLE001
                self.unknown.add(path)
                self.unexpected.append(("create", path, repr(e)))
                self._backoff()

    def _shared_set(self, key, n):
        try:
            _, stat = self._wait(self.client.get_async(key))
        except UNKNOWN_OUTCOME as e:
            self.exc_kinds[type(e).__name__] += 1
            self._note(e, "get " + key)
            self._backoff()
            return
        except Exception as e:  # noqa: BLE001
            self.unexpected.append(("get", key, repr(e)))
            return
        data = ("w%d-%d" % (self.k, n)).encode()
        try:
            self._wait(self.client.set_async(key, data, version=stat.version))
            self.set_acked[key] += 1
        except kex.BadVersionError:
            self.bad_version += 1  # a concurrent writer won the race: nothing was written
        except UNKNOWN_OUTCOME as e:
            self.set_unknown[key] += 1
            self.exc_kinds[type(e).__name__] += 1
            self._note(e, "set " + key)
            self._backoff()
        except Exception as e:  # noqa: BLE001
            self.set_unknown[key] += 1
            self.unexpected.append(("set", key, repr(e)))

    def _note(self, e, what):
        """A client-side timeout means the server held a request without answering or
        closing the connection: worth a line in the event log (with the server's port)."""
        if isinstance(e, KazooTimeoutError):
            peer = "?"
            try:
                peer = "%s:%d" % self.client._connection._socket.getpeername()
            except Exception:  # noqa: BLE001 - diagnostics only
                pass
            self.events("writer %d: no reply within %.0fs to %s (connected to %s)"
                        % (self.k, OP_TIMEOUT, what, peer))

    def _backoff(self):
        # While the client reconnects every request fails fast; do not spin.
        self.stop_event.wait(0.05)

    def close(self):
        if self.client is not None:
            try:
                self.client.stop()
            finally:
                self.client.close()


class EnsembleFaultTest(unittest.TestCase):
    def setUp(self):
        self.bin_dir = zkserver.default_bin_dir()
        if not os.access(os.path.join(self.bin_dir, "zknode"), os.X_OK):
            self.skipTest("no zknode in %s (set ZK_BIN_DIR)" % self.bin_dir)
        plugin = os.path.join(self.bin_dir, "..", "lib", "zkops", "plugins",
                              "libzk_election_raft.so")
        if not os.path.exists(plugin):
            self.skipTest("no election plugin 'raft' built (%s)" % os.path.normpath(plugin))
        seed_env = os.environ.get("ZK_FAULT_SEED")
        self.seed = int(seed_env) if seed_env else random.SystemRandom().randrange(1 << 31)
        self.fault_seconds = float(os.environ.get("ZK_FAULT_SECONDS", "40"))
        print("\nZK_FAULT_SEED=%d ZK_FAULT_SECONDS=%g (set them to replay)"
              % (self.seed, self.fault_seconds), flush=True)
        self.dir = tempfile.mkdtemp(prefix="zk-fault-")
        self.servers = [Server(self.dir, sid, self.bin_dir) for sid in range(1, N_SERVERS + 1)]
        for s in self.servers:
            s.write_cfg(self.servers)
        self.event_log = open(os.path.join(self.dir, "events.log"), "w")
        # kazoo's reconnect chatter goes to the temp dir, not the test output.
        self.kazoo_log = logging.FileHandler(os.path.join(self.dir, "kazoo.log"))
        self.kazoo_log.setFormatter(logging.Formatter("%(asctime)s %(threadName)s %(message)s"))
        kazoo_logger = logging.getLogger("kazoo")
        kazoo_logger.addHandler(self.kazoo_log)
        kazoo_logger.setLevel(logging.INFO)
        kazoo_logger.propagate = False
        self.t0 = time.monotonic()
        self.writers = []
        self.clients = []

    def tearDown(self):
        if not hasattr(self, "servers"):
            return
        stop = getattr(self, "stop_writers", None)
        if stop is not None:
            stop.set()
        for c in self.clients:
            try:
                c.stop()
                c.close()
            except Exception:  # noqa: BLE001
                pass
        for s in self.servers:
            s.kill()
        for w in self.writers:
            w.join(OP_TIMEOUT + 5)
            try:
                w.close()
            except Exception:  # noqa: BLE001
                pass
        self.event_log.close()
        logging.getLogger("kazoo").removeHandler(self.kazoo_log)
        self.kazoo_log.close()
        if os.environ.get("ZK_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # ---- helpers ------------------------------------------------------------------------

    def event(self, text):
        line = "[%7.2fs] %s" % (time.monotonic() - self.t0, text)
        self.event_log.write(line + "\n")
        self.event_log.flush()
        print(line, flush=True)

    def fail_with(self, message):
        tails = "\n".join("---- server.%d log tail (%s) ----\n%s"
                          % (s.sid, s.log_path, s.log_tail()) for s in self.servers)
        self.fail("seed %d: %s\n%s\nreplay: ZK_FAULT_SEED=%d ZK_FAULT_SECONDS=%g"
                  % (self.seed, message, tails, self.seed, self.fault_seconds))

    def modes(self):
        return {s.sid: s.srvr() for s in self.servers if s.running and not s.paused}

    def leader(self):
        for sid, info in self.modes().items():
            if info.get("Mode") == "leader":
                return sid
        return None

    def wait_converged(self, timeout):
        """One leader, two followers, all at the same Zxid (seen twice in a row, so a write in
        flight does not pass for convergence)."""
        last = [None]

        def poll():
            infos = [s.srvr() for s in self.servers]
            modes = sorted(i.get("Mode", "?") for i in infos)
            zxids = set(i.get("Zxid") for i in infos)
            state = (tuple(modes), tuple(sorted(zxids, key=str)))
            ok = modes == ["follower", "follower", "leader"] and len(zxids) == 1
            stable = ok and last[0] == state
            last[0] = state
            return infos if stable else None
        try:
            return zkserver.wait_until(poll, timeout, interval=0.25,
                                       what="one leader, two followers, equal Zxid")
        except TimeoutError:
            self.fail_with("ensemble did not converge within %.0fs; last srvr view: %s"
                           % (timeout, last[0]))

    def connect(self, hosts):
        c = KazooClient(hosts=hosts, timeout=SESSION_TIMEOUT,
                        connection_retry=dict(max_tries=-1, delay=0.1, max_delay=1.0),
                        command_retry=dict(max_tries=5, delay=0.2, max_delay=1.0))
        self.clients.append(c)
        c.start(timeout=30)
        return c

    def read_all(self, client, paths, sid):
        """{path: (data, version, czxid, mzxid)}; pipelined gets, re-issued after a lost
        connection (a follower may drop its clients while it re-finds the leader)."""
        out, todo = {}, list(paths)
        for attempt in range(10):
            retry = []
            for i in range(0, len(todo), 2000):
                chunk = todo[i:i + 2000]
                pending = [(p, client.get_async(p)) for p in chunk]
                for p, r in pending:
                    try:
                        data, stat = r.get(timeout=OP_TIMEOUT)
                        out[p] = (data, stat.version, stat.czxid, stat.mzxid)
                    except UNKNOWN_OUTCOME as e:
                        retry.append(p)
                        last = e
            if not retry:
                return out
            self.event("server.%d: %d reads failed (%r); re-reading" % (sid, len(retry), last))
            zkserver.wait_until(lambda: client.connected, 30, what="verification client")
            todo = retry
        self.fail_with("server.%d: could not read %d nodes after 10 attempts" % (sid, len(todo)))

    # ---- the test -----------------------------------------------------------------------

    def test_faults_keep_acknowledged_writes_and_identical_trees(self):
        rng = random.Random(self.seed)
        for s in self.servers:
            s.start()
        self.wait_converged(60)
        self.event("ensemble up: leader server.%s" % self.leader())

        all_hosts = ",".join(s.hosts for s in self.servers)
        setup = self.connect(all_hosts)
        setup.ensure_path("/fault")
        for j in range(N_SHARED):
            setup.create("/fault/shared-%d" % j, b"init")
        setup.stop()
        setup.close()
        self.clients.remove(setup)

        self.stop_writers = threading.Event()
        self.writers = [Writer(k, all_hosts, self.stop_writers, self.seed * 31 + k, self.event)
                        for k in range(N_WRITERS)]
        for w in self.writers:
            w.start()

        faults = collections.Counter()
        start = time.monotonic()
        end = start + self.fault_seconds
        next_fault = start + rng.uniform(2, 4)
        while True:
            now = time.monotonic()
            if next_fault >= end:
                break
            if now < next_fault:
                time.sleep(min(0.1, next_fault - now))
                continue
            fault_start = time.monotonic()
            kind = rng.choice(["kill", "stop"])
            target_leader = rng.random() < 0.5
            duration = rng.uniform(1, 3)
            victim_sid = self.leader() if target_leader else None
            if victim_sid is None:
                victim_sid = rng.choice(self.servers).sid
                who = "random"
            else:
                who = "leader"
            victim = self.servers[victim_sid - 1]
            if kind == "kill":
                self.event("SIGKILL server.%d (%s) for %.1fs" % (victim_sid, who, duration))
                victim.kill()
                time.sleep(duration)
                victim.start()
                self.event("restarted server.%d" % victim_sid)
            else:
                self.event("SIGSTOP server.%d (%s) for %.1fs" % (victim_sid, who, duration))
                victim.pause()
                time.sleep(duration)
                victim.resume()
                self.event("SIGCONT server.%d" % victim_sid)
            faults["%s-%s" % (kind, who)] += 1
            next_fault = max(fault_start + rng.uniform(2, 4), time.monotonic() + 0.5)

        self.event("faults over; stopping writers")
        self.stop_writers.set()
        for w in self.writers:
            w.join(OP_TIMEOUT + 10)
            if w.is_alive():
                self.fail_with("writer %d did not stop" % w.k)
        for w in self.writers:
            w.close()

        # Recovery: nothing paused, nothing down.
        for s in self.servers:
            s.resume()
            if not s.running:
                code = s.proc.returncode if s.proc else None
                self.event("server.%d was down (exit %s); restarting" % (s.sid, code))
                s.start()
        infos = self.wait_converged(60)
        self.event("converged: %s" % [(i["Mode"], i["Zxid"]) for i in infos])

        acked, unknown, attempted = {}, set(), set()
        set_acked, set_unknown = collections.Counter(), collections.Counter()
        exc_kinds, unexpected, bad_version = collections.Counter(), [], 0
        max_latency = max(w.max_latency for w in self.writers)
        for w in self.writers:
            acked.update(w.acked)
            unknown |= w.unknown
            attempted |= w.attempted
            set_acked.update(w.set_acked)
            set_unknown.update(w.set_unknown)
            exc_kinds.update(w.exc_kinds)
            unexpected += w.unexpected
            bad_version += w.bad_version

        summary = ("seed=%d faults=%s acked_creates=%d unknown_creates=%d acked_sets=%d "
                   "unknown_sets=%d bad_version=%d client_errors=%s max_request_wait=%.1fs"
                   % (self.seed, dict(faults), len(acked), len(unknown), sum(set_acked.values()),
                      sum(set_unknown.values()), bad_version, dict(exc_kinds), max_latency))
        self.event("summary: " + summary)
        if not acked:
            self.fail_with("no write was acknowledged at all")
        if unexpected:
            self.fail_with("unexpected client errors (first 10): %s" % unexpected[:10])

        # (2a) digests: `hash` prints "<zxid hex>: <digest>"; equal zxid, equal digest.
        hashes = {s.sid: s.four_letter("hash", timeout=5).strip() for s in self.servers}
        self.event("hash: %s" % hashes)
        if len(set(hashes.values())) != 1 or not all(hashes.values()):
            self.fail_with("tree digests differ: %s" % hashes)

        # (1) every acknowledged write on every server, (2b) identical listings of /fault.
        listings = {}
        for s in self.servers:
            c = self.connect(s.hosts)
            c.retry(c.sync, "/fault")
            children = c.retry(c.get_children, "/fault")
            listing = self.read_all(c, ["/fault/" + name for name in children], s.sid)
            listings[s.sid] = listing
            c.stop()
            c.close()
            self.clients.remove(c)

            missing = [p for p in acked if p not in listing]
            wrong = [(p, listing[p][0]) for p, d in acked.items()
                     if p in listing and listing[p][0] != d]
            if missing or wrong:
                self.fail_with("server.%d lost acknowledged writes: %d missing (first: %s), "
                               "%d with wrong data (first: %s)"
                               % (s.sid, len(missing), sorted(missing)[:10], len(wrong),
                                  wrong[:5]))
            shared = {"/fault/shared-%d" % j for j in range(N_SHARED)}
            phantom = [p for p in listing if p not in attempted and p not in shared]
            if phantom:
                self.fail_with("server.%d holds nodes nobody created: %s"
                               % (s.sid, sorted(phantom)[:10]))
            for key in shared:
                version = listing[key][1]
                if not set_acked[key] <= version <= set_acked[key] + set_unknown[key]:
                    self.fail_with("server.%d: %s at version %d, but %d sets were acknowledged "
                                   "and %d unknown" % (s.sid, key, version, set_acked[key],
                                                       set_unknown[key]))

        base = listings[self.servers[0].sid]
        for sid, listing in listings.items():
            if listing != base:
                only_here = sorted(set(listing) - set(base))[:10]
                only_base = sorted(set(base) - set(listing))[:10]
                differ = sorted(p for p in set(listing) & set(base) if listing[p] != base[p])[:5]
                self.fail_with("listing of /fault on server.%d differs from server.%d: only "
                               "here %s, only there %s, different %s"
                               % (sid, self.servers[0].sid, only_here, only_base,
                                  [(p, listing[p], base[p]) for p in differ]))
        # Liveness last, so a stall does not hide the safety results above.
        if max_latency > MAX_REQUEST_WAIT:
            self.fail_with("a request waited %.1fs for a reply or a disconnect (limit %.0fs, "
                           "ZK_FAULT_MAX_WAIT): a server held it without answering; see "
                           "the events above for which writer and when"
                           % (max_latency, MAX_REQUEST_WAIT))
        present_unknown = sum(1 for p in unknown if p in base)
        self.event("OK: %d acknowledged creates on all %d servers, %d nodes in /fault, "
                   "%d of %d unknown-outcome creates took effect; %s"
                   % (len(acked), N_SERVERS, len(base), present_unknown, len(unknown), summary))


if __name__ == "__main__":
    unittest.main(verbosity=2)
