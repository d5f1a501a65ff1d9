#!/bin/sh
# Test fixture: plays `zknode CONFIG` with Apache ZooKeeper 3.8 from Debian's `zookeeper`
# package, so the zkops server tests prove their logic against the real thing.
# exec: the pid zkops records is the JVM's, and the JVM's command line names CONFIG.
set -e
[ $# -eq 1 ] || { echo "usage: $0 zoo.cfg" >&2; exit 2; }
# zookeeper.jar's manifest names its dependencies; add one slf4j binding (log4j 1.2 with the
# example config, INFO to the console) and keep the JVM small and quick to start.
J=/usr/share/java
CP=/etc/zookeeper/conf_example:$J/zookeeper.jar:$J/slf4j-log4j12.jar:$J/log4j-1.2.jar
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dzookeeper.root.logger=INFO,CONSOLE -Dzookeeper.console.threshold=INFO \
  -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$1"
