"""kazoo's recipes, which together lean on sequential ephemerals, child and exists watches,
versioned setData and multi: Lock, ReadLock/WriteLock, Election, Queue, LockingQueue,
Barrier, DoubleBarrier, Counter, Party, ShallowParty."""

import threading
import unittest

from kazoo.exceptions import NoNodeError

from support import DEADLINE, ServerTestCase, wait_until


def start_thread(target, *args):
    t = threading.Thread(target=target, args=args, daemon=True)
    t.start()
    return t


class RecipeTest(ServerTestCase):

    def join(self, thread):
        thread.join(DEADLINE)
        self.assertFalse(thread.is_alive(), "thread still blocked after the deadline")

    def test_lock_mutual_exclusion_and_handover(self):
        a, b = self.client(), self.client()
        lock_a = a.Lock(self.root, "a")
        lock_b = b.Lock(self.root, "b")
        self.assertTrue(lock_a.acquire(timeout=DEADLINE))
        self.assertFalse(lock_b.acquire(blocking=False))
        got = threading.Event()
        t = start_thread(lambda: lock_b.acquire(timeout=DEADLINE) and got.set())
        wait_until(lambda: len(lock_a.contenders()) == 2, DEADLINE, what="b queued")
        self.assertEqual(lock_a.contenders(), ["a", "b"])
        self.assertFalse(got.is_set())
        lock_a.release()
        self.join(t)
        self.assertTrue(got.is_set())
        self.assertEqual(lock_b.contenders(), ["b"])
        lock_b.release()

    def test_lock_freed_when_holder_session_closes(self):
        a, b = self.client(), self.client()
        self.assertTrue(a.Lock(self.root).acquire(timeout=DEADLINE))
        lock_b = b.Lock(self.root)
        got = threading.Event()
        t = start_thread(lambda: lock_b.acquire(timeout=DEADLINE) and got.set())
        wait_until(lambda: len(lock_b.contenders()) == 2, DEADLINE, what="b queued")
        a.stop()
        self.join(t)
        self.assertTrue(got.is_set())
        lock_b.release()

    def test_read_write_locks(self):
        a, b, c = self.client(), self.client(), self.client()
        r1, r2 = a.ReadLock(self.root), b.ReadLock(self.root)
        w = c.WriteLock(self.root)
        self.assertTrue(r1.acquire(timeout=DEADLINE))
        self.assertTrue(r2.acquire(timeout=DEADLINE))  # readers share
        self.assertFalse(w.acquire(blocking=False))
        got = threading.Event()
        t = start_thread(lambda: w.acquire(timeout=DEADLINE) and got.set())
        wait_until(lambda: len(r1.contenders()) == 3, DEADLINE, what="writer queued")
        r1.release()
        self.assertFalse(got.is_set())
        r2.release()
        self.join(t)
        self.assertTrue(got.is_set())
        w.release()

    def test_election(self):
        clients = [self.client() for _ in range(3)]
        leaders, running, overlaps = [], [], []
        lock = threading.Lock()
        release = [threading.Event() for _ in range(3)]

        def lead(i):
            with lock:
                leaders.append(i)
                running.append(i)
                if len(running) > 1:
                    overlaps.append(list(running))
            release[i].wait(DEADLINE)
            with lock:
                running.remove(i)

        elections = [c.Election(self.root, "cand%d" % i) for i, c in enumerate(clients)]
        threads = [start_thread(e.run, lead, i) for i, e in enumerate(elections)]
        wait_until(lambda: len(elections[0].contenders()) == 3 and leaders, DEADLINE,
                   what="3 candidates and a leader")
        for k in range(3):
            wait_until(lambda: len(leaders) == k + 1, DEADLINE, what="leader %d" % k)
            current = leaders[k]
            self.assertEqual(elections[current].contenders()[0], "cand%d" % current)
            release[current].set()
            self.join(threads[current])
        self.assertEqual(sorted(leaders), [0, 1, 2])
        self.assertEqual(overlaps, [])
        self.assertEqual(clients[0].get_children(self.root), [])

    def test_queue_fifo_and_priority(self):
        a, b = self.client(), self.client()
        q_put, q_get = a.Queue(self.root), b.Queue(self.root)
        for item in (b"one", b"two", b"three"):
            q_put.put(item)
        q_put.put(b"urgent", priority=10)
        q_put.put(b"later", priority=200)
        self.assertEqual(len(q_get), 5)
        got = [q_get.get() for _ in range(5)]
        self.assertEqual(got, [b"urgent", b"one", b"two", b"three", b"later"])
        self.assertIsNone(q_get.get())
        self.assertEqual(len(q_get), 0)

    def test_locking_queue(self):
        a, b = self.client(), self.client()
        q1, q2 = a.LockingQueue(self.root), b.LockingQueue(self.root)
        q1.put_all([b"x", b"y"])
        self.assertEqual(len(q1), 2)
        self.assertEqual(q1.get(timeout=DEADLINE), b"x")
        self.assertTrue(q1.holds_lock())
        # the locked item is skipped by the other consumer
        self.assertEqual(q2.get(timeout=DEADLINE), b"y")
        self.assertTrue(q1.consume())
        self.assertTrue(q2.release())  # put back
        self.assertEqual(len(q1), 1)
        self.assertEqual(q1.get(timeout=DEADLINE), b"y")
        self.assertTrue(q1.consume())
        self.assertEqual(len(q1), 0)
        # a blocked get wakes on put
        out = []
        t = start_thread(lambda: out.append(q2.get(timeout=DEADLINE)))
        q1.put(b"z")
        self.join(t)
        self.assertEqual(out, [b"z"])
        self.assertTrue(q2.consume())

    def test_barrier(self):
        a, b = self.client(), self.client()
        barrier = a.Barrier(self.root)
        barrier.create()
        waiter = b.Barrier(self.root)
        passed = []
        t = start_thread(lambda: passed.append(waiter.wait(timeout=DEADLINE)))
        wait_until(lambda: b.exists(self.root) is not None, DEADLINE)
        barrier.remove()
        self.join(t)
        self.assertEqual(passed, [True])
        self.assertTrue(waiter.wait(timeout=0.1))  # no barrier, no wait

    def test_double_barrier(self):
        clients = [self.client() for _ in range(3)]
        barriers = [c.DoubleBarrier(self.root, 3) for c in clients]
        entered = []
        lock = threading.Lock()

        def enter(i):
            barriers[i].enter()
            with lock:
                entered.append(i)

        threads = [start_thread(enter, i) for i in range(2)]
        def inside():
            try:
                return len(clients[0].get_children(self.root)) >= 2
            except NoNodeError:
                return False

        wait_until(inside, DEADLINE, what="two inside")
        self.assertEqual(entered, [])  # two of three: nobody passes yet
        threads.append(start_thread(enter, 2))
        for t in threads:
            self.join(t)
        self.assertEqual(sorted(entered), [0, 1, 2])
        leavers = [start_thread(b.leave) for b in barriers]
        for t in leavers:
            self.join(t)
        self.assertEqual(clients[0].get_children(self.root), [])

    def test_counter(self):
        a, b = self.client(), self.client()
        counter = a.Counter(self.root)
        self.assertEqual(counter.value, 0)
        counter += 5
        counter -= 2
        self.assertEqual(b.Counter(self.root).value, 3)
        fc = a.Counter(self.root + "_f", default=0.5)
        fc += 0.25
        self.assertEqual(fc.value, 0.75)

        def bump(client):
            ctr = client.Counter(self.root)
            for _ in range(25):
                ctr += 1

        threads = [start_thread(bump, c) for c in (a, b)]
        for t in threads:
            self.join(t)
        self.assertEqual(counter.value, 53)  # versioned setData never loses an update

    def test_party_and_shallow_party(self):
        for kind in ("Party", "ShallowParty"):
            with self.subTest(kind=kind):
                path = "%s_%s" % (self.root, kind)
                a, b = self.client(), self.client()
                pa = getattr(a, kind)(path, "alice")
                pb = getattr(b, kind)(path, "bob")
                pa.join()
                pb.join()
                self.assertEqual(len(pa), 2)
                self.assertEqual(sorted(pa), ["alice", "bob"])
                pb.leave()
                self.assertEqual(list(pa), ["alice"])
                pb.join()
                b.stop()  # members are ephemeral
                self.assertEqual(list(pa), ["alice"])
                pa.leave()
                self.assertEqual(len(pa), 0)


if __name__ == "__main__":
    unittest.main()
