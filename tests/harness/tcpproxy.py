"""A loopback TCP relay that a test can freeze, to cut a client off from its server without
the client closing its session (session-expiry tests).

    proxy = TcpProxy("127.0.0.1", server_port).start()
    client = KazooClient(hosts=proxy.hosts)
    proxy.freeze()     # drop every relayed connection and refuse new ones: the server sees
                       # silence, the client sees a dead link, nobody sends closeSession
    proxy.thaw()       # accept and relay again
    proxy.stop()
"""

import socket
import threading


class TcpProxy:
    def __init__(self, target_host, target_port, listen_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((listen_host, 0))
        self._listener.listen(16)
        self.host, self.port = self._listener.getsockname()
        self._lock = threading.Lock()
        self._frozen = False
        self._stopped = False
        self._pairs = []  # (client socket, server socket)
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.connections_accepted = 0

    @property
    def hosts(self):
        return "%s:%d" % (self.host, self.port)

    def start(self):
        self._thread.start()
        return self

    def _accept_loop(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._stopped or self._frozen:
                    client.close()  # refused: the client sees a reset/EOF at once
                    continue
                self.connections_accepted += 1
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, server))
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _drop_all(self):
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for client, server in pairs:
            for s in (client, server):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def freeze(self):
        with self._lock:
            self._frozen = True
        self._drop_all()

    def thaw(self):
        with self._lock:
            self._frozen = False

    def stop(self):
        with self._lock:
            self._stopped = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self._listener.close()
        self._drop_all()
        self._thread.join(5)
