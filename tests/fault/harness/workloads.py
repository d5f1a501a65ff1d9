"""Kazoo workloads recorded into the history (history.py): each worker thread is one logical
process with its own client and session(s).

Outcome rules (ZooKeeper Programmer's Guide, "Consistency Guarantees"; Jepsen's :info): a
reply is "ok"; a ZooKeeper error (BadVersion, NoNode, NodeExists, ...) is "fail" (nothing
happened); ConnectionLoss, SessionExpired, OperationTimeout or a client-side timeout is "info"
(it may or may not have happened). An op whose session changed between invocation and reply
is "info" too, so every ok/fail is attributed to the right session. Nothing is retried.

kazoo 2.8 drops every watch on a disconnect (it sends no SetWatches) and tells the watcher
with an event of type NONE. A watch worker therefore ends its session on a disconnect (a
"close" invoked at the moment the watches were dropped, acknowledged once the server
confirms the session is gone) and continues in a fresh one: the checker then expects no
event for those watches.
"""
import random
import threading
import time

from kazoo import exceptions as kex
from kazoo.client import KazooClient, KazooState
from kazoo.handlers.threading import (AsyncResult, KazooTimeoutError,
                                      SequentialThreadingHandler)
from kazoo.protocol.states import EventType

from .history import session_label

ROOT = "/jf"
REG_KEYS = ["%s/reg/r%d" % (ROOT, i) for i in range(5)]
MULTI_KEYS = ["%s/multi/m%d" % (ROOT, i) for i in range(3)]
SEQ_PREFIX = ROOT + "/seq/n-"
EPH_DIR = ROOT + "/eph"
PARENTS = [ROOT, ROOT + "/reg", ROOT + "/seq", EPH_DIR, ROOT + "/multi"]

SESSION_TIMEOUT = 6.0   # kazoo `timeout`, seconds
OP_TIMEOUT = 10.0       # client-side bound on one request (then: info)
UNKNOWN = (kex.ConnectionLoss, kex.SessionExpiredError, kex.OperationTimeoutError,
           kex.ConnectionClosedError, kex.SessionMovedError, KazooTimeoutError)
ERROR_CODES = [(kex.BadVersionError, "bad_version"), (kex.NoNodeError, "no_node"),
               (kex.NodeExistsError, "node_exists"), (kex.NotEmptyError, "not_empty"),
               (kex.NoChildrenForEphemeralsError, "no_children_for_ephemerals")]
EVENT_NAMES = {EventType.CREATED: "NodeCreated", EventType.DELETED: "NodeDeleted",
               EventType.CHANGED: "NodeDataChanged", EventType.CHILD: "NodeChildrenChanged"}


def error_code(exc):
    for cls, code in ERROR_CODES:
        if isinstance(exc, cls):
            return code
    return None


def text(data):
    return data.decode("utf-8", "replace") if data is not None else None


class StampedAsyncResult(AsyncResult):
    """Remembers when kazoo's connection thread handed it the reply (set/set_exception)."""

    def __init__(self, handler, clock):
        super().__init__(handler)
        self.clock = clock
        self.stamp = None

    def set(self, value=None):
        self.stamp = self.clock()
        super().set(value)

    def set_exception(self, exception):
        self.stamp = self.clock()
        super().set_exception(exception)


class RecordingHandler(SequentialThreadingHandler):
    """Stamps replies and records watch events where kazoo's connection thread reads them
    off the socket, not when a worker or callback thread gets to run: the history's order
    of event and reply is the order the client received them."""

    def __init__(self, on_watch, clock):
        super().__init__()
        self.on_watch = on_watch
        self.clock = clock

    def async_result(self):
        return StampedAsyncResult(self, self.clock)

    def dispatch_callback(self, callback):
        if callback.type == "watch" and getattr(callback.func, "zk_recorded", False):
            self.on_watch(callback.args[0])
        return super().dispatch_callback(callback)


