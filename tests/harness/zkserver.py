#!/usr/bin/python3
"""Start and stop one standalone server for client tests: Apache ZooKeeper 3.8 or zknode.

The same suites run against both kinds, so every test is first proven on the reference
server. The kind comes from ZK_SERVER_KIND (zookeeper | zknode, default zookeeper); zknode
is looked up in ZK_BIN_DIR (default: build/bin next to the source tree).

As a library:
    with ZkServer(extra=["extendedTypesEnabled=true"]) as srv:
        KazooClient(hosts=srv.hosts)...

As a command (shell tests, ctest):
    zkserver.py start [--kind K] [--extra k=v ...]   prints host:port, leaves it running
                                                      (state in --state FILE, default
                                                      <dataDir>/../server.json printed on fd 2)
    zkserver.py stop --state FILE
    zkserver.py run [--kind K] [--extra k=v ...] -- CMD ARGS...
        starts a server, runs CMD with ZK_HOSTS=host:port in its environment (and every
        argument "{hosts}" replaced), stops the server, exits with CMD's status.

ServerProcess: the life cycle (start, SIGKILL, SIGSTOP/SIGCONT, srvr) of one member of an
ensemble that a fault test kills and restarts on the same dataDir (tests/fault).

Readiness is `srvr` answering with a `Mode:` line, polled against a deadline. Stop is
SIGTERM, then SIGKILL after a timeout. Each server gets a fresh temp dir (dataDir, log).
"""

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ZK_JAR = "/usr/share/java/zookeeper.jar"
# zookeeper.jar's manifest Class-Path names its own dependencies (netty, jetty, jute, ...).
# Debian ships no slf4j binding on that path; add log4j 1.2 so the server log is readable.
ZK_LOG_JARS = ["/usr/share/java/slf4j-log4j12.jar", "/usr/share/java/log4j-1.2.jar"]
ZK_MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain"

LOG4J_PROPERTIES = """log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.Target=System.err
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n
"""

KINDS = ("zookeeper", "zknode")
_HERE = os.path.dirname(os.path.abspath(__file__))
_SOURCE_DIR = os.path.dirname(os.path.dirname(_HERE))


class ServerError(RuntimeError):
    pass


def default_kind():
    kind = os.environ.get("ZK_SERVER_KIND", "zookeeper")
    if kind not in KINDS:
        raise ServerError("ZK_SERVER_KIND=%r: expected one of %s" % (kind, ", ".join(KINDS)))
    return kind


def default_bin_dir():
    return os.environ.get("ZK_BIN_DIR", os.path.join(_SOURCE_DIR, "build", "bin"))


def free_port():
    """A port that was free a moment ago on 127.0.0.1 (the server may still lose the race;
    start() retries with a new port when the process dies early)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter(host, port, word, timeout=5.0):
    """Sends a four-letter word and returns the whole answer (the server closes after it)."""
    if isinstance(word, str):
        word = word.encode()
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(word)
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


def srvr_fields(text, keys=("Mode", "Zxid")):
    """The "Key: value" lines of a srvr reply whose key is in `keys`, as a dict."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key in keys:
            out[key] = value.strip()
    return out


def log_tail(path, lines=40):
    """The last `lines` lines of a server log, for failure messages."""
    try:
        with open(path, "rb") as f:
            return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# Loaded at import, before any fork: the child of a threaded process must not load anything.
