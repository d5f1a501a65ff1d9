"""Four-letter words through kazoo's client.command() (one recv of 8192 bytes), checked for
shape: version strings, zxids, latencies and counters are ZooKeeper's own values."""

import re
import unittest

from support import EventLog, ServerTestCase

SRVR_KEYS = ["Zookeeper version", "Latency min/avg/max", "Received", "Sent", "Connections",
             "Outstanding", "Zxid", "Mode", "Node count"]


def parse_colon_lines(text):
    out = []
    for line in text.splitlines():
        if line.strip():
            k, _, v = line.partition(": ")
            out.append((k, v))
    return out


class WhitelistAllTest(ServerTestCase):
    EXTRA = ("4lw.commands.whitelist=*",)

    def test_ruok(self):
        self.assertEqual(self.client().command(b"ruok"), "imok")

    def test_srvr(self):
        text = self.client().command(b"srvr")
        pairs = parse_colon_lines(text)
        self.assertEqual([k for k, _ in pairs], SRVR_KEYS)
        d = dict(pairs)
        self.assertEqual(d["Mode"], "standalone")
        self.assertRegex(d["Latency min/avg/max"], r"^\d+/\d+(\.\d+)?/\d+$")
        self.assertRegex(d["Zxid"], r"^0x[0-9a-f]+$")
        for key in ("Received", "Sent", "Connections", "Outstanding", "Node count"):
            self.assertRegex(d[key], r"^\d+$", key)
        self.assertGreaterEqual(int(d["Connections"]), 1)  # the kazoo session
        self.assertGreaterEqual(int(d["Node count"]), 5)  # /, /zookeeper(+config, quota), ...
        self.assertTrue(text.endswith("\n"))

    def test_stat(self):
        text = self.client().command(b"stat")
        self.assertTrue(text.startswith("Zookeeper version: "), text)
        self.assertIn("\nClients:\n", text)
        self.assertRegex(text, r"\n /127\.0\.0\.1:\d+\[\d+\]\(queued=\d+,recved=\d+,sent=\d+")
        self.assertIn("\nMode: standalone\n", text)

    def test_envi(self):
        c = self.client()
        text = c.command(b"envi")
        lines = text.splitlines()
        self.assertEqual(lines[0], "Environment:")
        keys = [line.split("=", 1)[0] for line in lines[1:] if "=" in line]
        self.assertEqual(keys[0], "zookeeper.version")
        self.assertIn("host.name", keys)
        self.assertIn("os.name", keys)
        version = c.server_version()  # kazoo parses zookeeper.version
        self.assertGreaterEqual(len(version), 2)
        self.assertTrue(all(isinstance(v, int) for v in version))

    def test_conf(self):
        text = self.client().command(b"conf")
        d = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        self.assertEqual(d["clientPort"], str(self.server.port))
        self.assertEqual(d["tickTime"], "2000")
        self.assertEqual(d["maxClientCnxns"], "60")
        self.assertEqual(d["minSessionTimeout"], "4000")
        self.assertEqual(d["maxSessionTimeout"], "40000")
        self.assertEqual(d["serverId"], "0")
        self.assertTrue(d["dataDir"].startswith(self.server.data_dir), d["dataDir"])
        self.assertIn("dataLogDir", d)

    def test_mntr(self):
        c = self.client()
        c.create(self.root, b"", ephemeral=True)
        text = c.command(b"mntr")
        d = {}
        for line in text.splitlines():
            if "\t" in line:
                k, v = line.split("\t", 1)
                d[k] = v
        self.assertIn("zk_version", d)
        self.assertEqual(d["zk_server_state"], "standalone")
        for key in ("zk_avg_latency", "zk_max_latency", "zk_min_latency", "zk_packets_received",
                    "zk_packets_sent", "zk_num_alive_connections", "zk_outstanding_requests",
                    "zk_znode_count", "zk_watch_count", "zk_ephemerals_count",
                    "zk_approximate_data_size"):
            self.assertIn(key, d)
            self.assertRegex(d[key], r"^\d+(\.\d+)?$", key)
        self.assertGreaterEqual(int(d["zk_ephemerals_count"]), 1)
        self.assertGreaterEqual(int(d["zk_num_alive_connections"]), 1)
        # every line is key<TAB>value
        first_lines = text.splitlines()[:20]
        self.assertTrue(all(re.match(r"^zk_\w+\t\S", line) for line in first_lines), first_lines)

    def test_isro(self):
        self.assertEqual(self.client().command(b"isro"), "rw")

    def test_wchs_wchp_wchc(self):
        # These count the data-watch table only (getData and exists watches, also on a
        # missing node); child watches do not show up in 3.8.
        watcher, other = self.client(), self.client()
        watcher.create(self.root, b"")
        pattern = r"^(\d+) connections watching (\d+) paths\nTotal watches:(\d+)\n$"
        base = re.match(pattern, other.command(b"wchs"))
        self.assertIsNotNone(base)
        log = EventLog()
        watcher.get_children(self.root, watch=log.watcher())
        self.assertEqual(other.command(b"wchs"), base.group(0))
        watcher.get(self.root, watch=log.watcher())
        watcher.exists(self.root + "/missing", watch=log.watcher())
        m = re.match(pattern, other.command(b"wchs"))
        self.assertIsNotNone(m)
        self.assertEqual(int(m.group(1)), int(base.group(1)) + 1)
        self.assertEqual(int(m.group(2)), int(base.group(2)) + 2)
        self.assertEqual(int(m.group(3)), int(base.group(3)) + 2)
        sid = "0x%x" % watcher.client_id[0]
        wchp = other.command(b"wchp")
        self.assertIn("%s\n\t%s\n" % (self.root, sid), wchp)
        self.assertIn("%s/missing\n\t%s\n" % (self.root, sid), wchp)
        wchc = other.command(b"wchc")
        self.assertRegex(wchc, r"(?m)^%s\n(\t/.*\n)*\t%s\n" % (sid, re.escape(self.root)))

    def test_dirs(self):
        text = self.client().command(b"dirs")
        self.assertRegex(text, r"^datadir_size: \d+\nlogdir_size: \d+\n$")

    def test_cons(self):
        c = self.client()
        text = c.command(b"cons")
        sid = "0x%x" % c.client_id[0]
        self.assertIn("sid=%s," % sid, text)
        self.assertRegex(text, r" /127\.0\.0\.1:\d+\[\d+\]\(queued=\d+,recved=\d+,sent=\d+,sid=0x")

    def test_kazoo_command_requires_connection(self):
        c = self.client(start=False)
        from kazoo.exceptions import ConnectionLoss
        with self.assertRaises(ConnectionLoss):
            c.command(b"ruok")


