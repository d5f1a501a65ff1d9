#!/usr/bin/python3
"""`zkops cli` against Apache's zkCli.sh, line for line (label ops).

GoldenSessionTest: tests/e2e/zkcli/commands.txt fed on stdin to `zkops cli` against a fresh
  Apache ZooKeeper 3.8 (extendedTypesEnabled, like the golden run), normalised with
  zkcli_session.normalise and diffed with golden_zookeeper.txt (Apache zkCli.sh's transcript
  of the same session). Also: a one-shot command's output and zkCli's exit codes.
FailoverTest: -server with two proxies to one server; the first link dies; the session moves
  to the second host with its ephemeral node and its watch.
SeedPseudoClusterTest: the seed's zkCli session (ls /, create /defg defg, get /defg, connect
  to the 2nd and 3rd server, ls / and get /defg there; plus get -s so the stat lines are
  compared too) on a 3-server zknode pseudo-cluster started with `zkops server start`, run by
  `zkops cli` and by Apache zkCli.sh on the same ensemble, both normalised, diffed.

Environment: ZKOPS (the zkops binary, set by ctest); zknode and its plugins are looked up next
to it (<bin>/zknode, <bin>/../lib/zkops/plugins).
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import queue
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SOURCE, "tests", "e2e", "zkcli"))
sys.path.insert(0, os.path.join(SOURCE, "tests", "harness"))

import zkcli_session  # noqa: E402  (read_commands, normalise, MARKER_CMD, golden file)
import zkserver  # noqa: E402
from tcpproxy import TcpProxy  # noqa: E402

ZKOPS = os.environ.get("ZKOPS", os.path.join(zkserver.default_bin_dir(), "zkops"))
BIN = os.path.dirname(os.path.abspath(ZKOPS))
ZKCLI = os.environ.get("ZKCLI", "/usr/share/zookeeper/bin/zkCli.sh")


def script_for(cmds):
    """The stdin zkcli_session feeds: each command followed by the printwatches marker."""
    lines = []
    for cmd in cmds:
        lines.append(cmd)
        if cmd != "quit":
            lines.append(zkcli_session.MARKER_CMD)
    return "\n".join(lines) + "\n"


def run_zkops_cli(hosts, cmds, timeout=120):
    proc = subprocess.run([ZKOPS, "cli", "-server", hosts], input=script_for(cmds),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=dict(os.environ, TZ="UTC"), timeout=timeout)
    return proc.stdout, proc.returncode


def zkops_once(hosts, *words, timeout=60):
    return subprocess.run([ZKOPS, "cli", "-server", hosts] + list(words),
                          capture_output=True, text=True, env=dict(os.environ, TZ="UTC"),
                          timeout=timeout)


class GoldenSessionTest(unittest.TestCase):
    def test_commands_txt_matches_zkcli_golden(self):
        cmds = zkcli_session.read_commands()
        with zkserver.ZkServer(kind="zookeeper", extra=zkcli_session.SERVER_EXTRA) as srv:
            raw, code = run_zkops_cli(srv.hosts, cmds)
        got = zkcli_session.normalise(raw, cmds)
        golden = zkcli_session.read_golden()
        if got != golden:
            zkcli_session.diff(golden, got, "golden_zookeeper.txt (zkCli.sh)", "zkops cli")
            sys.stdout.write("raw zkops cli output:\n%s\n" % raw)
        self.assertEqual(got, golden)
        self.assertEqual(code, 0)  # quit after a successful `ls /`

    def test_one_shot_commands_and_exit_codes(self):
        with zkserver.ZkServer(kind="zookeeper") as srv:
            r = zkops_once(srv.hosts, "create", "/one", "x y")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("Created /one", r.stderr)
            # One-shot output: "Connecting to", the connect event, then the result.
            r = zkops_once(srv.hosts, "get", "/one")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.splitlines(),
                             ["Connecting to " + srv.hosts, "", "WATCHER::", "",
                              "WatchedEvent state:SyncConnected type:None path:null", "x y"])
            r = zkops_once(srv.hosts, "get", "/nope")
            self.assertEqual(r.returncode, 1)  # CliException's default exit code
            self.assertEqual(r.stderr.strip(), "Node does not exist: /nope")
            r = zkops_once(srv.hosts, "frob")
            self.assertEqual(r.returncode, 127)  # CommandNotFoundException
            self.assertIn("Command not found: Command not found frob", r.stderr)
            self.assertIn("\tls [-s] [-w] [-R] path\n", r.stderr)
            # Interactive: the exit code is the last command's (quit keeps it); history and
            # redo number the lines from 0.
            def session(text):
                return subprocess.run([ZKOPS, "cli", "-server", srv.hosts], input=text,
                                      capture_output=True, text=True, timeout=60)
            r = session("ls /one\nget /nope\n")
            self.assertEqual(r.returncode, 1)
            r = session("get /nope\nls /one\nquit\n")
            self.assertEqual(r.returncode, 0)
            r = session("ls /one\nget /nope\nquit\n")
            self.assertEqual(r.returncode, 1)
            r = session("get /one\nhistory\nredo 0\nredo 7\n")
            self.assertEqual(r.stdout.count("x y\n"), 2, r.stdout)
            self.assertIn("0 - get /one\n1 - history\n", r.stdout)
            self.assertEqual(r.stderr.strip(), "Command index out of range")
            self.assertEqual(r.returncode, 1)
            r = session("close\nls /\nconnect\nls /one\n")
            self.assertIn("WatchedEvent state:Closed type:None path:null\nNot connected\n",
                          r.stdout)
            self.assertTrue(r.stdout.endswith("path:null\n[]\n"), r.stdout)
            self.assertEqual(r.returncode, 0)
            # A dead server: the request fails with ConnectionLoss, exit 1.
        r = zkops_once("127.0.0.1:%d" % zkserver.free_port(), "ls", "/", timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("KeeperErrorCode = ConnectionLoss for /", r.stderr)


class InteractiveCli:
    """`zkops cli` on pipes; stdout+stderr lines collected by a reader thread."""

    def __init__(self, hosts, timeout_ms=6000):
        self.proc = subprocess.Popen([ZKOPS, "cli", "-timeout", str(timeout_ms), "-server", hosts],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, text, timeout=30):
        """Waits for a line equal to text (lines before it are kept in self.seen)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError("no line %r within %ss; saw %r" % (text, timeout, self.seen))
            self.seen.append(line)
            if line == text:
                return

    def close(self):
        if self.proc.poll() is None:
            self.send("quit")
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        return self.proc.returncode


