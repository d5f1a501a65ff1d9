#!/usr/bin/python3
"""Test fixture: a stand-in for `zknode CONFIG` whose behaviour the test picks.

It reads clientPort/clientPortAddress from CONFIG and answers `srvr` on that port. Unlike
ZooKeeper it waits for the client's half-close (EOF) before answering, so a probe that does
not shut down its write side times out: that checks zkops behaves like FourLetterWordMain.

FAKE_ZKNODE_BEHAVIOUR (env):
  serve         answer srvr with a Mode line (default)
  not_serving   answer "This ZooKeeper instance is not currently serving requests"
  whitelist     answer "srvr is not executed because it is not in the whitelist."
  silent        accept connections, never answer
  exit:N        print 25 numbered lines to stdout/stderr, then exit with code N
  ignore_term   serve, but ignore SIGTERM; also fork a helper (same process group) that
                ignores it too and write its pid to <dataDir>/helper.pid
FAKE_ZKNODE_DELAY=SECS: listen only after this long.
FAKE_ZKNODE_MODE: the Mode to report (default standalone).
"""
import os
import signal
import socket
import sys
import time


def read_config(path):
    conf = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#!" or "=" not in line:
                continue
            key, value = line.split("=", 1)
            conf[key.strip()] = value.strip()
    return conf


def answer(behaviour, mode):
    if behaviour == "not_serving":
        return b"This ZooKeeper instance is not currently serving requests\n"
    if behaviour == "whitelist":
        return b"srvr is not executed because it is not in the whitelist.\n"
    return ("Zookeeper version: fake-zknode\nLatency min/avg/max: 0/0.0/0\nReceived: 1\n"
            "Sent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: %s\nNode count: 4\n"
            % mode).encode()


def main():
    config = sys.argv[1]
    conf = read_config(config)
    behaviour = os.environ.get("FAKE_ZKNODE_BEHAVIOUR", "serve")
    mode = os.environ.get("FAKE_ZKNODE_MODE", "standalone")
    print("fake zknode %d: %s with %s" % (os.getpid(), behaviour, config), flush=True)

    if behaviour.startswith("exit:"):
        for i in range(1, 26):
            print("fake failure line %d" % i, file=sys.stderr if i % 2 else sys.stdout,
                  flush=True)
        sys.exit(int(behaviour[5:]))

    if behaviour == "ignore_term":
        signal.signal(signal.SIGTERM, lambda *_: print("fake: ignoring SIGTERM", flush=True))
        helper = os.fork()
        if helper == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            while True:
                time.sleep(1)
        with open(os.path.join(conf["dataDir"], "helper.pid"), "w") as f:
            f.write(str(helper))
    else:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    time.sleep(float(os.environ.get("FAKE_ZKNODE_DELAY", "0")))
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((conf.get("clientPortAddress", "127.0.0.1"), int(conf["clientPort"])))
    server.listen(16)
    print("fake zknode listening on %s" % conf["clientPort"], flush=True)
    held = []
    while True:
        try:
            conn, _ = server.accept()
        except InterruptedError:
            continue
        if behaviour == "silent":
            held.append(conn)
            continue
        conn.settimeout(5)
        data = b""
        try:
            while True:
                chunk = conn.recv(64)
                if not chunk:
                    break
                data += chunk
            if data[:4] == b"srvr":
                conn.sendall(answer(behaviour, mode))
        except OSError:
            pass
        conn.close()


if __name__ == "__main__":
    main()
