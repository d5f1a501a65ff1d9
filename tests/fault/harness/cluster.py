"""The ensemble: 3 or 5 real servers (zknode with raft election and sqlite storage, or Apache
ZooKeeper 3.8's QuorumPeerMain), each started with `ip netns exec` in its own namespace on
fixed ports (2181 client, 2888 quorum, 3888 election) at the address the Network assigned.
`ip netns exec` execs the server, so the Popen pid is the server's: SIGKILL and SIGSTOP hit it.
"""
import os
import shutil
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "..", "..", "harness"))
import zkserver  # noqa: E402  (tests/harness: process life cycle, ZooKeeper's classpath, ...)

CLIENT_PORT = 2181
TICK_MS = 1000


class Server(zkserver.ServerProcess):
    """Started, killed, paused and resumed by zkserver.ServerProcess, from the harness's main
    thread (the server dies with the thread that started it)."""

    log_label = "harness"

    def __init__(self, root, sid, kind, net, bin_dir):
        super().__init__(os.path.join(root, "server%d" % sid), net.exec_prefix(sid))
        self.sid = sid
        self.kind = kind
        self.net = net
        self.ip = net.server_ip[sid]
        self.host, self.port = self.ip, CLIENT_PORT
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir)
        self._write_myid()
        self.cfg = os.path.join(self.dir, "zoo.cfg")
        self.binary = os.path.join(bin_dir, "zknode")

    def _write_myid(self):
        with open(os.path.join(self.data_dir, "myid"), "w") as f:
            f.write("%d\n" % self.sid)

    def write_cfg(self, servers):
        # syncLimit 3 ticks: a cut-off ZooKeeper follower or leader gives up within ~3 s.
        lines = ["tickTime=%d" % TICK_MS, "initLimit=10", "syncLimit=3",
                 "dataDir=%s" % self.data_dir, "clientPort=%d" % CLIENT_PORT,
                 "clientPortAddress=%s" % self.ip, "admin.enableServer=false",
                 "4lw.commands.whitelist=*", "maxSessionTimeout=20000"]
        lines += ["server.%d=%s:2888:3888" % (s.sid, s.ip) for s in servers]
        with open(self.cfg, "w") as f:
            f.write("\n".join(lines) + "\n")

    def command(self):
        if self.kind == "zknode":
            return [self.binary, self.cfg]
        props = os.path.join(self.dir, "log4j.properties")
        with open(props, "w") as f:
            f.write(zkserver.LOG4J_PROPERTIES)
        classpath = ":".join([self.dir, zkserver.ZK_JAR] + zkserver.ZK_LOG_JARS)
        return ["java", "-Xmx200m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j.configuration=file:" + props, "-Dzookeeper.log.dir=" + self.dir,
                "-cp", classpath, zkserver.ZK_MAIN, self.cfg]

    def wipe(self):
        """The deliberately broken setup: lose the whole dataDir (myid kept). REQUIRES: down."""
        assert not self.running
        shutil.rmtree(self.data_dir)
        os.makedirs(self.data_dir)
        self._write_myid()


class Ensemble:
    def __init__(self, root, n, kind, net, bin_dir):
        self.kind = kind
        self.servers = {sid: Server(root, sid, kind, net, bin_dir) for sid in range(1, n + 1)}
        for s in self.servers.values():
            s.write_cfg(self.servers.values())

    @property
    def sids(self):
        return sorted(self.servers)

    def hosts(self, sids=None):
        return ",".join(self.servers[s].hosts for s in (sids or self.sids))

    def start_all(self):
        for s in self.servers.values():
            s.start()

    def stop_all(self):
        for s in self.servers.values():
            s.kill()

    def leader(self):
        for sid, s in self.servers.items():
            if s.srvr().get("Mode") == "leader":
                return sid
        return None

    def converged(self, sids=None):
        """One leader, the rest followers, all at one Zxid: the srvr views, or None."""
        sids = sids or self.sids
        infos = {sid: self.servers[sid].srvr() for sid in sids}
        modes = sorted(i.get("Mode", "?") for i in infos.values())
        zxids = {i.get("Zxid") for i in infos.values()}
        if modes.count("leader") == 1 and modes.count("follower") == len(sids) - 1 \
                and len(zxids) == 1:
            return infos
        return None

    def wait_converged(self, timeout, sids=None):
        """Waits for the same converged view twice in a row (a write in flight does not pass
        for convergence). Returns the view or raises TimeoutError with the last one."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            view = self.converged(sids)
            if view is not None and view == last:
                return view
            last = view
            if time.monotonic() > deadline:
                raise TimeoutError("no converged ensemble within %.0fs: %s" % (
                    timeout, {sid: self.servers[sid].srvr() for sid in (sids or self.sids)}))
            time.sleep(0.3)

    def wait_serving(self, timeout, sids=None):
        """Every server in sids answers srvr as leader or follower (a quorum formed)."""
        sids = sids or self.sids
        deadline = time.monotonic() + timeout
        while True:
            modes = [self.servers[s].srvr().get("Mode") for s in sids]
            if all(m in ("leader", "follower") for m in modes) and "leader" in modes:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("servers %s not serving within %.0fs: %s"
                                   % (sids, timeout, modes))
            time.sleep(0.2)
