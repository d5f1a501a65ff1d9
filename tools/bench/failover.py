#!/usr/bin/python3
"""failover.py: write availability when the leader of a 3-server ensemble goes away,
zknode side by side with Apache ZooKeeper 3.8 (Debian `zookeeper`), for issue 3's README figures.

Measures, per round and per system (rounds alternate A B A B so load drifts hit both), with
one writer connected to each follower (so both "my server becomes the leader" and "my server
stays a follower" are seen; rows are keyed by that role once a leader is back):
  kill  SIGKILL of the leader at T0. first write ms = reply time of the first successful write
        *sent after* T0, minus T0.
  stop  planned stop of the (new) leader after the killed server is back and the ensemble is
        healthy: zknode `zkops server stop` (hands leadership away first); ZooKeeper SIGTERM
        (what zkServer.sh stop does). Target for zknode: no failed write.
  Both: failed writes = writes that failed at or after T0 (one may have been in flight at T0):
  an error reply or no reply (connection closed, or --write-timeout, default 2 s); failed connects = (re)connects refused or closed
  (no write could be sent); max gap ms = longest gap between replies of consecutive successful
  writes. Window: T0 - 0.5 s to 1 s after the last writer's first success, at least T0 + 5 s.
  --json adds each failure as [ms after T0 it was sent, why].
Both systems: tickTime=2000 initLimit=10 syncLimit=5, loopback, free ports, fresh dataDirs.
zknode is run with `zkops server start` (election plugin raft, the default with server.N lines);
ZooKeeper with QuorumPeerMain (-Xmx256m). A fresh ensemble per round and system: start, kill
the leader, restart it, wait for one leader + two followers, stop the leader, tear down.
The writers are a raw minimal client (below), not kazoo: synchronous setData of 16 bytes, one
at a time; on any failure close, wait 20 ms (the resolution of the figures) and reconnect to
the same server with the same session (no client back-off in the figures).

  /usr/bin/python3 tools/bench/failover.py --zknode build/bin/zknode --rounds 5 [--json]
"""
import argparse, json, os, shutil, signal, socket, statistics, struct, subprocess, sys
import tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tests", "harness"))
import zkserver  # noqa: E402  (free_port, four_letter, wait_until, ZooKeeper jars)

now = time.monotonic
RETRY_S = 0.02
WRITE_TIMEOUT_S = 2.0  # --write-timeout


class RawClient:
    """The ZooKeeper wire protocol, just enough for connect + create + setData (protocol.md)."""

    def __init__(self, port, timeout_s=2.0):
        self.port, self.timeout_s = port, timeout_s
        self.session, self.passwd, self.zxid, self.xid, self.sock = 0, b"\0" * 16, 0, 0, None

    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed by server")
            buf += chunk
        return buf

    def _frame(self, payload):
        self.sock.sendall(struct.pack(">i", len(payload)) + payload)
        return self._recv(struct.unpack(">i", self._recv(4))[0])

    def connect(self):
        self.close()
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout_s)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reply = self._frame(struct.pack(">iqiqi", 0, self.zxid, 30000, self.session, 16) +
                            self.passwd + b"\0")
        _, timeout, session, plen = struct.unpack(">iiqi", reply[:20])
        if timeout <= 0:  # session expired: next connect starts a new one
            self.session, self.passwd = 0, b"\0" * 16
            raise ConnectionError("session expired")
        self.session, self.passwd = session, reply[20:20 + plen]

    def _request(self, op, body):
        self.xid += 1
        reply = self._frame(struct.pack(">ii", self.xid, op) + body)
        xid, zxid, err = struct.unpack(">iqi", reply[:16])
        if xid != self.xid:
            raise ConnectionError("unexpected xid %d" % xid)
        self.zxid = max(self.zxid, zxid)
        return err

    @staticmethod
    def _s(b):
        return struct.pack(">i", len(b)) + b

    def create(self, path, data):  # world:anyone ALL, persistent
        acl = struct.pack(">ii", 1, 31) + self._s(b"world") + self._s(b"anyone")
        return self._request(1, self._s(path) + self._s(data) + acl + struct.pack(">i", 0))

    def set_data(self, path, data):
        return self._request(5, self._s(path) + self._s(data) + struct.pack(">i", -1))

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


