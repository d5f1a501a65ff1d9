"""The history recorder: zkcheck's JSON-lines format (tools/zkcheck/history.h, README.md).

Every event line carries "time" (microseconds since the recorder started, CLOCK_MONOTONIC,
shared by every thread); lines are stamped and written under one lock, so line order is time
order. An invocation gets an id; its completion ("ok", "fail" or "info") names that id.
"""
import json
import threading
import time


def session_label(session_id):
    """ZooKeeper prints session ids in hex; zkcheck compares them in that spelling."""
    return "0x%x" % session_id


class History:
    def __init__(self, path):
        self.path = path
        self._f = open(path, "w")
        self._lock = threading.Lock()
        self._next_id = 0
        self._t0 = time.monotonic_ns()
        self.counts = {}

    def now(self):
        return (time.monotonic_ns() - self._t0) // 1000

    def _write(self, record):
        # Caller holds the lock.
        self._f.write(json.dumps(record, separators=(",", ":")) + "\n")

    def comment(self, text):
        with self._lock:
            self._f.write("# " + text.replace("\n", " ") + "\n")

    def invoke(self, process, session, op, **fields):
        """Returns the op id for complete()."""
        with self._lock:
            self._next_id += 1
            rec = {"phase": "invoke", "time": self.now(), "id": self._next_id,
                   "process": process, "session": session, "op": op}
            rec.update(fields)
            self._write(rec)
            return self._next_id

    def complete(self, op_id, process, phase, at=None, **fields):
        """at: when the reply was received (history time), if earlier than now."""
        assert phase in ("ok", "fail", "info")
        with self._lock:
            rec = {"phase": phase, "time": self.now() if at is None else at, "id": op_id,
                   "process": process}
            rec.update(fields)
            self._write(rec)
            self.counts[phase] = self.counts.get(phase, 0) + 1

    def event(self, process, session, op, **fields):
        """watch_event or expire, stamped now (call it where the client learns of it)."""
        with self._lock:
            rec = {"phase": "event", "time": self.now(), "process": process,
                   "session": session, "op": op}
            rec.update(fields)
            self._write(rec)
            self.counts[op] = self.counts.get(op, 0) + 1

    def init(self, key, exists, value=None, version=None, zxid=None):
        with self._lock:
            rec = {"phase": "init", "key": key, "exists": exists}
            if exists:
                rec.update(value=value, version=version, zxid=zxid)
            self._write(rec)

    def final(self, server, nodes, digest):
        with self._lock:
            self._write({"phase": "final", "server": server, "digest": digest,
                         "nodes": nodes})

    def close(self):
        with self._lock:
            self._f.flush()
            self._f.close()
