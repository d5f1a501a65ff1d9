"""Final snapshots: after the faults healed, each server's own view of every znode under the
workload's root (read through a client attached to that server alone, after a sync), written
into the history with a digest of the whole listing."""
import hashlib

from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError

from .history import session_label
from .workloads import ROOT, OP_TIMEOUT


def read_tree(client, root=ROOT):
    """{path: (data, stat)} of root and everything below it (pipelined reads per level)."""
    out, level = {}, [root]
    while level:
        gets = [(p, client.get_async(p), client.get_children_async(p)) for p in level]
        level = []
        for p, g, ch in gets:
            try:
                data, stat = g.get(timeout=OP_TIMEOUT)
                children = ch.get(timeout=OP_TIMEOUT)
            except NoNodeError:
                continue  # absent on this server (all of it, when the root is)
            out[p] = (data, stat)
            level += [p.rstrip("/") + "/" + c for c in children]
    return out


def snapshot(server, attempts=5):
    """(nodes, digest) in zkcheck's "final" form for one server.Server."""
    last = None
    for _ in range(attempts):
        c = KazooClient(hosts=server.hosts, timeout=10.0,
                        connection_retry=dict(max_tries=-1, delay=0.1, max_delay=1.0))
        try:
            c.start(timeout=30)
            c.sync_async(ROOT).get(timeout=OP_TIMEOUT)
            tree = read_tree(c)
            break
        except Exception as e:  # noqa: BLE001 - a connection hiccup: read it again
            last = e
        finally:
            try:
                c.stop()
                c.close()
            except Exception:  # noqa: BLE001
                pass
    else:
        raise RuntimeError("server.%d: no snapshot after %d attempts: %r"
                           % (server.sid, attempts, last))
    nodes, sha = {}, hashlib.sha1()
    for path in sorted(tree):
        data, stat = tree[path]
        value = data.decode("utf-8", "replace")
        owner = session_label(stat.ephemeralOwner) if stat.ephemeralOwner else "0x0"
        nodes[path] = {"value": value, "version": stat.version, "mzxid": stat.mzxid,
                       "ephemeral_owner": owner}
        sha.update(("%s\0%s\0%d\0%d\0%s\n" % (path, value, stat.version, stat.mzxid, owner))
                   .encode())
    return nodes, "sha1:" + sha.hexdigest()
