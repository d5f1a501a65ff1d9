"""Every client operation kazoo can send (and the few it cannot, through zkext), the error
codes, sequential names, Stat fields, multi, and the 1 MB frame limit."""

import unittest

from kazoo.exceptions import (BadArgumentsError, BadVersionError, ConnectionLoss,
                              NoChildrenForEphemeralsError, NodeExistsError, NoNodeError,
                              NotEmptyError, RolledBackError, RuntimeInconsistency,
                              UnimplementedError)
from kazoo.protocol.serialization import Create, Delete, SetData
from kazoo.security import OPEN_ACL_UNSAFE

import zkext
from support import DEADLINE, ServerTestCase, wait_until

# jute.maxbuffer in 3.8: a request frame (after its 4-byte length) may be at most 0xfffff.
MAX_FRAME = 0xFFFFF
ACL_WORLD_BYTES = 4 + 4 + 4 + len("world") + 4 + len("anyone")  # vector count + one ACL


def create_frame_len(path, n):
    """Bytes after the length prefix of a create (op 1) with n bytes of data, world ACL."""
    return 8 + (4 + len(path)) + (4 + n) + ACL_WORLD_BYTES + 4


def set_frame_len(path, n):
    return 8 + (4 + len(path)) + (4 + n) + 4


class CrudTest(ServerTestCase):
    EXTRA = ("extendedTypesEnabled=true",)

    def test_create_get_set_delete(self):
        c = self.client()
        self.assertEqual(c.create(self.root, b"v0"), self.root)
        data, stat = c.get(self.root)
        self.assertEqual(data, b"v0")
        self.assertEqual(stat.version, 0)
        stat2 = c.set(self.root, b"v1")
        self.assertEqual(stat2.version, 1)
        self.assertEqual(c.get(self.root)[0], b"v1")
        c.delete(self.root)
        self.assertIsNone(c.exists(self.root))

    def test_create_empty_and_binary_data(self):
        c = self.client()
        c.create(self.root, b"")
        data, stat = c.get(self.root)
        self.assertEqual(data, b"")
        self.assertEqual(stat.dataLength, 0)
        blob = bytes(range(256)) * 4
        c.set(self.root, blob)
        data, stat = c.get(self.root)
        self.assertEqual(data, blob)
        self.assertEqual(stat.dataLength, 1024)

    def test_null_data_differs_from_empty(self):
        # A create may carry a null buffer (length -1); getData then answers null, not b"".
        # zkCli's `create /p` without data does this and `get /p` prints "null".
        c = self.client()
        c.create(self.root, b"")
        zkext.call(c, Create(self.root + "/null", None, OPEN_ACL_UNSAFE, 0))
        data, stat = c.get(self.root + "/null")
        self.assertIsNone(data)
        self.assertEqual(stat.dataLength, 0)
        self.assertEqual(c.get(self.root)[0], b"")
        zkext.call(c, SetData(self.root, None, -1))
        self.assertIsNone(c.get(self.root)[0])

    def test_create2_returns_stat(self):
        c = self.client()
        path, stat = c.create(self.root, b"abc", include_data=True)
        self.assertEqual(path, self.root)
        self.assertEqual(stat, c.exists(self.root))
        self.assertEqual(stat.dataLength, 3)
        # create2 with sequence: the returned path carries the suffix.
        c.create(self.root + "/a", b"")
        path, stat = c.create(self.root + "/s-", b"", sequence=True, include_data=True)
        self.assertEqual(path, self.root + "/s-0000000001")
        self.assertEqual(stat, c.exists(path))

    def test_exists(self):
        c = self.client()
        self.assertIsNone(c.exists(self.root))
        c.create(self.root, b"x")
        stat = c.exists(self.root)
        self.assertEqual(stat.dataLength, 1)
        self.assertEqual(stat, c.get(self.root)[1])

    def test_get_children_and_children2(self):
        c = self.client()
        c.create(self.root, b"")
        self.assertEqual(c.get_children(self.root), [])
        for name in ("b", "a", "c"):
            c.create("%s/%s" % (self.root, name), b"")
        self.assertEqual(sorted(c.get_children(self.root)), ["a", "b", "c"])
        children, stat = c.get_children(self.root, include_data=True)
        self.assertEqual(sorted(children), ["a", "b", "c"])
        self.assertEqual(stat, c.exists(self.root))
        self.assertEqual(stat.numChildren, 3)

    def test_root_and_zookeeper_nodes(self):
        c = self.client()
        self.assertIn("zookeeper", c.get_children("/"))
        self.assertEqual(sorted(c.get_children("/zookeeper")), ["config", "quota"])
        data, stat = c.get("/zookeeper")
        self.assertEqual(data, b"")
        self.assertEqual((stat.czxid, stat.mzxid, stat.ctime, stat.mtime, stat.pzxid),
                         (0, 0, 0, 0, 0))
        self.assertEqual((stat.cversion, stat.numChildren), (-2, 2))  # 2 * 0 creates - 2
        root = c.exists("/")
        self.assertEqual((root.czxid, root.mzxid, root.ctime, root.mtime), (0, 0, 0, 0))
        self.assertEqual(root.version, 0)
        # standalone: /zookeeper/config exists and is empty, its ACL was never set
        data, stat = c.get("/zookeeper/config")
        self.assertEqual(data, b"")
        self.assertEqual((stat.aversion, stat.czxid), (-1, 0))
        self.assertEqual(c.get("/zookeeper/quota")[0], b"")

    def test_sync(self):
        c = self.client()
        c.create(self.root, b"")
        self.assertEqual(c.sync(self.root), self.root)
        # sync does not look the path up
        self.assertEqual(c.sync(self.root + "/missing"), self.root + "/missing")

    def test_ensure_path_and_recursive_delete(self):
        c = self.client()
        c.ensure_path(self.root + "/a/b/c")
        self.assertIsNotNone(c.exists(self.root + "/a/b/c"))
        c.delete(self.root, recursive=True)
        self.assertIsNone(c.exists(self.root))


