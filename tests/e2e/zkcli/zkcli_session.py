#!/usr/bin/python3
"""Runs one zkCli.sh session (commands.txt, fed on stdin) against a fresh server and compares
its normalised output between Apache ZooKeeper 3.8 and zknode, line by line.

    zkcli_session.py run [--kind K]        print the normalised transcript
    zkcli_session.py golden                run against ZooKeeper, diff with golden_zookeeper.txt
    zkcli_session.py compare [--no-java-server]
                                           run against ZooKeeper AND zknode, diff them (and
                                           each against the golden file); with
                                           --no-java-server only zknode runs, diffed with
                                           the golden file
    zkcli_session.py update-golden         rewrite golden_zookeeper.txt from a ZooKeeper run

Normalisation: log and SLF4J lines go; the server address, zxids (numbered by first
appearance, so equal zxids stay equal), times other than the epoch, and session ids are
replaced by tokens. Watch events are printed by zkCli's event thread, racing the main
thread's output, so they are moved into their own section (in arrival order, which the
server fixes); the final Closed event is dropped. getEphemerals lists are sorted (the
server promises no order; zkCli sorts `ls` itself). Each command's output is delimited by a
`printwatches` command sent after it (it prints "printwatches is on" and touches no server).
"""

import argparse
import difflib
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "harness"))

from zkserver import ZkServer  # noqa: E402

ZKCLI = os.environ.get("ZKCLI", "/usr/share/zookeeper/bin/zkCli.sh")
COMMANDS = os.path.join(HERE, "commands.txt")
GOLDEN = os.path.join(HERE, "golden_zookeeper.txt")
SERVER_EXTRA = ["extendedTypesEnabled=true"]
MARKER_CMD = "printwatches"
MARKER_OUT = "printwatches is on"

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")
ZXID_LINE = re.compile(r"^(cZxid|mZxid|pZxid) = (0x[0-9a-f]+)$")
TIME_LINE = re.compile(r"^(ctime|mtime) = (.*)$")
OWNER_LINE = re.compile(r"^ephemeralOwner = (0x[0-9a-f]+)$")


def read_commands():
    cmds = []
    with open(COMMANDS) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip() and not line.lstrip().startswith("#"):
                cmds.append(line)
    return cmds