class FailoverTest(unittest.TestCase):
    """Connection loss: the session moves to the next host of -server and keeps its id, its
    ephemeral node and its watches (SetWatches), as the Java client does."""

    def test_reconnect_to_next_host_keeps_session(self):
        with zkserver.ZkServer(kind="zookeeper") as srv:
            a = TcpProxy(srv.host, srv.port).start()
            b = TcpProxy(srv.host, srv.port).start()
            cli = InteractiveCli("%s,%s" % (a.hosts, b.hosts))
            try:
                cli.expect("WatchedEvent state:SyncConnected type:None path:null")
                self.assertEqual(b.connections_accepted, 0)
                cli.send("create -e /eph one")
                cli.expect("Created /eph")
                cli.send("get -w /eph")
                cli.expect("one")
                a.freeze()  # the link dies without a closeSession
                cli.expect("WatchedEvent state:Disconnected type:None path:null")
                cli.expect("WatchedEvent state:SyncConnected type:None path:null")
                self.assertGreaterEqual(b.connections_accepted, 1)
                # Another client changes the node: the re-armed data watch fires here.
                r = zkops_once(srv.hosts, "set", "/eph", "two")
                self.assertEqual(r.returncode, 0, r.stderr)
                cli.expect("WatchedEvent state:SyncConnected type:NodeDataChanged path:/eph")
                cli.send("getEphemerals /")
                cli.expect("[/eph]")  # same session: its ephemeral is still there
            finally:
                code = cli.close()
                a.stop()
                b.stop()
            self.assertEqual(code, 0, cli.seen)


def seed_commands(ports):
    """The seed's session (seed lines ~240-320) with this run's ports; `get -s` added after
    each `get` because 3.8's get no longer prints the stat the seed's 3.4 zkCli showed."""
    return ["ls /", "create /defg defg", "get /defg", "get -s /defg",
            "connect localhost:%d" % ports[1], "ls /", "get /defg", "get -s /defg",
            "connect localhost:%d" % ports[2], "ls /", "get /defg", "get -s /defg", "quit"]