class Writer(threading.Thread):
    """Writes continuously through one server; records (sent, replied, ok, why) per write."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.client, self.events = RawClient(port, WRITE_TIMEOUT_S), []
        self.halt = threading.Event()
        self.connect_failures = []  # times of failed (re)connects: no write could be sent

    def run(self):
        c = self.client
        while not self.halt.is_set():
            t = None
            try:
                if c.sock is None:
                    try:
                        c.connect()
                        c.create(b"/failover", b"")  # NODEEXISTS after the first time: fine
                    except (OSError, ConnectionError, struct.error):
                        self.connect_failures.append(now())
                        raise
                t = now()
                err = c.set_data(b"/failover", b"x" * 16)
                self.events.append((t, now(), err == 0, "err %d" % err))
                if err == 0:
                    continue
            except (OSError, ConnectionError, struct.error) as e:
                if t is not None:  # the write was sent (or being sent) and got no reply
                    self.events.append((t, now(), False, type(e).__name__ + ": " + str(e)))
            c.close()  # any failure: reconnect, same session
            time.sleep(RETRY_S)
        c.close()

    def first_ok_after(self, t0, timeout_s=60.0):
        return zkserver.wait_until(lambda: next((e for e in list(self.events)
                                                 if e[2] and e[0] >= t0), None),
                                   timeout_s, interval=0.01, what="a write after T0")

    def stop(self):
        self.halt.set()
        self.join(10)


class Ensemble:
    """Three servers of one kind in a temp dir; start/kill/stop single servers by index."""

    def __init__(self, kind, zknode):
        self.kind, self.zknode = kind, zknode
        self.zkops = os.path.join(os.path.dirname(zknode), "zkops")
        self.dir = tempfile.mkdtemp(prefix="failover-%s-" % kind)
        self.ports = [zkserver.free_port() for _ in range(9)]
        self.procs = {}  # index -> Popen (zookeeper) or pid (zknode)
        self.cfgs = []
        for i in range(3):
            d = os.path.join(self.dir, "d%d" % i)
            os.makedirs(d)
            with open(os.path.join(d, "myid"), "w") as f:
                f.write("%d\n" % i)
            lines = ["tickTime=2000", "initLimit=10", "syncLimit=5", "dataDir=" + d,
                     "dataLogDir=" + d, "clientPort=%d" % self.ports[i],
                     "clientPortAddress=127.0.0.1", "admin.enableServer=false",
                     "4lw.commands.whitelist=*"]
            lines += ["server.%d=127.0.0.1:%d:%d" % (j, self.ports[3 + j], self.ports[6 + j])
                      for j in range(3)]
            self.cfgs.append(os.path.join(self.dir, "zoo%d.cfg" % i))
            with open(self.cfgs[i], "w") as f:
                f.write("\n".join(lines) + "\n")
        with open(os.path.join(self.dir, "log4j.properties"), "w") as f:
            f.write(zkserver.LOG4J_PROPERTIES)

    def start(self, idx):
        """Starts servers `idx` concurrently (zkops start waits for each, so run them at once)."""
        waits = []
        for i in idx:
            if self.kind == "zookeeper":
                cp = ":".join([self.dir, zkserver.ZK_JAR] + zkserver.ZK_LOG_JARS)
                log = open(os.path.join(self.dir, "log%d" % i), "ab")
                self.procs[i] = subprocess.Popen(
                    ["java", "-Xmx256m", "-Dlog4j.configuration=file:%s/log4j.properties"
                     % self.dir, "-cp", cp, zkserver.ZK_MAIN, self.cfgs[i]],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    preexec_fn=zkserver._die_with_parent)
                log.close()
            else:
                waits.append((i, subprocess.Popen(
                    [self.zkops, "server", "start", self.cfgs[i], "--zknode", self.zknode,
                     "--timeout", "60", "--wait-serving", "1"],
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
        for i, p in waits:
            out = p.communicate(timeout=120)[0]
            if p.returncode != 0:
                raise RuntimeError("zkops server start %d -> %d: %s" % (i, p.returncode, out))
            self.procs[i] = int(open(self._pidfile(i)).read())

    def _pidfile(self, i):
        return os.path.join(self.dir, "d%d" % i, "zookeeper_server.pid")

    def kill(self, i, sig=signal.SIGKILL):
        p = self.procs.pop(i)
        if isinstance(p, int):
            os.kill(p, sig)
            if os.path.exists(self._pidfile(i)):
                os.remove(self._pidfile(i))
        else:
            p.send_signal(sig)
            p.wait(60)

    def zkops_stop(self, i):
        self.procs.pop(i)
        r = subprocess.run([self.zkops, "server", "stop", self.cfgs[i]], capture_output=True,
                           text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError("zkops server stop -> %d: %s%s" % (r.returncode, r.stdout,
                                                                 r.stderr))

    def modes(self, idx=range(3)):
        """{i: mode} once every server in idx serves and exactly one leads; else None."""
        out = {}
        for i in idx:
            try:
                text = zkserver.four_letter("127.0.0.1", self.ports[i], "srvr", timeout=1)
            except OSError:
                return None
            m = [l.split(": ")[1] for l in text.splitlines() if l.startswith("Mode: ")]
            if not m:
                return None
            out[i] = m[0]
        return out if list(out.values()).count("leader") == 1 else None

    def healthy(self):
        return zkserver.wait_until(self.modes, 90, 0.1, "%s: one leader, two followers"
                                   % self.kind)

    def close(self):
        for i in list(self.procs):
            try:
                self.kill(i)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if not os.environ.get("ZK_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)


def writers_on_followers(ens):
    """Waits for a healthy ensemble; starts one writer per follower once each has written."""
    modes = ens.healthy()
    leader = [i for i, m in modes.items() if m == "leader"][0]
    writers = {i: Writer(ens.ports[i]) for i in modes if i != leader}
    for w in writers.values():
        w.start()
    for w in writers.values():
        w.first_ok_after(now(), 30)
    time.sleep(0.5)
    return leader, writers


def outcome(ens, writers, t0):
    """Per writer, keyed by the role its server has once a leader is back: first success
    sent after t0 (ms after t0); failed writes and (re)connects in [t0, t_end), each failure
    as [ms after t0 sent, why]; longest gap between successful replies in [t0 - 0.5 s, t_end],
    t_end = 1 s after the last writer's first success but at least t0 + 5 s (a write still
    hanging at t_end extends the gap to its timeout)."""
    after = zkserver.wait_until(lambda: ens.modes([i for i in writers]), 60, 0.05,
                                "a leader among the survivors")
    firsts = {i: w.first_ok_after(t0) for i, w in writers.items()}
    t_end = max(max(f[1] for f in firsts.values()) + 1.0, t0 + 5.0)
    time.sleep(max(0.0, t_end - now()))
    for w in writers.values():
        w.halt.set()
    out = {}
    for i, w in writers.items():
        w.stop()
        win = [e for e in w.events if e[1] >= t0 - 0.5 and e[0] < t_end]
        oks = [e[1] for e in win if e[2]] + [max([t_end] + [e[1] for e in win])]
        fails = [e for e in win if not e[2] and e[1] >= t0]
        out[after[i]] = {
            "first_ok_ms": round((firsts[i][1] - t0) * 1000, 1),
            "failed": len(fails),
            "failed_connects": sum(1 for t in w.connect_failures if t0 <= t < t_end),
            "max_gap_ms": round(max(b - a for a, b in zip(oks, oks[1:])) * 1000, 1),
            "failures": [[round((e[0] - t0) * 1000, 1), e[3]] for e in fails]}
    return out


def one_round(kind, zknode):
    ens = Ensemble(kind, zknode)
    try:
        ens.start(range(3))
        leader, writers = writers_on_followers(ens)
        t0 = now()
        ens.kill(leader)
        kill = outcome(ens, writers, t0)
        ens.start([leader])
        leader, writers = writers_on_followers(ens)
        t0 = now()
        if kind == "zknode":
            ens.zkops_stop(leader)
        else:
            ens.kill(leader, signal.SIGTERM)
        t1 = now()
        stop = outcome(ens, writers, t0)
        stop["stop_cmd_ms"] = round((t1 - t0) * 1000, 1)
        return {"system": kind, "kill": kill, "stop": stop}
    finally:
        ens.close()


def summary(vals):
    return "%g / %g / %g" % (min(vals), statistics.median(vals), max(vals))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zknode", required=True, help="zknode binary (zkops next to it)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--systems", default="zookeeper,zknode")
    ap.add_argument("--write-timeout", type=float, default=WRITE_TIMEOUT_S,
                    help="seconds a write (or connect) may take before it counts as failed")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = ap.parse_args()
    zknode = os.path.abspath(args.zknode)
    globals()["WRITE_TIMEOUT_S"] = args.write_timeout
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))  # finally-blocks clean up
    load = [os.getloadavg()]
    results = []
    for r in range(args.rounds):
        for kind in args.systems.split(","):
            res = one_round(kind, zknode)
            res["round"] = r + 1
            results.append(res)
            sys.stderr.write("%s\n" % json.dumps(res))
    load.append(os.getloadavg())
    if args.json:
        print(json.dumps({"load_before_after": load, "rounds": results}, indent=1))
        return
    print("load average before %.2f %.2f %.2f, after %.2f %.2f %.2f; %d rounds; "
          "ms as min / median / max; counts per round" % (load[0] + load[1] + (args.rounds,)))
    fmt = "%-10s %-5s %-13s %-22s %-14s %-14s %s"
    print(fmt % ("system", "event", "writer's srv", "first write ms", "failed writes",
                 "failed connects", "max gap ms"))
    for kind in args.systems.split(","):
        rs = [x for x in results if x["system"] == kind]
        for event in ("kill", "stop"):
            for role in ("leader", "follower"):
                xs = [x[event][role] for x in rs if role in x[event]]
                print(fmt % (kind, event, "-> " + role,
                             summary([x["first_ok_ms"] for x in xs]) if event == "kill"
                             else "n/a", ",".join(str(x["failed"]) for x in xs),
                             ",".join(str(x["failed_connects"]) for x in xs),
                             summary([x["max_gap_ms"] for x in xs])))
        print("%-10s stop command (%s) ms: %s" % (
            kind, "zkops server stop" if kind == "zknode" else "SIGTERM, exit",
            summary([x["stop"]["stop_cmd_ms"] for x in rs])))


if __name__ == "__main__":
    main()