class Worker(threading.Thread):
    """Base: one process id, one kazoo client at a time."""

    def __init__(self, ctx, pid, name):
        super().__init__(name=name, daemon=True)
        self.ctx = ctx
        self.h = ctx.history
        self.pid = pid
        self.rng = random.Random(ctx.seed * 1000 + pid)
        self.stop_event = ctx.stop_workers
        self.client = None
        self.closing = False
        self.session = None       # label of the session the client last connected with
        self.lost = threading.Event()
        self.lock = threading.Lock()
        self.n = 0
        self.errors = []

    # ---- client life cycle ------------------------------------------------------------

    def new_client(self, hosts, client_id=None):
        c = KazooClient(hosts=hosts, timeout=SESSION_TIMEOUT, client_id=client_id,
                        handler=RecordingHandler(self.on_watch, self.h.now),
                        connection_retry=dict(max_tries=-1, delay=0.1, backoff=1.5,
                                              max_delay=1.0))
        return c

    def connect(self, hosts, timeout=60):
        self.closing = False
        self.lost.clear()
        self.client = self.new_client(hosts)
        self.client.add_listener(self.on_state)
        deadline = time.monotonic() + timeout
        while not self.stop_event.is_set():
            try:
                self.client.start(timeout=min(10, max(1, deadline - time.monotonic())))
                return True
            except KazooTimeoutError:
                if time.monotonic() > deadline:
                    break
        self.drop_client()
        return False

    def drop_client(self):
        """Stops the client without recording anything (its session closes if reachable)."""
        c, self.client = self.client, None
        if c is None:
            return
        self.closing = True
        try:
            c.stop()
            c.close()
        except Exception:  # noqa: BLE001
            pass

    def on_state(self, state):
        # Runs on kazoo's connection thread, at the moment the client learns the state.
        c = self.client
        if state == KazooState.CONNECTED and c is not None and c._session_id:
            self.session = session_label(c._session_id)
        elif state == KazooState.LOST and not self.closing and self.session:
            # The server told the client its session expired (kazoo: EXPIRED_SESSION).
            self.h.event(self.pid, self.session, "expire")
            self.lost.set()
        elif state == KazooState.SUSPENDED:
            self.on_suspended()

    def on_suspended(self):
        pass

    def on_watch(self, event):
        pass

    def current_session(self):
        c = self.client
        return session_label(c._session_id) if c is not None and c._session_id else None

    def wait(self, async_result):
        """The reply of one request; remembers when it was received."""
        try:
            return async_result.get(timeout=OP_TIMEOUT)
        finally:
            self.last_stamp = async_result.stamp

    def wait_connected(self, timeout=2.0):
        deadline = time.monotonic() + timeout
        while not (self.client is not None and self.client.connected):
            if self.stop_event.is_set() or time.monotonic() > deadline:
                return False
            self.stop_event.wait(0.02)
        return True

    # ---- recorded operations ----------------------------------------------------------

    def call(self, op, fields, run, on_ok, guard=None):
        """Invokes one recorded op. run() performs it (raising kazoo errors); on_ok(result)
        gives the ok line's fields. Returns (phase, result)."""
        if not self.wait_connected():
            return "skip", None
        with self.lock:
            if guard is not None and not guard():
                return "skip", None
            session = self.current_session()
            if session is None:
                return "skip", None
            oid = self.h.invoke(self.pid, session, op, **fields)
        self.last_stamp = None
        try:
            result = run()
        except UNKNOWN as e:
            self.h.complete(oid, self.pid, "info", error=type(e).__name__)
            return "info", None
        except kex.ZookeeperError as e:
            code = error_code(e)
            if code is None or self.current_session() != session:
                self.h.complete(oid, self.pid, "info", error=type(e).__name__)
                return "info", None
            self.h.complete(oid, self.pid, "fail", at=self.last_stamp, error=code)
            return "fail", e
        except Exception as e:  # noqa: BLE001 - unknown outcome, and reported
            self.errors.append("%s %s: %r" % (op, fields.get("key", ""), e))
            self.h.complete(oid, self.pid, "info", error=type(e).__name__)
            return "info", None
        if self.current_session() != session:
            self.h.complete(oid, self.pid, "info", error="session changed")
            return "info", None
        self.h.complete(oid, self.pid, "ok", at=self.last_stamp, **on_ok(result))
        return "ok", result

    def read(self, key, sync=False, watch=None):
        fields = {"key": key}
        if watch is not None:
            fields["watch"] = True

        def run():
            if sync:
                self.wait(self.client.sync_async(key))
            return self.wait(self.client.get_async(key, watch=watch))

        def ok(res):
            data, stat = res
            return {"exists": True, "value": text(data), "version": stat.version,
                    "zxid": stat.mzxid}
        kind = "sync_read" if sync and self.ctx.linearizable_sync else "read"
        return self.call(kind, fields, run, ok,
                         guard=getattr(self, "guard", None))

    def write(self, key, value, expected_version=None):
        fields = {"key": key, "value": value}
        if expected_version is not None:
            fields["expected_version"] = expected_version

        def run():
            return self.wait(self.client.set_async(
                key, value.encode(), -1 if expected_version is None else expected_version))
        return self.call("cas" if expected_version is not None else "write", fields, run,
                         lambda st: {"version": st.version, "zxid": st.mzxid})

    def create(self, key, value, ephemeral=False, sequential=False):
        fields = {"key": key, "value": value}
        if ephemeral:
            fields["ephemeral"] = True

        def run():
            return self.wait(self.client.create_async(key, value.encode(), ephemeral=ephemeral,
                                                      sequence=sequential, include_data=True))
        return self.call("create_seq" if sequential else "create", fields, run,
                         lambda r: {"path": r[0], "version": r[1].version, "zxid": r[1].czxid})

    def value(self):
        self.n += 1
        return "p%d-%d" % (self.pid, self.n)

    def pace(self):
        # Spreads requests out (a rate, not synchronisation): keeps histories searchable.
        self.stop_event.wait(self.rng.uniform(0.005, 0.04))

    def run(self):
        try:
            self.body()
        except Exception as e:  # noqa: BLE001 - reported by the harness
            self.errors.append("worker crashed: %r" % e)
        finally:
            self.finish()

    def finish(self):
        self.drop_client()

    # ---- ending a session with the server's confirmation ------------------------------

    def confirm_ended(self, session_id, passwd, hosts, timeout=30):
        """True once a client reattaching to the session is told it expired (closed and
        expired sessions both answer so). If the reattach succeeds, the session was still
        alive: the probe closes it and tries again."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lost = threading.Event()
            probe = KazooClient(hosts=hosts, timeout=SESSION_TIMEOUT,
                                client_id=(session_id, passwd),
                                connection_retry=dict(max_tries=-1, delay=0.1, max_delay=1.0))
            probe.add_listener(lambda s: lost.set() if s == KazooState.LOST else None)
            try:
                probe.start(timeout=max(1, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 - timed out: no quorum yet, try again
                pass
            if lost.is_set() or probe._session_id != session_id:
                ok = True
            else:
                ok = False  # reattached (or never connected): close it and look again
            try:
                probe.stop()
                probe.close()
            except Exception:  # noqa: BLE001
                pass
            if ok:
                return True
        return False

    def close_recorded(self, hosts, oid=None):
        """An acknowledged close: invoke (unless given), closeSession, confirm."""
        c = self.client
        sid = c._session_id if c is not None else None
        passwd = c._session_passwd if c is not None else None
        session = self.session
        if oid is None:
            if sid is None:
                self.drop_client()
                return
            oid = self.h.invoke(self.pid, session_label(sid), "close")
        self.drop_client()
        if sid is not None and not self.lost.is_set() and \
                self.confirm_ended(sid, passwd, hosts):
            self.h.complete(oid, self.pid, "ok")
        else:
            self.h.complete(oid, self.pid, "info")


class RegisterWorker(Worker):
    """(a) read, write, CAS (a recorded read, then setData with its version), sync+read."""

    def __init__(self, ctx, pid, hosts):
        super().__init__(ctx, pid, "reg%d" % pid)
        self.hosts = hosts

    def body(self):
        if not self.connect(self.hosts):
            return
        while not self.stop_event.is_set():
            key = self.rng.choice(REG_KEYS)
            r = self.rng.random()
            if r < 0.25:
                self.read(key)
            elif r < 0.45:
                self.read(key, sync=True)
            elif r < 0.7:
                self.write(key, self.value())
            else:
                phase, res = self.read(key)
                if phase == "ok":
                    self.write(key, self.value(), expected_version=res[1].version)
            self.pace()


class SequentialWorker(Worker):
    """(b) sequential creates under one parent."""

    def __init__(self, ctx, pid, hosts):
        super().__init__(ctx, pid, "seq%d" % pid)
        self.hosts = hosts

    def body(self):
        if not self.connect(self.hosts):
            return
        while not self.stop_event.is_set():
            self.create(SEQ_PREFIX, self.value(), sequential=True)
            self.pace()
            self.pace()


class EphemeralWorker(Worker):
    """(c) sessions that create ephemerals, read them back, then end: closed, or cut off
    (through a TcpProxy that is frozen) until the server expires them."""

    def __init__(self, ctx, pid, servers):
        super().__init__(ctx, pid, "eph%d" % pid)
        self.servers = servers  # list of (ip, port)
        self.all_hosts = ",".join("%s:%d" % s for s in servers)
        self.proxy = None

    def body(self):
        from tcpproxy import TcpProxy  # tests/harness (on sys.path via cluster.py)
        while not self.stop_event.is_set():
            target = self.rng.choice(self.servers)
            self.proxy = TcpProxy(target[0], target[1]).start()
            try:
                if not self.connect(self.proxy.hosts, timeout=20):
                    continue
                created = []
                for _ in range(self.rng.randint(1, 3)):
                    key = "%s/p%d-%d" % (EPH_DIR, self.pid, self.n + 1)
                    phase, _ = self.create(key, self.value(), ephemeral=True)
                    if phase == "ok":
                        created.append(key)
                end = time.monotonic() + self.rng.uniform(0.5, 2.5)
                while created and time.monotonic() < end and not self.stop_event.is_set():
                    self.read(self.rng.choice(created), sync=self.rng.random() < 0.3)
                    self.pace()
                if self.rng.random() < 0.5 and not self.stop_event.is_set():
                    self.expire()
                else:
                    self.close_recorded(self.all_hosts)
            finally:
                self.drop_client()
                self.proxy.stop()

    def expire(self):
        """Freezes the proxy (no closeSession, no pings) past the session timeout, thaws it,
        and lets the client hear from the server that its session expired."""
        self.proxy.freeze()
        self.stop_event.wait(SESSION_TIMEOUT * 1.5)
        self.proxy.thaw()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not self.lost.is_set():
            if self.client is not None and self.client.connected and \
                    self.current_session() == self.session:
                break  # it survived (no quorum to expire it): close it instead
            time.sleep(0.05)
        if not self.lost.is_set():
            self.close_recorded(self.all_hosts)


class WatchWorker(Worker):
    """(d) data watches set by reads on the registers and multi keys; events recorded when
    the client receives them; a disconnect ends the session (see the module comment)."""

    def __init__(self, ctx, pid, hosts):
        super().__init__(ctx, pid, "watch%d" % pid)
        self.hosts = hosts
        self.armed = set()
        self.dropped = False
        self.close_oid = None

    def guard(self):
        return not self.dropped

    def make_watcher(self):
        def watcher(event):
            pass  # recorded in on_watch, at dispatch
        watcher.zk_recorded = True
        return watcher

    def on_watch(self, event):
        if event.type not in EVENT_NAMES or self.dropped:
            return  # kazoo's own NONE event (watches dropped), or the session is ending
        session = self.current_session()
        if session is None:
            return
        self.h.event(self.pid, session, "watch_event", key=event.path,
                     event=EVENT_NAMES[event.type])
        with self.lock:
            self.armed.discard(event.path)

    def on_suspended(self):
        with self.lock:
            if self.dropped or self.closing or self.session is None:
                return
            self.dropped = True
            self.close_oid = self.h.invoke(self.pid, self.session, "close")

    def body(self):
        keys = REG_KEYS + MULTI_KEYS
        while not self.stop_event.is_set():
            self.dropped, self.close_oid = False, None
            self.armed = set()
            if not self.connect(self.hosts):
                return
            watcher = self.make_watcher()
            while not self.stop_event.is_set() and not self.dropped and not self.lost.is_set():
                key = self.rng.choice(keys)
                with self.lock:
                    armed = key in self.armed
                    self.armed.add(key)  # before the reply: its event may come right after
                if not armed:
                    phase, _ = self.read(key, watch=watcher)
                    if phase != "ok":
                        with self.lock:
                            self.armed.discard(key)
                    if phase == "info":
                        # A reply may still come and set the watch: end the session so no
                        # event can arrive for a watch the history does not show as set.
                        self.on_suspended()
                else:
                    self.read(key, sync=self.rng.random() < 0.5)
                self.pace()
            if self.stop_event.is_set() and not self.dropped and not self.lost.is_set():
                # Flush: events of changes before the sync arrive before its reply.
                with self.lock:
                    flush = sorted(self.armed)
                for key in flush:
                    self.read(key, sync=True)
                return
            if self.dropped:
                self.wait_connected(SESSION_TIMEOUT * 2)
                self.close_recorded(self.hosts, oid=self.close_oid)
            self.drop_client()


class MultiWorker(Worker):
    """(e) multi transactions: a version check on one key with writes to the others, or a
    create with a write; all or nothing."""

    def __init__(self, ctx, pid, hosts):
        super().__init__(ctx, pid, "multi%d" % pid)
        self.hosts = hosts

    def multi(self, sub_ops):
        fields = {"ops": sub_ops}

        def run():
            t = self.client.transaction()
            for s in sub_ops:
                if s["op"] == "check":
                    t.check(s["key"], s["expected_version"])
                elif s["op"] == "write":
                    t.set_data(s["key"], s["value"].encode())
                elif s["op"] == "create":
                    t.create(s["key"], s["value"].encode())
            results = self.wait(t.commit_async())
            errors = [r for r in results if isinstance(r, Exception)]
            if errors:
                real = [e for e in errors if not isinstance(e, kex.RolledBackError)]
                raise (real or errors)[0]
            return results

        def ok(results):
            out, zxid = [], None
            for s, r in zip(sub_ops, results):
                if s["op"] == "write":
                    out.append({"version": r.version})
                    zxid = r.mzxid
                elif s["op"] == "create":
                    out.append({"path": r})
                else:
                    out.append({})
            rec = {"results": out}
            if zxid is not None:
                rec["zxid"] = zxid
            return rec
        return self.call("multi", fields, run, ok)

    def body(self):
        if not self.connect(self.hosts):
            return
        while not self.stop_event.is_set():
            r = self.rng.random()
            if r < 0.2:
                self.read(self.rng.choice(MULTI_KEYS), sync=True)
            elif r < 0.75:
                a, b, c = self.rng.sample(MULTI_KEYS, 3)
                phase, res = self.read(a)
                if phase == "ok":
                    v = self.value()
                    self.multi([{"op": "check", "key": a, "expected_version": res[1].version},
                                {"op": "write", "key": b, "value": v + "b"},
                                {"op": "write", "key": c, "value": v + "c"}])
            else:
                v = self.value()
                self.multi([{"op": "create", "key": "%s/multi/c-%s" % (ROOT, v), "value": v},
                            {"op": "write", "key": self.rng.choice(MULTI_KEYS), "value": v}])
            self.pace()