class ErrorCodeTest(ServerTestCase):
    EXTRA = ("extendedTypesEnabled=true",)

    def test_no_node(self):
        c = self.client()
        missing = self.root + "/missing"
        for call in (lambda: c.get(missing), lambda: c.set(missing, b""),
                     lambda: c.delete(missing), lambda: c.get_children(missing),
                     lambda: c.get_acls(missing), lambda: c.set_acls(missing, OPEN_ACL_UNSAFE),
                     lambda: c.create(missing + "/child", b"")):
            with self.assertRaises(NoNodeError):
                call()

    def test_node_exists(self):
        c = self.client()
        c.create(self.root, b"")
        with self.assertRaises(NodeExistsError):
            c.create(self.root, b"")
        with self.assertRaises(NodeExistsError):
            c.create("/", b"")

    def test_not_empty(self):
        c = self.client()
        c.create(self.root + "/child", b"", makepath=True)
        with self.assertRaises(NotEmptyError):
            c.delete(self.root)
        c.delete(self.root + "/child")
        c.delete(self.root)

    def test_bad_version(self):
        c = self.client()
        c.create(self.root, b"")
        with self.assertRaises(BadVersionError):
            c.set(self.root, b"x", version=5)
        stat = c.set(self.root, b"x", version=0)
        self.assertEqual(stat.version, 1)
        with self.assertRaises(BadVersionError):
            c.delete(self.root, version=0)
        with self.assertRaises(BadVersionError):
            c.set_acls(self.root, OPEN_ACL_UNSAFE, version=3)
        c.delete(self.root, version=1)

    def test_no_children_for_ephemerals(self):
        c = self.client()
        c.create(self.root, b"", ephemeral=True)
        with self.assertRaises(NoChildrenForEphemeralsError):
            c.create(self.root + "/child", b"")
        with self.assertRaises(NoChildrenForEphemeralsError):
            c.create(self.root + "/seq-", b"", sequence=True)

    def test_bad_arguments_for_bad_paths(self):
        # Raw requests: kazoo itself normalises paths before sending them.
        c = self.client()
        c.create(self.root, b"")
        bad = ["noslash", self.root + "/", "//x", self.root + "/.", self.root + "/..",
               self.root + "/a\tb", self.root + "/nul\x00x"]
        for path in bad:
            with self.subTest(path=path), self.assertRaises(BadArgumentsError):
                zkext.call(c, Create(path, b"", OPEN_ACL_UNSAFE, 0))
        for path in ("noslash", self.root + "/", self.root + "/."):
            with self.subTest(set=path), self.assertRaises(BadArgumentsError):
                zkext.call(c, SetData(path, b"", -1))
        with self.assertRaises(BadArgumentsError):
            zkext.call(c, Delete("noslash", -1))
        # ".", ".." only as whole components; "..." and ".x" are plain names
        self.assertEqual(zkext.call(c, Create(self.root + "/...", b"", OPEN_ACL_UNSAFE, 0)),
                         self.root + "/...")
        self.assertEqual(zkext.call(c, Create(self.root + "/.x", b"", OPEN_ACL_UNSAFE, 0)),
                         self.root + "/.x")

    def test_bad_path_parent_checked_first(self):
        # 3.8 looks the parent up (NoNode) before validating the full path for a create.
        c = self.client()
        c.create(self.root, b"")
        with self.assertRaises(NoNodeError):
            zkext.call(c, Create(self.root + "//x", b"", OPEN_ACL_UNSAFE, 0))

    def test_cannot_delete_root_or_system_nodes(self):
        c = self.client()
        for path in ("/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"):
            with self.subTest(path=path), self.assertRaises(BadArgumentsError):
                c.delete(path)

    def test_bad_create_flags(self):
        c = self.client()
        c.create(self.root, b"")
        for flags in (5, 6, 7, 99, -1):  # TTL modes need op 21; others do not exist
            with self.subTest(flags=flags), self.assertRaises(BadArgumentsError):
                zkext.call(c, Create(self.root + "/f", b"", OPEN_ACL_UNSAFE, flags))


