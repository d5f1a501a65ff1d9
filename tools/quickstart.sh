#!/usr/bin/env bash
# The README's first command: install what is missing, build, start the seed's single server,
# show its status, write a znode with Apache's zkCli.sh and read it back.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
bash "$ROOT/tools/setup.sh"
CFG=$ROOT/configs/seed-standalone/zoo.cfg
ZKOPS=$BUILD/bin/zkops
ZKCLI=/usr/share/zookeeper/bin/zkCli.sh

echo; echo "== zkops server start $CFG"
"$ZKOPS" server start "$CFG" || "$ZKOPS" server status "$CFG"
echo; echo "== zkops server status"
"$ZKOPS" server status "$CFG"
echo; echo "== zkCli.sh: create /quickstart, then read it on a new connection"
"$ZKCLI" -server 127.0.0.1:2180 create /quickstart "written at $(date +%T)" 2>&1 | grep -E '^(Created|Node)' || true
"$ZKCLI" -server 127.0.0.1:2180 get -s /quickstart 2>/dev/null | grep -vE '^(Connecting|WATCHER|WatchedEvent|$)'
echo; echo "== srvr"
printf srvr | nc -q1 127.0.0.1 2180
echo
echo "The server keeps running. Stop it with: $ZKOPS server stop $CFG"
