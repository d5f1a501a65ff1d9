#!/usr/bin/python3
"""`zkops status` against real 3-server ensembles and against fakes.

ApacheEnsembleTest  Apache ZooKeeper 3.8 (Debian `zookeeper`), 4lw.commands.whitelist=*
ZknodeEnsembleTest  the same walk against zknode (raft election plugin)
  healthy: one leader, two followers, lag 0, exit 0 -> the leader stopped: a new leader,
  the old one "down", exit 1 (degraded) -> a second stopped: the last one "not serving",
  exit 3 (no quorum) -> all stopped: exit 5 (unreachable).
  A standalone server with the default whitelist (srvr only) and its AdminServer on: mntr
  comes from /commands/mntr.
FakeServerTest      what no real server does: srvr refused by the whitelist (Apache and
  zknode both force-enable srvr, FourLetterCommands.java), and hung servers probed in
  parallel.

Environment: ZKOPS (the zkops binary), ZKNODE (the zknode binary; ZknodeEnsembleTest is
skipped without it or without the raft plugin). Fresh temp dirs, free loopback ports; every
wait polls a condition with a deadline.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness"))
import zkserver  # noqa: E402

ZKOPS = os.environ.get("ZKOPS", "")
ZKNODE = os.environ.get("ZKNODE", "")
FAKE = os.path.join(HERE, "..", "fake_zknode.py")
HOST = "127.0.0.1"
# Debian's zookeeper.jar manifest lists jetty but not the servlet API, so without it the
# AdminServer logs "Unable to load jetty, not starting JettyAdminServer".
SERVLET_JARS = [j for j in ["/usr/share/java/servlet-api.jar"] if os.path.exists(j)]

HEALTHY, DEGRADED, USAGE, NO_QUORUM, INCONSISTENT, UNREACHABLE = 0, 1, 2, 3, 4, 5


def zkops_status(servers, *extra, timeout_ms=3000):
    args = [ZKOPS, "status", "--servers", ",".join(servers), "--timeout", str(timeout_ms)]
    r = subprocess.run(args + list(extra), capture_output=True, text=True, timeout=120)
    return r


def status_json(servers, **kw):
    r = zkops_status(servers, "--json", **kw)
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        raise AssertionError("zkops status --json -> %d, not JSON:\n%s\nstderr:\n%s"
                             % (r.returncode, r.stdout, r.stderr))
    return r.returncode, doc


def wait_for_verdict(servers, code, timeout=90, check=None):
    """Polls `zkops status --json` until it exits with `code` (and check(doc) holds)."""
    last = {}

    def poll():
        rc, doc = status_json(servers)
        last["rc"], last["doc"] = rc, doc
        return doc if rc == code and (check is None or check(doc)) else None
    try:
        return zkserver.wait_until(poll, timeout, interval=0.2, what="exit %d" % code)
    except TimeoutError:
        raise AssertionError("no exit %d within %d s; last exit %s:\n%s"
                             % (code, timeout, last.get("rc"),
                                json.dumps(last.get("doc"), indent=1)[:6000]))


def by_address(doc):
    return {s["address"]: s for s in doc["servers"]}


class Member:
    """One ensemble server: fixed ports and dataDir so it can be stopped and looked at."""

    def __init__(self, root, sid, kind):
        self.sid = sid
        self.kind = kind
        self.dir = os.path.join(root, "server%d" % sid)
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir)
        with open(os.path.join(self.data_dir, "myid"), "w") as f:
            f.write("%d\n" % sid)
        self.cfg = os.path.join(self.dir, "zoo.cfg")
        self.log_path = os.path.join(self.dir, "server.log")
        self.port = zkserver.free_port()
        self.quorum_port = zkserver.free_port()
        self.election_port = zkserver.free_port()
        self.proc = None
        self.log = None

    @property
    def address(self):
        return "%s:%d" % (HOST, self.port)

    def write_cfg(self, members, extra):
        lines = ["tickTime=1000", "initLimit=10", "syncLimit=5",
                 "dataDir=%s" % self.data_dir, "clientPort=%d" % self.port,
                 "clientPortAddress=%s" % HOST, "admin.enableServer=false"]
        lines += ["server.%d=%s:%d:%d" % (m.sid, HOST, m.quorum_port, m.election_port)
                  for m in members]
        with open(self.cfg, "w") as f:
            f.write("\n".join(lines + list(extra)) + "\n")

    def command(self):
        if self.kind == "zookeeper":
            props = os.path.join(self.dir, "log4j.properties")
            with open(props, "w") as f:
                f.write(zkserver.LOG4J_PROPERTIES)
            return (["java", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                     "-Dlog4j.configuration=file:" + props,
                     "-cp", ":".join([zkserver.ZK_JAR] + zkserver.ZK_LOG_JARS + SERVLET_JARS),
                     zkserver.ZK_MAIN, self.cfg])
        return [ZKNODE, self.cfg]

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=self.dir,
                                     start_new_session=True,
                                     preexec_fn=zkserver._die_with_parent)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        self.log.close()

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


class EnsembleCase(unittest.TestCase):
    KIND = None

    def setUp(self):
        if not ZKOPS or not os.access(ZKOPS, os.X_OK):
            self.fail("ZKOPS must name the zkops binary")
        self.root = tempfile.mkdtemp(prefix="zkops-status-%s-" % self.KIND)
        self.members = []

    def tearDown(self):
        for m in self.members:
            m.stop()
        if os.environ.get("ZK_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def logs(self):
        return "\n".join("--- server %d:\n%s" % (m.sid, m.log_tail()) for m in self.members)

    def start_ensemble(self, n=3, extra=()):
        self.members = [Member(self.root, sid, self.KIND) for sid in range(1, n + 1)]
        for m in self.members:
            m.write_cfg(self.members, extra)
        for m in self.members:
            m.start()
        return [m.address for m in self.members]

    def write_nodes(self, servers, n, prefix="n"):
        from kazoo.client import KazooClient
        client = KazooClient(hosts=",".join(servers), timeout=15)
        client.start(timeout=60)
        try:
            client.ensure_path("/status-test")
            for i in range(n):
                client.create("/status-test/%s%d" % (prefix, i), b"x")
        finally:
            client.stop()
            client.close()

    def member(self, address):
        return [m for m in self.members if m.address == address][0]

    def test_healthy_degraded_no_quorum_unreachable(self):
        servers = self.start_ensemble(extra=["4lw.commands.whitelist=*"])
        try:
            wait_for_verdict(servers, HEALTHY)
        except AssertionError as e:
            raise AssertionError("%s\n%s" % (e, self.logs()))
        # Some writes, so zxids move (an idle Apache follower may still show 0x0 after the
        # election, i.e. "epoch behind", until the first commit).
        self.write_nodes(servers, 10)
        doc = wait_for_verdict(servers, HEALTHY, check=lambda d: all(
            s["lag"] == 0 and s["znode_count"] == d["servers"][0]["znode_count"]
            for s in d["servers"]))
        states = sorted(s["state"] for s in doc["servers"])
        self.assertEqual(states, ["follower", "follower", "leader"])
        self.assertEqual(doc["verdict"], "healthy")
        self.assertEqual(doc["exit_code"], HEALTHY)
        self.assertEqual(doc["quorum"], {"voters": 3, "voters_source": "conf", "needed": 2,
                                         "serving_voters": 3, "has_quorum": True,
                                         "tolerated_failures": 1})
        leader = [s for s in doc["servers"] if s["state"] == "leader"][0]
        self.assertEqual(doc["leader"], leader["name"])
        for s in doc["servers"]:
            m = self.member(s["address"])
            # conf (whitelisted) tells the id, so servers are named server.<myid>.
            self.assertEqual(s["server_id"], m.sid)
            self.assertEqual(s["name"], "server.%d" % m.sid)
            self.assertRegex(s["zxid"], r"^0x[0-9a-f]+$")
            self.assertEqual(s["zxid_epoch"], leader["zxid_epoch"])
            self.assertEqual(s["lag_text"], "0")
            self.assertGreaterEqual(s["znode_count"], 4 + 11)
            self.assertGreaterEqual(s["zxid_counter"], 11)
            self.assertEqual(s["sources"]["mntr"], "ok")
            self.assertEqual(s["sources"]["conf"], "ok")
            self.assertEqual(s["raw"]["mntr"]["zk_server_state"], s["state"])
            self.assertIn("Zxid", s["raw"]["srvr"])
            self.assertIsNotNone(s["latency"])
            self.assertTrue(s["version"].startswith("3.8."), s["version"])
            self.check_plugins(s)

        # The table: one row per server, then the verdict line.
        r = zkops_status(servers)
        self.assertEqual(r.returncode, HEALTHY, r.stdout + r.stderr)
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith("SERVER"), r.stdout)
        for col in ("ADDRESS", "STATE", "ZXID", "LAG", "CONNS", "OUTST", "LATENCY", "ZNODES",
                    "VERSION", "PLUGINS"):
            self.assertIn(col, lines[0])
        rows = lines[1:4]
        self.assertEqual(sorted(r.split()[2] for r in rows), ["follower", "follower", "leader"])
        self.assertIn("verdict: healthy (exit 0): quorum healthy: leader %s, 2 followers"
                      % leader["name"], r.stdout)
        self.assertIn("tolerates 1 more failure", r.stdout)

        # The leader goes: the other two elect a new one; the old one is "down".
        first = self.member(leader["address"])
        first.stop()
        doc = wait_for_verdict(servers, DEGRADED)
        got = by_address(doc)
        self.assertEqual(got[first.address]["state"], "down")
        self.assertEqual(sorted(s["state"] for s in doc["servers"]),
                         ["down", "follower", "leader"])
        self.assertEqual(doc["quorum"]["serving_voters"], 2)
        self.assertEqual(doc["quorum"]["tolerated_failures"], 0)
        self.assertIn("%s down" % got[first.address]["name"], doc["summary"])
        second_leader = [s for s in doc["servers"] if s["state"] == "leader"][0]
        self.assertNotEqual(second_leader["address"], first.address)
        # A write under the new leader: zxids carry its (new) epoch, and the survivor
        # catches up to lag 0.
        self.write_nodes([m.address for m in self.members if m is not first], 1, "after")
        doc = wait_for_verdict(servers, DEGRADED, check=lambda d: all(
            s["lag"] == 0 for s in d["servers"] if s["state"] != "down"))
        second_leader = [s for s in doc["servers"] if s["state"] == "leader"][0]
        self.assertGreater(second_leader["zxid_epoch"], leader["zxid_epoch"])

        # The new leader goes too: the last server is up but not serving.
        second = self.member(second_leader["address"])
        second.stop()
        last = [m for m in self.members if m not in (first, second)][0]
        # Exit 3 may come at once (1 of 3 voters serving) while the survivor still calls
        # itself leader: a leader steps down only once it misses its quorum for a while.
        doc = wait_for_verdict(servers, NO_QUORUM, check=lambda d: by_address(d)[
            last.address]["state"] == "not serving")
        got = by_address(doc)
        self.assertEqual(got[last.address]["state"], "not serving")
        self.assertEqual(got[first.address]["state"], "down")
        self.assertEqual(got[second.address]["state"], "down")
        self.assertFalse(doc["quorum"]["has_quorum"])
        self.assertIsNone(doc["leader"])
        r = zkops_status(servers)
        self.assertEqual(r.returncode, NO_QUORUM)
        self.assertIn("not serving", r.stdout)
        self.assertIn("verdict: no-quorum (exit 3)", r.stdout)

        last.stop()
        rc, doc = status_json(servers)
        self.assertEqual(rc, UNREACHABLE, doc)
        self.assertEqual([s["state"] for s in doc["servers"]], ["down"] * 3)

    def check_plugins(self, server):
        raise NotImplementedError

    def test_default_whitelist_with_admin_server(self):
        """srvr only (the default whitelist): the state still comes from srvr, and with the
        AdminServer's port the mntr facts come from /commands/mntr."""
        admin_port = zkserver.free_port()
        srv = Member(self.root, 1, self.KIND)
        self.members = [srv]
        srv.write_cfg([], ["admin.enableServer=true", "admin.serverAddress=%s" % HOST,
                           "admin.serverPort=%d" % admin_port])
        srv.start()
        plain = [srv.address]
        try:
            wait_for_verdict(plain, HEALTHY)
        except AssertionError as e:
            raise AssertionError("%s\n%s" % (e, self.logs()))
        rc, doc = status_json(plain)
        self.assertEqual(rc, HEALTHY, doc)
        s = doc["servers"][0]
        self.assertEqual(s["state"], "standalone")
        self.assertEqual(s["sources"]["mntr"], "whitelist-denied")
        self.assertEqual(s["sources"]["conf"], "whitelist-denied")
        self.assertIn("mntr is not in 4lw.commands.whitelist", s["notes"])
        self.assertEqual(s["raw"]["mntr"], {})
        self.assertEqual(doc["summary"],
                         "healthy: standalone server #1; 1 of 1 voter serving (quorum 1); "
                         "tolerates 0 more failures")

        with_admin = ["%s:%d" % (srv.address, admin_port)]
        rc, doc = status_json(with_admin)
        self.assertEqual(rc, HEALTHY, doc)
        s = doc["servers"][0]
        self.assertEqual(s["admin_port"], admin_port)
        self.assertEqual(s["sources"]["admin_mntr"], "ok")
        self.assertEqual(s["raw"]["mntr"]["zk_server_state"], "standalone")
        self.assertIn("zk_znode_count", s["raw"]["mntr"])
        self.assertEqual(s["state"], "standalone")
        self.check_plugins(s)