class DefaultWhitelistTest(ServerTestCase):
    """No 4lw.commands.whitelist: only srvr answers."""

    def test_srvr_always_allowed(self):
        self.assertIn("Mode: standalone", self.client().command(b"srvr"))

    def test_other_words_are_refused_with_a_message(self):
        c = self.client()
        for word in ("ruok", "stat", "conf", "cons", "envi", "mntr", "wchs", "dirs", "isro",
                     "dump", "crst", "srst", "wchc", "wchp"):
            with self.subTest(word=word):
                self.assertEqual(c.command(word.encode()),
                                 "%s is not executed because it is not in the whitelist.\n"
                                 % word)

    def test_raw_socket_gets_same_message(self):
        self.assertEqual(self.server.four_letter("ruok"),
                         "ruok is not executed because it is not in the whitelist.\n")


class PartialWhitelistTest(ServerTestCase):
    EXTRA = ("4lw.commands.whitelist=ruok, mntr",)

    def test_listed_words_answer_others_refused(self):
        c = self.client()
        self.assertEqual(c.command(b"ruok"), "imok")
        self.assertIn("zk_server_state\tstandalone", c.command(b"mntr"))
        self.assertIn("Mode: standalone", c.command(b"srvr"))  # srvr is always on
        self.assertEqual(c.command(b"conf"),
                         "conf is not executed because it is not in the whitelist.\n")


if __name__ == "__main__":
    unittest.main()
