"""One-shot watches as kazoo sets them: data (getData), exists (also on a missing node),
child (getChildren/getChildren2), their events, one-shot semantics and event order.
Persistent watches (addWatch) are covered by tests/e2e/zkcli (kazoo 2.8 cannot send them)."""

import unittest

from kazoo.exceptions import NoNodeError
from kazoo.protocol.states import EventType
from kazoo.recipe.watchers import ChildrenWatch, DataWatch

from support import EventLog, ServerTestCase

CREATED, DELETED, CHANGED, CHILD = (EventType.CREATED, EventType.DELETED, EventType.CHANGED,
                                    EventType.CHILD)


class WatchTest(ServerTestCase):

    def test_data_watch_fires_on_set(self):
        c = self.client()
        c.create(self.root, b"a")
        log = EventLog()
        c.get(self.root, watch=log.watcher())
        c.set(self.root, b"b")
        self.assertEqual(log.wait_for(1), [(CHANGED, self.root)])

    def test_watches_are_one_shot(self):
        c = self.client()
        c.create(self.root, b"a")
        log = EventLog()
        c.get(self.root, watch=log.watcher())
        c.set(self.root, b"b")
        log.wait_for(1)
        c.set(self.root, b"c")
        c.delete(self.root)
        self.flush_events(c)
        self.assertEqual(log.items, [(CHANGED, self.root)])

    def test_exists_watch_on_missing_node_fires_on_create(self):
        c = self.client()
        log = EventLog()
        self.assertIsNone(c.exists(self.root, watch=log.watcher()))
        c.create(self.root, b"")
        self.assertEqual(log.wait_for(1), [(CREATED, self.root)])

    def test_exists_watch_on_existing_node(self):
        c = self.client()
        c.create(self.root, b"")
        log = EventLog()
        c.exists(self.root, watch=log.watcher())
        c.set(self.root, b"x")
        c.exists(self.root, watch=log.watcher())
        c.delete(self.root)
        self.assertEqual(log.wait_for(2), [(CHANGED, self.root), (DELETED, self.root)])

    def test_get_on_missing_node_leaves_no_watch(self):
        c = self.client()
        log = EventLog()
        with self.assertRaises(NoNodeError):
            c.get(self.root, watch=log.watcher())
        with self.assertRaises(NoNodeError):
            c.get_children(self.root, watch=log.watcher())
        c.create(self.root, b"")
        c.create(self.root + "/kid", b"")
        self.flush_events(c)
        self.assertEqual(log.items, [])

    def test_child_watch_fires_on_create_and_delete_not_on_child_data(self):
        c = self.client()
        c.create(self.root, b"")
        log = EventLog()
        c.get_children(self.root, watch=log.watcher())
        c.create(self.root + "/a", b"")
        log.wait_for(1)
        c.get_children(self.root, watch=log.watcher())
        c.set(self.root + "/a", b"data")   # not a children change
        c.set(self.root, b"parent data")  # not a children change either
        c.delete(self.root + "/a")
        self.assertEqual(log.wait_for(2), [(CHILD, self.root), (CHILD, self.root)])
        self.flush_events(c)
        self.assertEqual(len(log.items), 2)

    def test_children2_sets_child_watch(self):
        c = self.client()
        c.create(self.root, b"")
        log = EventLog()
        children, stat = c.get_children(self.root, watch=log.watcher(), include_data=True)
        self.assertEqual((children, stat.numChildren), ([], 0))
        c.create(self.root + "/a", b"")
        self.assertEqual(log.wait_for(1), [(CHILD, self.root)])

    def test_watch_on_deleted_node(self):
        c = self.client()
        c.create(self.root + "/n", b"", makepath=True)
        log = EventLog()
        c.get(self.root + "/n", watch=log.watcher("data"))
        c.get_children(self.root + "/n", watch=log.watcher("child"))
        c.get_children(self.root, watch=log.watcher("parent"))
        c.delete(self.root + "/n")
        events = log.wait_for(3)
        # the node's own NodeDeleted (one event; kazoo hands it to both its watchers) comes
        # before the parent's NodeChildrenChanged
        self.assertEqual(sorted(events[:2]), [("child", DELETED, self.root + "/n"),
                                              ("data", DELETED, self.root + "/n")])
        self.assertEqual(events[2], ("parent", CHILD, self.root))

    def test_event_order_on_create(self):
        c = self.client()
        c.create(self.root, b"")
        log = EventLog()
        c.get_children(self.root, watch=log.watcher("parent"))
        c.exists(self.root + "/n", watch=log.watcher("node"))
        c.create(self.root + "/n", b"")
        self.assertEqual(log.wait_for(2), [("node", CREATED, self.root + "/n"),
                                           ("parent", CHILD, self.root)])

    def test_every_session_gets_the_event(self):
        writer = self.client()
        writer.create(self.root, b"")
        watchers = [self.client() for _ in range(3)]
        log = EventLog()
        for i, w in enumerate(watchers):
            w.get(self.root, watch=log.watcher(i))
        writer.set(self.root, b"x")
        self.assertEqual(sorted(log.wait_for(3)), [(i, CHANGED, self.root) for i in range(3)])

    def test_events_follow_write_order(self):
        writer = self.client()
        reader = self.client()
        writer.create(self.root, b"")
        names = ["%s/n%d" % (self.root, i) for i in range(5)]
        log = EventLog()
        for name in names:
            reader.exists(name, watch=log.watcher())
        for name in names:
            writer.create(name, b"")
        self.assertEqual(log.wait_for(5), [(CREATED, n) for n in names])

    def test_several_watchers_one_client(self):
        # the server keeps one watch per (path, connection); kazoo fans it out
        c = self.client()
        c.create(self.root, b"")
        log = EventLog()
        c.get(self.root, watch=log.watcher("a"))
        c.get(self.root, watch=log.watcher("b"))
        c.exists(self.root, watch=log.watcher("c"))
        c.set(self.root, b"x")
        self.assertEqual(sorted(log.wait_for(3)), [("a", CHANGED, self.root),
                                                   ("b", CHANGED, self.root),
                                                   ("c", CHANGED, self.root)])

    def test_data_watch_recipe(self):
        c = self.client()
        c.create(self.root, b"v0")
        seen = EventLog()

        def on_change(data, stat):
            seen.add((data, stat.version if stat else None))

        DataWatch(c, self.root, on_change)
        seen.wait_for(1)
        c.set(self.root, b"v1")
        seen.wait_for(2)
        c.delete(self.root)
        self.assertEqual(seen.wait_for(3), [(b"v0", 0), (b"v1", 1), (None, None)])

    def test_children_watch_recipe(self):
        c = self.client()
        c.create(self.root, b"")
        seen = EventLog()
        ChildrenWatch(c, self.root, lambda children: seen.add(sorted(children)))
        seen.wait_for(1)
        c.create(self.root + "/a", b"")
        seen.wait_for(2)
        c.create(self.root + "/b", b"")
        seen.wait_for(3)
        c.delete(self.root + "/a")
        self.assertEqual(seen.wait_for(4), [[], ["a"], ["a", "b"], ["b"]])


if __name__ == "__main__":
    unittest.main()
