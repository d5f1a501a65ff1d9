"""Sessions: negotiated timeouts, closeSession, expiry of a silent client (cut off by a TCP
relay, so it never sends closeSession), re-attaching with (session id, password), refused
handshakes (wrong password, unknown or expired session, lastZxidSeen ahead of the server)."""

import socket
import struct
import time
import unittest

from kazoo.protocol.serialization import Connect
from kazoo.protocol.states import EventType, KazooState

from support import DEADLINE, EventLog, ServerTestCase, wait_until
from tcpproxy import TcpProxy

TICK = 1000  # min session timeout 2 * tick, max 20 * tick


def raw_handshake(host, port, session_id=0, passwd=b"\0" * 16, timeout_ms=10000,
                  last_zxid=0, read_only=False):
    """Sends one ConnectRequest (45-byte form, as kazoo and the Java/C clients send it).
    Returns (body bytes of the reply or b"", closed_by_server)."""
    body = bytes(Connect(0, last_zxid, timeout_ms, session_id, passwd, read_only).serialize())
    with socket.create_connection((host, port), timeout=DEADLINE) as s:
        s.sendall(struct.pack("!i", len(body)) + body)
        data = b""
        closed = False
        while True:
            if len(data) >= 4 and len(data) >= 4 + struct.unpack("!i", data[:4])[0]:
                break
            chunk = s.recv(4096)
            if not chunk:
                closed = True
                break
            data += chunk
        if not closed:
            # After a refusal the server closes; after an accept it waits for requests.
            s.settimeout(1.0)
            try:
                closed = s.recv(1) == b""
            except socket.timeout:
                closed = False
    return data[4:], closed


def parse_connect_response(body):
    resp, _ = Connect.deserialize(body, 0)
    return resp