class SequentialTest(ServerTestCase):
    """The suffix is %010d of the parent's stored cversion, which counts child creates only.
    The cversion clients see is 2 * creates - numChildren, i.e. creates + deletes
    (DataNode.copyStat: "translate from the count of the creates to the count of the
    changes"). So after deletes the visible cversion runs ahead of the next suffix."""

    def test_suffix_counts_child_creates(self):
        c = self.client()
        c.create(self.root, b"")
        p = self.root + "/n-"
        self.assertEqual(c.create(p, b"", sequence=True), self.root + "/n-0000000000")
        self.assertEqual(c.create(p, b"", sequence=True), self.root + "/n-0000000001")
        # a plain child counts too
        c.create(self.root + "/plain", b"")
        self.assertEqual(c.create(p, b"", sequence=True), self.root + "/n-0000000003")
        # a delete does not move the suffix, but does move the visible cversion
        self.assertEqual(c.exists(self.root).cversion, 4)
        c.delete(self.root + "/n-0000000000")
        self.assertEqual(c.exists(self.root).cversion, 5)
        self.assertEqual(c.create(p, b"", sequence=True), self.root + "/n-0000000004")
        self.assertEqual(c.exists(self.root).cversion, 6)  # 5 creates * 2 - 4 children
        # a different prefix shares the same counter; an empty prefix is allowed
        self.assertEqual(c.create(self.root + "/other-", b"", sequence=True),
                         self.root + "/other-0000000005")
        self.assertEqual(c.create(self.root + "/", b"", sequence=True),
                         self.root + "/0000000006")

    def test_deletes_never_reuse_a_suffix(self):
        c = self.client()
        c.create(self.root, b"")
        names = []
        for _ in range(3):
            name = c.create(self.root + "/x", b"", sequence=True)
            names.append(name)
            c.delete(name)
        self.assertEqual(names, [self.root + "/x000000000%d" % i for i in range(3)])
        st = c.exists(self.root)
        self.assertEqual((st.cversion, st.numChildren), (6, 0))
        self.assertEqual(c.create(self.root + "/x", b"", sequence=True),
                         self.root + "/x0000000003")

    def test_multi_delete_and_session_close_count_as_deletes(self):
        c = self.client()
        c.create(self.root, b"")
        c.create(self.root + "/a", b"")
        t = c.transaction()
        t.delete(self.root + "/a")
        t.commit()
        other = self.client()
        other.create(self.root + "/eph", b"", ephemeral=True)
        other.stop()  # closeSession deletes the ephemeral
        st = c.exists(self.root)
        self.assertEqual((st.cversion, st.numChildren), (4, 0))
        self.assertEqual(c.create(self.root + "/s", b"", sequence=True),
                         self.root + "/s0000000002")

    def test_ephemeral_sequential(self):
        c = self.client()
        c.create(self.root, b"")
        path = c.create(self.root + "/e-", b"", ephemeral=True, sequence=True)
        self.assertEqual(path, self.root + "/e-0000000000")
        self.assertEqual(c.exists(path).ephemeralOwner, c.client_id[0])

    def test_zookeeper_node_cversion(self):
        c = self.client()
        c.create(self.root, b"")
        # /zookeeper has 2 children created at startup without counting: cversion -2
        st = c.exists("/zookeeper")
        self.assertEqual((st.cversion, st.numChildren), (-2, 2))


