#!/usr/bin/python3
"""Reproduction (not registered in ctest: ~150 s): a client connected
only to the leader keeps one synchronous create in flight; the leader is SIGSTOPped for 2 s
(past the 200 ms election timeout) and SIGCONTed. Every request must then get a reply or a
disconnect within a few seconds. Observed: the resumed ex-leader becomes a follower directly,
logs "Proposal failed: ... lost leadership" (or "not the leader"), and neither answers the
request nor closes the connection (ZkServer::Propose leaves it unanswered, expecting the
connection to close when the server stops serving, which a leader->follower step skips).
Fixed since: a failed proposal closes its connection, and leadership lost fails the local
proposals; 10 trials on 2026-11-25 (second session) saw no stall.
Exit status 1 when the stall is seen (up to 10 trials), 0 otherwise. ZK_BIN_DIR as usual."""
import logging
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import ensemble_faults_test as fault  # noqa: E402
import zkserver  # noqa: E402
from kazoo.client import KazooClient  # noqa: E402

STALL = 8.0


def main():
    root = tempfile.mkdtemp(prefix="zk-stall-")
    logging.basicConfig(filename=os.path.join(root, "kazoo.log"), level=logging.INFO)
    servers = [fault.Server(root, i, zkserver.default_bin_dir()) for i in (1, 2, 3)]
    for s in servers:
        s.write_cfg(servers)
    for s in servers:
        s.start()

    def leader():
        for s in servers:
            if not s.paused and s.srvr().get("Mode") == "leader":
                return s
        return None
    try:
        for trial in range(10):
            lead = zkserver.wait_until(leader, 30, what="a leader")
            c = KazooClient(hosts=lead.hosts, timeout=10,
                            connection_retry=dict(max_tries=-1, delay=0.1, max_delay=1))
            c.start(30)
            c.ensure_path("/s")
            for r in [c.create_async("/s/p%d-%d" % (trial, i), b"x") for i in range(20)]:
                r.get(timeout=10)
            stop, worst = threading.Event(), [0.0, ""]

            def load():
                n = 0
                while not stop.is_set():
                    n += 1
                    t0 = time.monotonic()
                    try:
                        c.create_async("/s/t%d-%d" % (trial, n), b"x").get(timeout=30)
                        out = "reply"
                    except Exception as e:  # noqa: BLE001
                        out = repr(e)
                    waited = time.monotonic() - t0
                    if waited > worst[0]:
                        worst[:] = [waited, out]
            th = threading.Thread(target=load, daemon=True)
            th.start()
            time.sleep(0.5)
            lead.pause()
            paused_at = time.time()
            time.sleep(2.0)
            lead.resume()
            time.sleep(12)
            stop.set()
            th.join(40)
            print("trial %d: leader server.%d SIGSTOPped at %s for 2s; longest request wait "
                  "%.1fs (%s)%s" % (trial, lead.sid, time.strftime("%H:%M:%S",
                                                                   time.gmtime(paused_at)),
                                    worst[0], worst[1], " still pending" if th.is_alive()
                                    else ""), flush=True)
            c.stop()
            c.close()
            if worst[0] > STALL or th.is_alive():
                print("STALL reproduced; server logs in %s (see server%d/server.log)"
                      % (root, lead.sid))
                return 1
        shutil.rmtree(root, ignore_errors=True)
        return 0
    finally:
        for s in servers:
            s.kill()


if __name__ == "__main__":
    sys.exit(main())