class SessionTest(ServerTestCase):
    TICK_TIME = TICK

    def handshake(self, **kw):
        return raw_handshake(self.server.host, self.server.port, **kw)

    def test_negotiated_timeout_is_clamped(self):
        for asked, granted in ((100, 2 * TICK), (5000, 5000), (10 ** 9, 20 * TICK)):
            with self.subTest(asked=asked):
                body, closed = self.handshake(timeout_ms=asked)
                self.assertEqual(len(body), 37)  # readOnly flag echoed for a 45-byte request
                resp = parse_connect_response(body)
                self.assertEqual(resp.time_out, granted)
                self.assertNotEqual(resp.session_id, 0)
                self.assertEqual(len(resp.passwd), 16)
                self.assertFalse(resp.read_only)
                self.assertFalse(closed)

    def test_session_ids_differ(self):
        a, b = self.client(), self.client()
        self.assertNotEqual(a.client_id[0], b.client_id[0])
        self.assertNotEqual(a.client_id[0], 0)

    def test_close_deletes_ephemerals_at_once(self):
        a, b = self.client(), self.client()
        a.create(self.root, b"")
        a.create(self.root + "/e", b"", ephemeral=True)
        log = EventLog()
        b.exists(self.root + "/e", watch=log.watcher())
        sid, passwd = a.client_id
        a.stop()
        self.assertIsNone(b.exists(self.root + "/e"))
        self.assertEqual(log.wait_for(1), [(EventType.DELETED, self.root + "/e")])
        # a closed session cannot be re-attached
        body, closed = self.handshake(session_id=sid, passwd=passwd)
        self.assertEqual(parse_connect_response(body).time_out, 0)
        self.assertTrue(closed)

    def test_silent_client_expires(self):
        proxy = TcpProxy(self.server.host, self.server.port).start()
        self.addCleanup(proxy.stop)
        states = []
        negotiated = 2 * TICK  # asked for and granted (the minimum)
        a = self.client(hosts=proxy.hosts, timeout=negotiated / 1000.0)
        a.add_listener(states.append)
        b = self.client()
        a.create(self.root, b"")
        a.create(self.root + "/e", b"", ephemeral=True)
        old_session = a.client_id
        log = EventLog()
        b.exists(self.root + "/e", watch=log.watcher())
        frozen_at = time.monotonic()
        proxy.freeze()
        self.assertEqual(log.wait_for(1, timeout=negotiated / 1000.0 + 10),
                         [(EventType.DELETED, self.root + "/e")])
        elapsed = time.monotonic() - frozen_at
        # not before (most of) the timeout: kazoo's last ping may be up to 1/3 of it old
        self.assertGreater(elapsed, negotiated / 1000.0 * 0.5)
        self.assertIsNone(b.exists(self.root + "/e"))
        self.assertIsNotNone(b.exists(self.root))  # persistent nodes stay
        # the old credentials are dead now
        body, closed = self.handshake(session_id=old_session[0], passwd=old_session[1])
        self.assertEqual(parse_connect_response(body).time_out, 0)
        self.assertTrue(closed)
        # let the client back: it learns of the expiry (LOST) and kazoo opens a new session
        proxy.thaw()
        wait_until(lambda: KazooState.LOST in states, DEADLINE, what="LOST state")
        wait_until(lambda: a.connected, DEADLINE, what="new session")
        self.assertNotEqual(a.client_id[0], old_session[0])

    def test_reattach_keeps_session_and_ephemerals(self):
        proxy = TcpProxy(self.server.host, self.server.port).start()
        self.addCleanup(proxy.stop)
        a = self.client(hosts=proxy.hosts, timeout=10.0)
        a.create(self.root, b"")
        a.create(self.root + "/e", b"mine", ephemeral=True)
        sid, passwd = a.client_id
        proxy.freeze()  # `a` goes silent without closing
        b = self.client(client_id=(sid, passwd), timeout=10.0)
        self.assertEqual(b.client_id[0], sid)
        self.assertEqual(b.get(self.root + "/e")[0], b"mine")
        self.assertEqual(b.exists(self.root + "/e").ephemeralOwner, sid)
        b.create(self.root + "/e2", b"", ephemeral=True)
        self.assertEqual(sorted(b.get_children(self.root)), ["e", "e2"])
        watcher = self.client()
        b.stop()  # closeSession for the shared session: every ephemeral of it goes
        self.assertEqual(watcher.get_children(self.root), [])

    def test_wrong_password_refused(self):
        a = self.client(timeout=10.0)
        a.create(self.root, b"", ephemeral=True)
        sid, passwd = a.client_id
        bad = bytes(16) if passwd != bytes(16) else b"\1" * 16
        body, closed = self.handshake(session_id=sid, passwd=bad)
        self.assertEqual(len(body), 37)
        resp = parse_connect_response(body)
        self.assertEqual((resp.time_out, resp.session_id, resp.passwd), (0, 0, bytes(16)))
        self.assertTrue(closed)
        # the session itself is unharmed
        wait_until(lambda: a.connected, DEADLINE, what="owner connected")
        self.assertEqual(a.client_id[0], sid)
        self.assertEqual(self.client().exists(self.root).ephemeralOwner, sid)
        a.set(self.root, b"still mine")

    def test_wrong_password_drops_owner_connection(self):
        # ZooKeeper 3.8 closes the session's current connection before it checks the
        # password (processConnectRequest -> closeSession(CLIENT_RECONNECT) -> reopenSession);
        # the owner reconnects and keeps its session.
        states = []
        a = self.client(timeout=10.0)
        a.add_listener(states.append)
        sid, passwd = a.client_id
        bad = bytes(16) if passwd != bytes(16) else b"\1" * 16
        self.handshake(session_id=sid, passwd=bad)
        wait_until(lambda: KazooState.SUSPENDED in states and a.connected, DEADLINE,
                   what="owner disconnected and reconnected")
        self.assertEqual(a.client_id[0], sid)

    def test_unknown_session_refused(self):
        body, closed = self.handshake(session_id=0x7FFF00000000ABCD, passwd=b"\1" * 16)
        resp = parse_connect_response(body)
        self.assertEqual((resp.time_out, resp.session_id, resp.passwd), (0, 0, bytes(16)))
        self.assertTrue(closed)

    def test_44_byte_connect_gets_36_byte_reply(self):
        # old clients (no readOnly byte) get a reply without it
        body = bytes(Connect(0, 0, 10000, 0, bytes(16), False).serialize())[:-1]
        with socket.create_connection((self.server.host, self.server.port), timeout=10) as s:
            s.sendall(struct.pack("!i", len(body)) + body)
            data = b""
            while len(data) < 4 or len(data) < 4 + struct.unpack("!i", data[:4])[0]:
                chunk = s.recv(4096)
                self.assertTrue(chunk, "server closed before replying")
                data += chunk
        self.assertEqual(struct.unpack("!i", data[:4])[0], 36)

    def test_client_ahead_of_server_is_refused(self):
        c = self.client()
        c.create(self.root, b"")
        zxid = c.exists(self.root).czxid
        body, closed = self.handshake(last_zxid=zxid + 1000)
        self.assertEqual(body, b"")  # no reply at all, just a close
        self.assertTrue(closed)
        body, closed = self.handshake(last_zxid=zxid)
        self.assertNotEqual(parse_connect_response(body).session_id, 0)


if __name__ == "__main__":
    unittest.main()
