#!/usr/bin/env bash
# The README's first command: install what is missing, build, then the seed's pseudo-cluster:
# three zknode on this machine (client ports 2180-2182) started with `zkops server start`,
# their status, a znode written on one server with Apache's zkCli.sh and read on the others.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
bash "$ROOT/tools/setup.sh"
ZKOPS=$BUILD/bin/zkops
ZKCLI=/usr/share/zookeeper/bin/zkCli.sh
SEED=$ROOT/configs/seed-pseudo-cluster
CFG=$BUILD/quickstart
cli() { "$ZKCLI" -server "127.0.0.1:$1" "${@:2}" 2>&1 | grep -vE '^(Connecting|WATCHER|WatchedEvent|SLF4J|$)'; }

echo; echo "== zoo.cfg for each server: the seed's, plus a 4lw whitelist for zkops status"
# ZooKeeper 3.5+ (and zknode) answer only srvr by default; mntr and conf let `zkops status`
# name each server and show its plugins. configs/seed-* stay the seed's text.
mkdir -p "$CFG"
for i in 0 1 2; do
  { sed -e '$a\' "$SEED/zoo$i.cfg"
    echo "# tools/quickstart.sh: the four-letter words zkops status asks"
    echo "4lw.commands.whitelist=srvr,mntr,conf,ruok,stat"; } >"$CFG/zoo$i.cfg"
  echo "$CFG/zoo$i.cfg"
done
echo; echo "== dataDir + myid for each server (the seed's mkdir and echo N > myid)"
for i in 0 1 2; do
  mkdir -p "/tmp/zookeeper$i"
  [[ -f /tmp/zookeeper$i/myid ]] || echo "$i" >"/tmp/zookeeper$i/myid"
  echo "/tmp/zookeeper$i/myid: $(cat /tmp/zookeeper$i/myid)"
done
echo; echo "== zkops server start (three servers)"
for i in 0 1 2; do "$ZKOPS" server start "$CFG/zoo$i.cfg" --wait-serving 1 2>/dev/null || true; done
echo; echo "== zkops server status"
for i in 0 1 2; do
  for _ in $(seq 1 50); do "$ZKOPS" server status "$CFG/zoo$i.cfg" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "server.$i (port 218$i): $("$ZKOPS" server status "$CFG/zoo$i.cfg" 2>/dev/null | tail -n 1)"
done
echo; echo "== zkops status (the whole ensemble)"
"$ZKOPS" status --servers 127.0.0.1:2180,127.0.0.1:2181,127.0.0.1:2182 || true
echo; echo "== zkCli.sh on 2180: create /quickstart"
cli 2180 create /quickstart "written on 2180 at $(date +%T)" || true
for p in 2181 2182; do
  echo; echo "== zkCli.sh on $p: get -s /quickstart"
  cli $p get -s /quickstart
done
echo
echo "The ensemble keeps running. Stop it with:"
echo "  for i in 0 1 2; do $ZKOPS server stop $CFG/zoo\$i.cfg; done"