def run_java_zkcli(hosts, cmds, timeout=180):
    env = dict(os.environ, TZ="UTC",
               CLIENT_JVMFLAGS="-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
    proc = subprocess.run([ZKCLI, "-server", hosts], input=script_for(cmds),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=env, timeout=timeout)
    return proc.stdout


class SeedPseudoClusterTest(unittest.TestCase):
    def setUp(self):
        if not os.access(os.path.join(BIN, "zknode"), os.X_OK):
            self.skipTest("zknode not built next to zkops (%s)" % BIN)
        plugin = os.path.join(BIN, "..", "lib", "zkops", "plugins", "libzk_election_raft.so")
        if not os.path.exists(plugin):
            self.skipTest("no election plugin 'raft' built (%s)" % os.path.normpath(plugin))
        if not os.path.exists(ZKCLI):
            self.skipTest("Apache zkCli.sh not installed (%s)" % ZKCLI)
        self.dir = tempfile.mkdtemp(prefix="zkops-cli-seed-")
        ports = set()
        while len(ports) < 9:  # 3 client + 3 quorum + 3 election ports
            ports.add(zkserver.free_port())
        ports = sorted(ports)
        self.client_ports = ports[0:3]
        servers = ["server.%d=127.0.0.1:%d:%d" % (i, ports[3 + i], ports[6 + i])
                   for i in range(3)]
        self.cfgs = []
        for i, port in enumerate(self.client_ports):
            data = os.path.join(self.dir, "zookeeper%d" % i)
            os.makedirs(data)
            with open(os.path.join(data, "myid"), "w") as f:
                f.write("%d\n" % i)
            cfg = os.path.join(self.dir, "zoo%d.cfg" % i)
            with open(cfg, "w") as f:
                f.write("tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=%s\n"
                        "dataLogDir=%s\nclientPort=%d\nadmin.enableServer=false\n"
                        % (data, data, port))
                f.write("\n".join(servers) + "\n")
            self.cfgs.append(cfg)
        self.running = []

    def tearDown(self):
        for cfg in self.running:
            subprocess.run([ZKOPS, "server", "stop", cfg], capture_output=True, timeout=120)
        if os.environ.get("ZK_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def start_ensemble(self):
        for cfg in self.cfgs:
            r = subprocess.run([ZKOPS, "server", "start", cfg, "--timeout", "60",
                                "--wait-serving", "1"], capture_output=True, text=True,
                               timeout=120)
            self.assertIn("STARTED", r.stdout, r.stdout + r.stderr)
            self.running.append(cfg)

        def one_leader():
            modes = []
            for cfg in self.cfgs:
                r = subprocess.run([ZKOPS, "server", "status", cfg], capture_output=True,
                                   text=True, timeout=60)
                m = re.search(r"^Mode: (\w+)$", r.stdout, re.M)
                if r.returncode != 0 or not m:
                    return None
                modes.append(m.group(1))
            return modes if sorted(modes) == ["follower", "follower", "leader"] else None
        zkserver.wait_until(one_leader, 90, interval=0.2, what="one leader, two followers")

    def test_seed_session_matches_zkcli(self):
        self.start_ensemble()
        first = "localhost:%d" % self.client_ports[0]
        cmds = seed_commands(self.client_ports)
        raw_ours, code = run_zkops_cli(first, cmds)
        ours = zkcli_session.normalise(raw_ours, cmds)
        self.assertEqual(code, 0, raw_ours)
        # Remove the znode (with zkops cli itself) so zkCli.sh's run starts from the same tree.
        r = zkops_once(first, "deleteall", "/defg")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        raw_java = run_java_zkcli(first, cmds)
        theirs = zkcli_session.normalise(raw_java, cmds)
        if ours != theirs:
            zkcli_session.diff(theirs, ours, "zkCli.sh", "zkops cli")
            sys.stdout.write("raw zkops cli output:\n%s\n" % raw_ours)
        self.assertEqual(ours, theirs)
        # The session itself: the znode written on the first server is read on the others.
        self.assertEqual(ours.count("\ndefg\n"), 6, ours)
        self.assertEqual(ours.count("WatchedEvent state:SyncConnected type:None path:null"), 3)


if __name__ == "__main__":
    unittest.main(verbosity=2)