class StatTest(ServerTestCase):

    def test_fresh_node(self):
        c = self.client()
        c.create(self.root, b"hello")
        st = c.exists(self.root)
        self.assertGreater(st.czxid, 0)
        self.assertEqual(st.mzxid, st.czxid)
        self.assertEqual(st.pzxid, st.czxid)
        self.assertEqual(st.ctime, st.mtime)
        self.assertRecentMillis(st.ctime)
        self.assertEqual((st.version, st.cversion, st.aversion), (0, 0, 0))
        self.assertEqual(st.ephemeralOwner, 0)
        self.assertEqual(st.dataLength, 5)
        self.assertEqual(st.numChildren, 0)

    def test_set_data_changes_version_and_mzxid_only(self):
        c = self.client()
        c.create(self.root, b"a")
        before = c.exists(self.root)
        after = c.set(self.root, b"abcd")
        self.assertEqual(after.version, before.version + 1)
        self.assertGreater(after.mzxid, before.mzxid)
        self.assertGreaterEqual(after.mtime, before.mtime)
        self.assertEqual(after.czxid, before.czxid)
        self.assertEqual(after.ctime, before.ctime)
        self.assertEqual(after.pzxid, before.pzxid)
        self.assertEqual(after.cversion, before.cversion)
        self.assertEqual(after.dataLength, 4)
        # setting the same bytes is still a new version
        self.assertEqual(c.set(self.root, b"abcd").version, after.version + 1)

    def test_children_change_cversion_numchildren_pzxid(self):
        c = self.client()
        c.create(self.root, b"")
        parent0 = c.exists(self.root)
        _, child = c.create(self.root + "/a", b"", include_data=True)
        parent1 = c.exists(self.root)
        self.assertEqual(parent1.cversion, parent0.cversion + 1)
        self.assertEqual(parent1.numChildren, 1)
        self.assertEqual(parent1.pzxid, child.czxid)
        self.assertEqual(parent1.mzxid, parent0.mzxid)  # data untouched
        self.assertEqual(parent1.version, parent0.version)
        # child data changes leave the parent alone
        c.set(self.root + "/a", b"x")
        self.assertEqual(c.exists(self.root), parent1)
        c.delete(self.root + "/a")
        parent2 = c.exists(self.root)
        self.assertEqual(parent2.cversion, parent1.cversion + 1)
        self.assertEqual(parent2.numChildren, 0)
        self.assertGreater(parent2.pzxid, parent1.pzxid)
        _, marker = c.create(self.root + "_marker", b"", include_data=True)
        self.assertLess(parent2.pzxid, marker.czxid)  # the delete's zxid

    def test_acl_change_bumps_aversion(self):
        c = self.client()
        c.create(self.root, b"")
        st = c.set_acls(self.root, OPEN_ACL_UNSAFE)
        self.assertEqual(st.aversion, 1)
        self.assertEqual(st.version, 0)
        self.assertEqual(c.get_acls(self.root)[1].aversion, 1)

    def test_ephemeral_owner_is_session_id(self):
        c = self.client()
        c.create(self.root, b"", ephemeral=True)
        st = c.exists(self.root)
        self.assertNotEqual(st.ephemeralOwner, 0)
        self.assertEqual(st.ephemeralOwner, c.client_id[0])
        other = self.client()
        self.assertEqual(other.exists(self.root).ephemeralOwner, c.client_id[0])

    def test_zxids_increase_per_write(self):
        c = self.client()
        _, s1 = c.create(self.root, b"", include_data=True)
        _, s2 = c.create(self.root + "/a", b"", include_data=True)
        s3 = c.set(self.root + "/a", b"x")
        self.assertLess(s1.czxid, s2.czxid)
        self.assertLess(s2.czxid, s3.mzxid)


