"""Shared fixtures for the kazoo suite: one server per test class, kazoo clients that are
always stopped, deadline-based waits and a way to flush pending watch events."""

import os
import sys
import threading
import time
import unittest
import uuid

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(_HERE)), "harness"))

from kazoo.client import KazooClient  # noqa: E402
from kazoo.retry import KazooRetry  # noqa: E402

from zkserver import ZkServer, wait_until  # noqa: E402,F401

DEADLINE = 20.0  # seconds for anything that should happen "soon"


class EventLog:
    """Thread-safe list of what watchers saw, with a deadline-based wait."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items = []

    def watcher(self, tag=None):
        def record(event):
            with self._lock:
                self._items.append((tag, event.type, event.path) if tag is not None
                                   else (event.type, event.path))
        return record

    def add(self, item):
        with self._lock:
            self._items.append(item)

    @property
    def items(self):
        with self._lock:
            return list(self._items)

    def wait_for(self, count, timeout=DEADLINE):
        wait_until(lambda: len(self.items) >= count, timeout,
                   what="%d watch events (have %r)" % (count, self.items))
        return self.items


class ServerTestCase(unittest.TestCase):
    """Starts one server for the class (EXTRA zoo.cfg lines, TICK_TIME ms, SYSTEM_PROPS)."""

    EXTRA = ()
    TICK_TIME = 2000
    SYSTEM_PROPS = {}  # see ZkServer(system_props=...)

    @classmethod
    def setUpClass(cls):
        cls.server = ZkServer(extra=cls.EXTRA, tick_time=cls.TICK_TIME,
                              system_props=cls.SYSTEM_PROPS)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self._clients = []
        # Every test works under its own top-level node so tests sharing a server never meet.
        self.root = "/t_%s_%s" % (self._testMethodName, uuid.uuid4().hex[:8])

    def tearDown(self):
        for c in reversed(self._clients):
            try:
                c.stop()
                c.close()
            except Exception:  # noqa: BLE001 - teardown must go on
                pass

    def client(self, hosts=None, start=True, **kwargs):
        kwargs.setdefault("timeout", 10.0)
        # Fail fast instead of retrying for ever when a server is down.
        kwargs.setdefault("connection_retry", KazooRetry(max_tries=20, delay=0.05,
                                                         max_delay=0.5))
        c = KazooClient(hosts=hosts or self.server.hosts, **kwargs)
        self._clients.append(c)
        if start:
            c.start(timeout=DEADLINE)
        return c

    def flush_events(self, client):
        """Returns once every watch event the server sent `client` before now was handed to
        its watchers: the server delivers one session's events in order and kazoo runs the
        callbacks in order, so the event of a fresh sentinel node comes last."""
        sentinel = "/flush_%s" % uuid.uuid4().hex
        seen = threading.Event()
        client.exists(sentinel, watch=lambda ev: seen.set())
        client.create(sentinel, b"")
        if not seen.wait(DEADLINE):
            raise AssertionError("sentinel watch event never arrived")
        client.delete(sentinel)

    def assertRecentMillis(self, ms, slack=120.0):
        """A ctime/mtime in ms since the epoch, near this machine's clock."""
        self.assertLess(abs(ms / 1000.0 - time.time()), slack, ms)