class ApacheEnsembleTest(EnsembleCase):
    KIND = "zookeeper"

    def check_plugins(self, server):
        self.assertEqual(server["plugins"], {})  # Apache ZooKeeper has none


class ZknodeEnsembleTest(EnsembleCase):
    KIND = "zknode"

    def setUp(self):
        if not ZKNODE or not os.access(ZKNODE, os.X_OK):
            self.skipTest("no zknode binary (ZKNODE=%r)" % ZKNODE)
        plugin = os.path.join(os.path.dirname(ZKNODE), "..", "lib", "zkops", "plugins",
                              "libzk_election_raft.so")
        if not os.path.exists(plugin):
            self.skipTest("no raft election plugin at %s" % os.path.normpath(plugin))
        super().setUp()

    def check_plugins(self, server):
        # zknode lists its plugins in mntr (zk_plugin_<kind>) and conf (plugin.<kind>).
        self.assertIn("election", server["plugins"], server)
        self.assertIn("storage", server["plugins"], server)
        self.assertIn("transport", server["plugins"], server)
        expected = "raft" if server["state"] in ("leader", "follower") else "standalone"
        self.assertEqual(server["plugins"]["election"].split()[0], expected)


class FakeServerTest(unittest.TestCase):
    """fake_zknode.py stands in for behaviours no real server shows on demand."""

    def setUp(self):
        if not ZKOPS or not os.access(ZKOPS, os.X_OK):
            self.fail("ZKOPS must name the zkops binary")
        self.root = tempfile.mkdtemp(prefix="zkops-status-fake-")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def fake(self, behaviour, mode="standalone"):
        port = zkserver.free_port()
        cfg = os.path.join(self.root, "zoo%d.cfg" % port)
        with open(cfg, "w") as f:
            f.write("dataDir=%s\nclientPort=%d\nclientPortAddress=%s\n" % (self.root, port, HOST))
        env = dict(os.environ, FAKE_ZKNODE_BEHAVIOUR=behaviour, FAKE_ZKNODE_MODE=mode)
        self.procs.append(subprocess.Popen([sys.executable, FAKE, cfg], env=env,
                                           stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL,
                                           preexec_fn=zkserver._die_with_parent))
        address = "%s:%d" % (HOST, port)
        zkserver.wait_until(lambda: zkserver_port_open(port), 30, what="fake on %s" % address)
        return address

    def test_srvr_not_whitelisted_is_4lw_disabled(self):
        address = self.fake("whitelist")
        rc, doc = status_json([address])
        self.assertEqual(rc, NO_QUORUM, doc)
        s = doc["servers"][0]
        self.assertEqual(s["state"], "4lw disabled")
        self.assertEqual(s["sources"]["srvr"], "whitelist-denied")
        self.assertTrue(any("could not ask" in n for n in doc["notes"]), doc["notes"])
        r = zkops_status([address])
        self.assertIn("4lw disabled", r.stdout)
        self.assertIn("srvr is not in 4lw.commands.whitelist", r.stdout)

    def test_hung_servers_cost_one_timeout(self):
        servers = [self.fake("silent") for _ in range(3)]
        started = time.monotonic()
        rc, doc = status_json(servers, timeout_ms=1500)
        elapsed = time.monotonic() - started
        self.assertEqual(rc, UNREACHABLE, doc)
        self.assertEqual([s["state"] for s in doc["servers"]], ["no answer"] * 3)
        # In series this would take 4.5 s; in parallel one timeout plus start-up.
        self.assertLess(elapsed, 4.0)

    def test_one_of_three_serving_is_no_quorum(self):
        servers = [self.fake("serve", mode="follower"), self.fake("not_serving"),
                   "%s:%d" % (HOST, closed_port())]
        rc, doc = status_json(servers)
        self.assertEqual(rc, NO_QUORUM, doc)
        self.assertEqual([s["state"] for s in doc["servers"]],
                         ["follower", "not serving", "down"])
        self.assertEqual(doc["summary"], "no quorum: 1 of 3 voters serving, 2 needed")

    def test_two_standalones_are_inconsistent(self):
        servers = [self.fake("serve"), self.fake("serve")]
        rc, doc = status_json(servers)
        self.assertEqual(rc, INCONSISTENT, doc)
        self.assertIn("2 standalone servers", doc["summary"])

    def test_two_leaders_are_split_brain(self):
        servers = [self.fake("serve", mode="leader"), self.fake("serve", mode="leader"),
                   self.fake("serve", mode="follower")]
        rc, doc = status_json(servers)
        self.assertEqual(rc, INCONSISTENT, doc)
        self.assertEqual(doc["leaders"], ["#1", "#2"])
        self.assertIn("split brain", doc["summary"])

    def test_watch_reprints_until_interrupted(self):
        address = self.fake("serve")
        proc = subprocess.Popen([ZKOPS, "status", "--servers", address, "--watch", "0.2",
                                 "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            docs = [json.loads(proc.stdout.readline()) for _ in range(3)]  # one per line
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, HEALTHY, err)  # the last round's verdict
        self.assertEqual([d["verdict"] for d in docs], ["healthy"] * 3)
        self.assertEqual(docs[0]["servers"][0]["state"], "standalone")
        self.assertIn("time", docs[0])

    def test_usage_errors(self):
        for args in (["--servers", "h:0"], ["--servers", ""], ["--bogus"], [],
                     ["--servers", "a:1,a:1"], ["--env", "prod", "-i", "inv.yaml"]):
            r = subprocess.run([ZKOPS, "status"] + args, capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(r.returncode, USAGE, (args, r.stdout, r.stderr))
        r = subprocess.run([ZKOPS, "status", "--help"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0)
        for code in ("0  healthy", "1  degraded", "2  bad command line", "3  no quorum",
                     "4  inconsistent", "5  unreachable"):
            self.assertIn(code, r.stdout)


def zkserver_port_open(port):
    import socket
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def closed_port():
    return zkserver.free_port()  # nothing listens there once the probe socket is closed


if __name__ == "__main__":
    unittest.main(verbosity=2)