class MultiTest(ServerTestCase):

    def test_success_results_and_single_zxid(self):
        c = self.client()
        c.create(self.root, b"")
        t = c.transaction()
        t.create(self.root + "/a", b"1")
        t.create(self.root + "/b", b"2")
        t.set_data(self.root + "/a", b"3")
        t.check(self.root, 0)
        t.create(self.root + "/s-", b"", sequence=True)
        t.delete(self.root + "/b")
        results = t.commit()
        self.assertEqual(results[0], self.root + "/a")
        self.assertEqual(results[1], self.root + "/b")
        self.assertEqual(results[2].version, 1)
        self.assertIs(results[3], True)
        self.assertEqual(results[4], self.root + "/s-0000000002")
        self.assertIs(results[5], True)
        self.assertEqual(c.get(self.root + "/a")[0], b"3")
        self.assertIsNone(c.exists(self.root + "/b"))
        # one transaction, one zxid
        st_a = c.exists(self.root + "/a")
        st_s = c.exists(self.root + "/s-0000000002")
        self.assertEqual(st_a.czxid, st_s.czxid)
        self.assertEqual(st_a.mzxid, st_a.czxid)

    def test_failure_layout_and_atomicity(self):
        c = self.client()
        c.create(self.root, b"")
        before = c.exists(self.root)
        t = c.transaction()
        t.create(self.root + "/a", b"")
        t.set_data(self.root, b"changed")
        t.check(self.root, 7)           # fails: version is 0
        t.create(self.root + "/b", b"")
        t.delete(self.root + "/missing")
        results = t.commit()
        self.assertEqual(len(results), 5)
        self.assertIsInstance(results[0], RolledBackError)
        self.assertIsInstance(results[1], RolledBackError)
        self.assertIsInstance(results[2], BadVersionError)
        self.assertIsInstance(results[3], RuntimeInconsistency)
        self.assertIsInstance(results[4], RuntimeInconsistency)
        self.assertIsNone(c.exists(self.root + "/a"))
        self.assertEqual(c.exists(self.root), before)
        self.assertEqual(c.get(self.root)[0], b"")

    def test_first_op_fails(self):
        c = self.client()
        c.create(self.root, b"")
        t = c.transaction()
        t.create(self.root, b"")   # NodeExists
        t.create(self.root + "/x", b"")
        results = t.commit()
        self.assertIsInstance(results[0], NodeExistsError)
        self.assertIsInstance(results[1], RuntimeInconsistency)
        self.assertIsNone(c.exists(self.root + "/x"))

    def test_failure_kinds(self):
        c = self.client()
        c.create(self.root + "/full/child", b"", makepath=True)
        cases = [
            (lambda t: t.delete(self.root + "/missing"), NoNodeError),
            (lambda t: t.delete(self.root + "/full"), NotEmptyError),
            (lambda t: t.set_data(self.root + "/full", b"", version=9), BadVersionError),
            (lambda t: t.create(self.root + "/nope/x", b""), NoNodeError),
        ]
        for add, exc in cases:
            with self.subTest(exc=exc.__name__):
                t = c.transaction()
                t.create(self.root + "/first", b"")
                add(t)
                results = t.commit()
                self.assertIsInstance(results[0], RolledBackError)
                self.assertIsInstance(results[1], exc)
                self.assertIsNone(c.exists(self.root + "/first"))

    def test_ops_see_earlier_ops_in_same_multi(self):
        c = self.client()
        c.create(self.root, b"")
        t = c.transaction()
        t.create(self.root + "/p", b"")
        t.create(self.root + "/p/q", b"")
        t.check(self.root + "/p", 0)
        t.delete(self.root + "/p/q")
        t.delete(self.root + "/p")
        results = t.commit()
        self.assertEqual(results, [self.root + "/p", self.root + "/p/q", True, True, True])
        self.assertEqual(c.get_children(self.root), [])


