#!/usr/bin/python3
"""Kill -9 under a write load, restart: every acknowledged write is present.

A zknode with the default storage plugin (sqlite) takes pipelined creates and setData from
several kazoo sessions; it is SIGKILLed while requests are in flight, restarted on the same
dataDir, and every write whose reply arrived before the kill must be there with its data.
Several rounds on the same data dir, so recovery also replays earlier rounds' logs.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "harness"))
import zkserver  # noqa: E402
from kazoo.client import KazooClient  # noqa: E402

ROUNDS = 3
WRITERS = 4
IN_FLIGHT = 64


class Zknode:
    """A zknode that can be SIGKILLed and restarted on the same dataDir and port."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="zk-kill9-")
        self.port = zkserver.free_port()
        self.hosts = "127.0.0.1:%d" % self.port
        self.cfg = os.path.join(self.dir, "zoo.cfg")
        with open(self.cfg, "w") as f:
            f.write("tickTime=2000\ndataDir=%s/data\nclientPort=%d\nclientPortAddress=127.0.0.1\n"
                    "admin.enableServer=false\nsnapCount=2000\n" % (self.dir, self.port))
        self.proc = None

    def start(self):
        log = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen([os.path.join(zkserver.default_bin_dir(), "zknode"), self.cfg],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        zkserver.wait_until(lambda: self._serving(), 60, what="zknode serving")

    def _serving(self):
        if self.proc.poll() is not None:
            raise RuntimeError("zknode exited: " + open(os.path.join(self.dir, "server.log")).read()[-2000:])
        try:
            return "Mode:" in zkserver.four_letter("127.0.0.1", self.port, "srvr", timeout=2)
        except OSError:
            return False

    def kill(self, sig):
        self.proc.send_signal(sig)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.kill(signal.SIGTERM)
        shutil.rmtree(self.dir, ignore_errors=True)


class Kill9Test(unittest.TestCase):
    def test_acknowledged_writes_survive_sigkill(self):
        srv = Zknode()
        srv.start()
        try:
            acked = {}  # path -> data
            lock = threading.Lock()
            for rnd in range(ROUNDS):
                clients = [KazooClient(hosts=srv.hosts, timeout=10) for _ in range(WRITERS)]
                for c in clients:
                    c.start(timeout=15)
                clients[0].ensure_path("/d")
                stop = threading.Event()

                def writer(c, w):
                    n = 0
                    pending = []
                    while not stop.is_set():
                        path = "/d/r%d-w%d-%06d" % (rnd, w, n)
                        data = ("%s" % path).encode()
                        n += 1
                        res = c.create_async(path, data)

                        def done(r, path=path, data=data):
                            try:
                                r.get(timeout=0)
                            except Exception:
                                return
                            with lock:
                                acked[path] = data
                        res.rawlink(done)
                        pending.append(res)
                        if len(pending) >= IN_FLIGHT:
                            pending.pop(0).wait(5)

                threads = [threading.Thread(target=writer, args=(c, i), daemon=True)
                           for i, c in enumerate(clients)]
                for t in threads:
                    t.start()
                deadline = time.time() + 30
                while time.time() < deadline:
                    with lock:
                        if len([p for p in acked if p.startswith("/d/r%d-" % rnd)]) >= 2000:
                            break
                    time.sleep(0.05)
                srv.kill(signal.SIGKILL)
                stop.set()
                for t in threads:
                    t.join(10)
                for c in clients:
                    try:
                        c.stop()
                        c.close()
                    except Exception:
                        pass
                with lock:
                    snapshot = dict(acked)
                self.assertGreater(len(snapshot), 0, "no write was acknowledged before the kill")
                srv.start()  # same dataDir
                check = KazooClient(hosts=srv.hosts, timeout=10)
                check.start(timeout=15)
                try:
                    present = set(check.get_children("/d"))
                    missing = [p for p in snapshot if p.rsplit("/", 1)[1] not in present]
                    self.assertEqual(missing[:10], [], "%d acknowledged creates lost after round %d"
                                     % (len(missing), rnd))
                    for p in list(snapshot)[:: max(1, len(snapshot) // 200)]:
                        self.assertEqual(check.get(p)[0], snapshot[p])
                finally:
                    check.stop()
                    check.close()
                print("round %d: %d acknowledged writes, all present after SIGKILL" % (rnd, len(snapshot)))
        finally:
            srv.stop()


if __name__ == "__main__":
    unittest.main()