_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """preexec_fn: SIGKILL this child when the thread that started it exits (prctl(2):
    PR_SET_PDEATHSIG follows the parent *thread*)."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Polls predicate() until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


class ServerProcess:
    """The life cycle of one ensemble member that a test kills, pauses and restarts on the same
    dataDir (the fault tests): start, SIGKILL, SIGSTOP/SIGCONT, srvr. A subclass sets
    self.host and self.port (its client address) and defines command(); start() prefixes
    argv with exec_prefix (e.g. `ip netns exec NS`, which execs, so the pid stays the
    server's). Each start appends a marker line and the server's output to dir/server.log.
    The server dies with the thread that started it (PR_SET_PDEATHSIG): start it from a
    thread that lives as long as the test (the main thread)."""

    log_label = "test"

    def __init__(self, directory, exec_prefix=()):
        self.dir = directory
        self.log_path = os.path.join(directory, "server.log")
        self.exec_prefix = list(exec_prefix)
        self.host = None
        self.port = None
        self.proc = None
        self.paused = False
        self.starts = 0

    def command(self):
        raise NotImplementedError

    @property
    def hosts(self):
        return "%s:%d" % (self.host, self.port)

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        command = self.exec_prefix + self.command()
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(b"=== %s: start #%d at %.3f ===\n"
                      % (self.log_label.encode(), self.starts, time.time()))
            log.flush()
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.dir,
                                         start_new_session=True, preexec_fn=_die_with_parent)
        self.paused = False

    def signal(self, sig):
        if self.running:
            self.proc.send_signal(sig)

    def kill(self):
        """SIGKILL (after a SIGCONT: a paused process must not linger) and reap."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
        self.proc.wait()
        self.paused = False

    def pause(self):
        if self.running:
            self.proc.send_signal(signal.SIGSTOP)
            self.paused = True

    def resume(self):
        self.signal(signal.SIGCONT)
        self.paused = False

    def four_letter(self, word, timeout=1.0):
        """The answer, or "" when the server does not answer within timeout."""
        try:
            return four_letter(self.host, self.port, word, timeout=timeout)
        except OSError:
            return ""

    def srvr(self):
        """{'Mode': ..., 'Zxid': ...}, or {} when down, paused or not answering."""
        if self.paused or not self.running:
            return {}
        return srvr_fields(self.four_letter("srvr"))

    def log_tail(self, lines=40):
        return log_tail(self.log_path, lines)


class ZkServer:
    """One standalone server in a fresh temp dir on a free loopback port.

    extra: zoo.cfg lines ("key=value") appended after the defaults (later lines win, as in
    java.util.Properties). tick_time: tickTime in ms. system_props: settings ZooKeeper reads
    only as JVM system properties, not from zoo.cfg (e.g. znode.container.checkIntervalMs):
    -D flags for zookeeper, plain zoo.cfg lines for zknode (which takes them there).
    """

    def __init__(self, kind=None, extra=(), bin_dir=None, tick_time=2000, system_props=None,
                 start_timeout=60.0, stop_timeout=15.0):
        self.kind = kind or default_kind()
        if self.kind not in KINDS:
            raise ServerError("unknown server kind %r" % self.kind)
        self.extra = list(extra)
        self.bin_dir = bin_dir or default_bin_dir()
        self.tick_time = tick_time
        self.system_props = dict(system_props or {})
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.host = "127.0.0.1"
        self.port = None
        self.dir = None
        self.proc = None
        self._log = None

    @property
    def hosts(self):
        return "%s:%d" % (self.host, self.port)

    @property
    def log_path(self):
        return os.path.join(self.dir, "server.log")

    @property
    def data_dir(self):
        return os.path.join(self.dir, "data")

    @property
    def cfg_path(self):
        return os.path.join(self.dir, "zoo.cfg")

    def config_lines(self):
        lines = [
            "tickTime=%d" % self.tick_time,
            "dataDir=%s" % self.data_dir,
            "clientPort=%d" % self.port,
            "clientPortAddress=%s" % self.host,
            # Both kinds: no HTTP admin server on 8080 (tests run side by side).
            "admin.enableServer=false",
        ]
        if self.kind == "zknode":
            lines += ["%s=%s" % kv for kv in sorted(self.system_props.items())]
        return lines + self.extra

    def _command(self):
        if self.kind == "zookeeper":
            with open(os.path.join(self.dir, "log4j.properties"), "w") as f:
                f.write(LOG4J_PROPERTIES)
            classpath = ":".join([self.dir, ZK_JAR] + ZK_LOG_JARS)
            props = ["-D%s=%s" % kv for kv in sorted(self.system_props.items())]
            return (["java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                     "-Dlog4j.configuration=file:" + os.path.join(self.dir, "log4j.properties"),
                     "-Dzookeeper.log.dir=" + self.dir] + props +
                    ["-cp", classpath, ZK_MAIN, self.cfg_path])
        binary = os.path.join(self.bin_dir, "zknode")
        if not os.access(binary, os.X_OK):
            raise ServerError("zknode binary not found at %s (set ZK_BIN_DIR)" % binary)
        return [binary, self.cfg_path]

    def start(self, detached=False):
        """detached: the server outlives this process (CLI `start`); otherwise the kernel
        kills it if this process dies first (a test killed by a timeout leaks nothing)."""
        if self.proc is not None:
            raise ServerError("already started")
        self.dir = tempfile.mkdtemp(prefix="zk-%s-" % self.kind)
        os.makedirs(self.data_dir)
        last_error = None
        for _ in range(3):  # a lost race for the port shows as an early exit
            self.port = free_port()
            with open(self.cfg_path, "w") as f:
                f.write("\n".join(self.config_lines()) + "\n")
            try:
                command = self._command()
            except ServerError:
                self._cleanup()
                raise
            self._log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                         stdout=self._log, stderr=subprocess.STDOUT,
                                         cwd=self.dir, start_new_session=True,
                                         preexec_fn=None if detached else _die_with_parent)
            try:
                self._wait_serving()
                return self
            except ServerError as e:
                last_error = e
                self._kill()
                if "exited" not in str(e):
                    break
        self._cleanup()
        raise last_error

    def _wait_serving(self):
        deadline = time.monotonic() + self.start_timeout
        while True:
            code = self.proc.poll()
            if code is not None:
                raise ServerError("%s exited with %s before serving; log tail:\n%s"
                                  % (self.kind, code, self.log_tail()))
            try:
                if "Mode:" in four_letter(self.host, self.port, "srvr", timeout=2.0):
                    return
            except OSError:
                pass
            if time.monotonic() >= deadline:
                raise ServerError("%s not serving on %s after %.0fs; log tail:\n%s"
                                  % (self.kind, self.hosts, self.start_timeout, self.log_tail()))
            time.sleep(0.1)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def four_letter(self, word, timeout=5.0):
        return four_letter(self.host, self.port, word, timeout)

    def _kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None

    def _cleanup(self):
        if self.dir and not os.environ.get("ZK_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        elif self.dir:
            sys.stderr.write("zkserver: kept %s\n" % self.dir)

    def stop(self):
        self._kill()
        self._cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


# ---- command line -------------------------------------------------------------------------

def _start_detached(args):
    srv = ZkServer(kind=args.kind, extra=args.extra, bin_dir=args.bin_dir,
                   tick_time=args.tick_time)
    srv.start(detached=True)
    state = args.state or os.path.join(srv.dir, "server.json")
    with open(state, "w") as f:
        json.dump({"pid": srv.proc.pid, "dir": srv.dir, "kind": srv.kind,
                   "hosts": srv.hosts}, f)
    # Leave the process running: forget it without killing it.
    srv.proc = None
    srv._log.close()
    print(srv.hosts)
    sys.stderr.write("zkserver: state in %s\n" % state)
    return 0


def _stop_detached(args):
    with open(args.state) as f:
        st = json.load(f)
    pid = st["pid"]
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        # Reap it if it is our child (it is not, usually: start ran in another process).
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if not os.environ.get("ZK_KEEP_TMP"):
        shutil.rmtree(st["dir"], ignore_errors=True)
    return 0


def _run(args):
    cmd = list(args.cmd)
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        sys.stderr.write("zkserver run: no command given\n")
        return 2
    srv = ZkServer(kind=args.kind, extra=args.extra, bin_dir=args.bin_dir,
                   tick_time=args.tick_time)
    srv.start()
    try:
        env = dict(os.environ, ZK_HOSTS=srv.hosts, ZK_SERVER_KIND=srv.kind)
        cmd = [a.replace("{hosts}", srv.hosts) for a in cmd]
        sys.stderr.write("zkserver: %s on %s, running %s\n" % (srv.kind, srv.hosts, cmd))
        code = subprocess.call(cmd, env=env)
        if code != 0:
            sys.stderr.write("zkserver: command failed (%d); server log tail:\n%s\n"
                             % (code, srv.log_tail()))
        return code
    finally:
        srv.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="verb", required=True)
    for verb in ("start", "run"):
        p = sub.add_parser(verb)
        p.add_argument("--kind", choices=KINDS, default=None,
                       help="default: $ZK_SERVER_KIND or zookeeper")
        p.add_argument("--extra", action="append", default=[], metavar="KEY=VALUE",
                       help="an extra zoo.cfg line (repeatable)")
        p.add_argument("--bin-dir", default=None, help="zknode's dir (default: $ZK_BIN_DIR)")
        p.add_argument("--tick-time", type=int, default=2000)
        if verb == "start":
            p.add_argument("--state", default=None, help="where to write pid/dir (JSON)")
        else:
            p.add_argument("cmd", nargs=argparse.REMAINDER)
    p = sub.add_parser("stop")
    p.add_argument("--state", required=True)
    args = parser.parse_args(argv)
    try:
        if args.verb == "start":
            return _start_detached(args)
        if args.verb == "stop":
            return _stop_detached(args)
        return _run(args)
    except ServerError as e:
        sys.stderr.write("zkserver: %s\n" % e)
        return 3


if __name__ == "__main__":
    sys.exit(main())