class ExtendedOpsTest(ServerTestCase):
    """Ops kazoo 2.8 lacks, sent by zkext; whoAmI, getEphemerals, getAllChildrenNumber are also
    covered by tests/e2e/zkcli, addWatch only there."""
    EXTRA = ("extendedTypesEnabled=true",)
    # Empty containers and expired TTL nodes are reaped every checkIntervalMs (60 s by
    # default; a JVM property for ZooKeeper, a zoo.cfg key for zknode).
    SYSTEM_PROPS = {"znode.container.checkIntervalMs": "500"}

    def test_create_container(self):
        c = self.client()
        c.create(self.root, b"")
        path, stat = zkext.create_container(c, self.root + "/box", b"d")
        self.assertEqual(path, self.root + "/box")
        self.assertEqual(stat, c.exists(path))
        self.assertEqual(stat.ephemeralOwner, 0)  # containers show owner 0 to clients
        c.create(path + "/item", b"")
        c.delete(path + "/item")
        # an emptied container disappears by itself
        wait_until(lambda: c.exists(path) is None, DEADLINE, what="container reaped")

    def test_container_never_used_is_kept(self):
        c = self.client()
        c.create(self.root, b"")
        path, _ = zkext.create_container(c, self.root + "/empty")
        c.create(self.root + "/c2", b"")
        path2, _ = zkext.create_container(c, self.root + "/c2/box")
        c.create(path2 + "/x", b"")
        c.delete(path2 + "/x")
        wait_until(lambda: c.exists(path2) is None, DEADLINE, what="container reaped")
        # the one that never had a child survived the same sweeps
        self.assertIsNotNone(c.exists(path))

    def test_create_ttl(self):
        c = self.client()
        c.create(self.root, b"")
        path, stat = zkext.create_ttl(c, self.root + "/ttl", b"x", ttl=3600000)
        self.assertEqual(path, self.root + "/ttl")
        self.assertEqual(stat.ephemeralOwner, 0)  # the TTL is not shown to clients
        self.assertEqual(stat, c.exists(path))
        path, _ = zkext.create_ttl(c, self.root + "/s-", b"", ttl=3600000, sequential=True)
        self.assertEqual(path, self.root + "/s-0000000001")

    def test_ttl_node_expires(self):
        c = self.client()
        c.create(self.root, b"")
        path, _ = zkext.create_ttl(c, self.root + "/short", b"", ttl=200)
        wait_until(lambda: c.exists(path) is None, DEADLINE, what="TTL node reaped")

    def test_ttl_bad_arguments(self):
        c = self.client()
        c.create(self.root, b"")
        for ttl in (0, -5, 1 << 41):  # must be 1 .. 2^40-1 ms
            with self.subTest(ttl=ttl), self.assertRaises(BadArgumentsError):
                zkext.create_ttl(c, self.root + "/t", b"", ttl=ttl)
        for flags in (zkext.PERSISTENT, zkext.EPHEMERAL, zkext.CONTAINER):
            with self.subTest(flags=flags), self.assertRaises(BadArgumentsError):
                zkext.create_ttl_raw(c, self.root + "/t", flags, 1000)

    def test_get_all_children_number(self):
        c = self.client()
        c.create(self.root + "/a/b/c", b"", makepath=True)
        c.create(self.root + "/d", b"")
        self.assertEqual(zkext.get_all_children_number(c, self.root), 4)
        self.assertEqual(zkext.get_all_children_number(c, self.root + "/a/b/c"), 0)
        self.assertEqual(zkext.get_all_children_number(c, "/zookeeper"), 2)
        with self.assertRaises(NoNodeError):
            zkext.get_all_children_number(c, self.root + "/missing")

    def test_get_ephemerals(self):
        c = self.client()
        other = self.client()
        c.create(self.root, b"")
        c.create(self.root + "/e1", b"", ephemeral=True)
        c.create(self.root + "/e2-", b"", ephemeral=True, sequence=True)
        other.create(self.root + "/theirs", b"", ephemeral=True)
        mine = zkext.get_ephemerals(c, self.root)
        self.assertEqual(sorted(mine), [self.root + "/e1", self.root + "/e2-0000000001"])
        # prefix match on the path string, not on whole components
        self.assertEqual(zkext.get_ephemerals(c, self.root + "/e2"),
                         [self.root + "/e2-0000000001"])
        self.assertEqual(zkext.get_ephemerals(c, self.root + "/zzz"), [])
        self.assertEqual(zkext.get_ephemerals(other, "/"), [self.root + "/theirs"])

    def test_whoami(self):
        c = self.client()
        self.assertEqual(zkext.whoami(c), [("ip", "127.0.0.1")])
        c.add_auth("digest", "bob:pw")
        c.add_auth("digest", "bob:pw")  # the same id is kept once
        c.add_auth("digest", "alice:pw")
        self.assertEqual(sorted(zkext.whoami(c)),
                         [("digest", "alice"), ("digest", "bob"), ("ip", "127.0.0.1")])

    def test_container_flag_on_plain_create_makes_a_plain_node(self):
        # op 1 with flags=4 is accepted but makes a persistent node: only op 19 marks a
        # container. Both become "empty after use" at once; the real one is reaped first.
        c = self.client()
        c.create(self.root, b"")
        plain = zkext.call(c, Create(self.root + "/p", b"", OPEN_ACL_UNSAFE, zkext.CONTAINER))
        self.assertEqual(plain, self.root + "/p")
        box, _ = zkext.create_container(c, self.root + "/box")
        for path in (plain, box):
            c.create(path + "/x", b"")
        for path in (plain, box):
            c.delete(path + "/x")
        wait_until(lambda: c.exists(box) is None, DEADLINE, what="container reaped")
        self.assertIsNotNone(c.exists(plain))