def run_zkcli(hosts, cmds, timeout=180):
    script = []
    for cmd in cmds:
        script.append(cmd)
        if cmd != "quit":
            script.append(MARKER_CMD)
    env = dict(os.environ, TZ="UTC",
               CLIENT_JVMFLAGS="-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
    proc = subprocess.run([ZKCLI, "-server", hosts], input="\n".join(script) + "\n",
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=env, timeout=timeout)
    return proc.stdout


def normalise(raw, cmds):
    lines = [ln for ln in raw.splitlines()
             if not ln.startswith("SLF4J:") and not LOG_LINE.match(ln)]
    # Pull out the event thread's "\nWATCHER::" and "\nWatchedEvent ..." (each one println,
    # blank line included).
    main, events = [], []
    for ln in lines:
        if ln == "WATCHER::" or ln.startswith("WatchedEvent "):
            if main and main[-1] == "":
                main.pop()
            if ln.startswith("WatchedEvent ") and "state:Closed" not in ln:
                events.append(ln)
            continue
        main.append(ln)

    zxids, sessions = {}, {}

    def token(table, prefix, value):
        if value not in table:
            table[value] = "%s%d" % (prefix, len(table) + 1)
        return table[value]

    def scrub(ln):
        ln = re.sub(r"^Connecting to \S+$", "Connecting to SERVER", ln)
        m = ZXID_LINE.match(ln)
        if m and m.group(2) != "0x0":
            return "%s = %s" % (m.group(1), token(zxids, "ZXID", m.group(2)))
        m = TIME_LINE.match(ln)
        if m and "1970" not in m.group(2):
            return "%s = TIME" % m.group(1)
        m = OWNER_LINE.match(ln)
        if m and m.group(1) != "0x0":
            return "ephemeralOwner = %s" % token(sessions, "SESSION", m.group(1))
        return ln

    # Split into one chunk per command.
    chunks, cur = [], []
    for ln in main:
        if ln == MARKER_OUT:
            chunks.append(cur)
            cur = []
        else:
            cur.append(ln)
    chunks.append(cur)
    out = ["# header"]
    # chunks[0] = header + output of the first command: the header is the three fixed lines
    header_len = 3
    out += [scrub(ln) for ln in chunks[0][:header_len]]
    chunks[0] = chunks[0][header_len:]
    sent = [c for c in cmds]
    for i, cmd in enumerate(sent):
        out.append("$ " + cmd)
        if i < len(chunks):
            lines_i = [scrub(ln) for ln in chunks[i]]
            if cmd.startswith("getEphemerals"):
                # the server answers in hash-set order; no order is promised
                lines_i = [sort_list(ln) for ln in lines_i]
            out += lines_i
        else:
            out.append("!! no output section (session ended early?)")
    for extra in chunks[len(sent):]:
        out += ["!! unexpected trailing output"] + [scrub(ln) for ln in extra]
    out.append("# watch events, in arrival order")
    out += events
    return "\n".join(out) + "\n"


def sort_list(line):
    m = re.match(r"^\[(.*)\]$", line)
    if not m or not m.group(1):
        return line
    return "[%s]" % ", ".join(sorted(m.group(1).split(", ")))


def session(kind):
    cmds = read_commands()
    with ZkServer(kind=kind, extra=SERVER_EXTRA) as srv:
        raw = run_zkcli(srv.hosts, cmds)
    if os.environ.get("ZKCLI_RAW_DIR"):
        with open(os.path.join(os.environ["ZKCLI_RAW_DIR"], "raw_%s.txt" % kind), "w") as f:
            f.write(raw)
    return normalise(raw, cmds)


def diff(a, b, name_a, name_b):
    lines = list(difflib.unified_diff(a.splitlines(True), b.splitlines(True), name_a, name_b))
    if lines:
        sys.stdout.writelines(lines)
        sys.stdout.write("\n")
    return not lines


def read_golden():
    with open(GOLDEN) as f:
        return f.read()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="verb", required=True)
    r = sub.add_parser("run")
    r.add_argument("--kind", default=None)
    sub.add_parser("golden")
    c = sub.add_parser("compare")
    c.add_argument("--no-java-server", action="store_true",
                   default=bool(os.environ.get("ZKCLI_NO_JAVA_SERVER")))
    sub.add_parser("update-golden")
    args = p.parse_args(argv)

    if args.verb == "run":
        sys.stdout.write(session(args.kind))
        return 0
    if args.verb == "update-golden":
        text = session("zookeeper")
        with open(GOLDEN, "w") as f:
            f.write(text)
        print("wrote %s (%d lines)" % (GOLDEN, text.count("\n")))
        return 0
    if args.verb == "golden":
        ok = diff(read_golden(), session("zookeeper"), "golden_zookeeper.txt",
                  "zookeeper (live)")
        print("zkCli transcript: zookeeper %s the golden file"
              % ("matches" if ok else "DIFFERS FROM"))
        return 0 if ok else 1
    # compare
    golden = read_golden()
    node = session("zknode")
    if args.no_java_server:
        ok = diff(golden, node, "golden_zookeeper.txt", "zknode")
        print("zkCli transcript: zknode %s the golden file" % ("matches" if ok else "DIFFERS FROM"))
        return 0 if ok else 1
    ref = session("zookeeper")
    ok = diff(ref, node, "zookeeper (live)", "zknode")
    if not diff(golden, ref, "golden_zookeeper.txt", "zookeeper (live)"):
        print("note: the live ZooKeeper transcript differs from the golden file")
    print("zkCli transcript: zknode %s zookeeper" % ("matches" if ok else "DIFFERS FROM"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