class DataSizeTest(ServerTestCase):

    def test_largest_frame_is_accepted(self):
        c = self.client()
        path = self.root
        n = MAX_FRAME - create_frame_len(path, 0)
        c.create(path, b"x" * n)
        data, stat = c.get(path)
        self.assertEqual(len(data), n)
        self.assertEqual(stat.dataLength, n)
        m = MAX_FRAME - set_frame_len(path, 0)
        self.assertEqual(c.set(path, b"y" * m).dataLength, m)
        # the reply is larger than jute.maxbuffer: the server sends it anyway
        self.assertEqual(c.get(path)[0], b"y" * m)

    def test_oversize_frame_drops_connection_not_session(self):
        c = self.client()
        c.create(self.root, b"")
        c.create(self.root + "/eph", b"", ephemeral=True)
        session = c.client_id
        n = MAX_FRAME - create_frame_len(self.root + "/big", 0) + 1
        with self.assertRaises(ConnectionLoss):
            c.create(self.root + "/big", b"x" * n)
        wait_until(lambda: c.connected, DEADLINE, what="reconnect")
        self.assertEqual(c.client_id, session)
        self.assertIsNone(c.exists(self.root + "/big"))
        self.assertIsNotNone(c.exists(self.root + "/eph"))
        m = MAX_FRAME - set_frame_len(self.root, 0) + 1
        with self.assertRaises(ConnectionLoss):
            c.set(self.root, b"y" * m)
        wait_until(lambda: c.connected, DEADLINE, what="reconnect")
        self.assertEqual(c.get(self.root)[1].version, 0)


class ExtendedTypesDisabledTest(ServerTestCase):
    """Default config: extendedTypesEnabled is false."""

    def test_ttl_is_unimplemented(self):
        c = self.client()
        c.create(self.root, b"")
        with self.assertRaises(UnimplementedError):
            zkext.create_ttl(c, self.root + "/t", b"", ttl=1000)
        self.assertIsNone(c.exists(self.root + "/t"))

    def test_container_still_works(self):
        c = self.client()
        c.create(self.root, b"")
        path, _ = zkext.create_container(c, self.root + "/box")
        self.assertEqual(path, self.root + "/box")


if __name__ == "__main__":
    unittest.main()
