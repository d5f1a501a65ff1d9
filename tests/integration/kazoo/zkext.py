"""Requests kazoo 2.8 cannot send by itself, sent through its own connection.

kazoo 2.8 has no createContainer (19), createTTL (21), getEphemerals (103),
getAllChildrenNumber (104) or whoAmI (107). Its connection sends any object with `type`,
`serialize()` and `deserialize(bytes, offset)` and maps a non-zero reply err to the usual
exception classes, so these records are all it takes (zookeeper.jute for the layouts).
Only error codes kazoo knows may come back (it raises RuntimeError on others), so nothing
here asks for removeWatches/checkWatches (NoWatcher -121 is unknown to kazoo).
"""

from collections import namedtuple

from kazoo.protocol.serialization import (int_struct, long_struct, read_string, stat_struct,
                                          write_buffer, write_string)
from kazoo.protocol.states import ZnodeStat
from kazoo.security import OPEN_ACL_UNSAFE

# CreateMode flags (ZooDefs / CreateMode.java).
PERSISTENT = 0
EPHEMERAL = 1
PERSISTENT_SEQUENTIAL = 2
CONTAINER = 4
PERSISTENT_WITH_TTL = 5
PERSISTENT_SEQUENTIAL_WITH_TTL = 6


def _write_acls(b, acls):
    b.extend(int_struct.pack(len(acls)))
    for acl in acls:
        b.extend(int_struct.pack(acl.perms) + write_string(acl.id.scheme) +
                 write_string(acl.id.id))


def _read_path_stat(data, offset):
    path, offset = read_string(data, offset)
    return path, ZnodeStat._make(stat_struct.unpack_from(data, offset))


class CreateContainer(namedtuple("CreateContainer", "path data acl flags")):
    """op 19: CreateRequest, answered with Create2Response {path, stat}."""
    type = 19

    def serialize(self):
        b = bytearray(write_string(self.path) + write_buffer(self.data))
        _write_acls(b, self.acl)
        b.extend(int_struct.pack(self.flags))
        return b

    @classmethod
    def deserialize(cls, data, offset):
        return _read_path_stat(data, offset)


class CreateTTL(namedtuple("CreateTTL", "path data acl flags ttl")):
    """op 21: CreateTTLRequest {path, data, acl, flags, long ttl} -> Create2Response."""
    type = 21

    def serialize(self):
        b = bytearray(write_string(self.path) + write_buffer(self.data))
        _write_acls(b, self.acl)
        b.extend(int_struct.pack(self.flags))
        b.extend(long_struct.pack(self.ttl))
        return b

    @classmethod
    def deserialize(cls, data, offset):
        return _read_path_stat(data, offset)


class GetEphemerals(namedtuple("GetEphemerals", "prefix")):
    """op 103: GetEphemeralsRequest {prefixPath} -> {vector<ustring> ephemerals}."""
    type = 103

    def serialize(self):
        return write_string(self.prefix)

    @classmethod
    def deserialize(cls, data, offset):
        count = int_struct.unpack_from(data, offset)[0]
        offset += int_struct.size
        out = []
        for _ in range(max(count, 0)):
            p, offset = read_string(data, offset)
            out.append(p)
        return out


class GetAllChildrenNumber(namedtuple("GetAllChildrenNumber", "path")):
    """op 104: {path} -> {int totalNumber}."""
    type = 104

    def serialize(self):
        return write_string(self.path)

    @classmethod
    def deserialize(cls, data, offset):
        return int_struct.unpack_from(data, offset)[0]


class WhoAmI:
    """op 107: no body -> {vector<ClientInfo{authScheme, user}>}. A plain class: kazoo skips
    the result of a request object that is falsy, as an empty namedtuple would be."""
    type = 107

    def serialize(self):
        return b""

    @classmethod
    def deserialize(cls, data, offset):
        count = int_struct.unpack_from(data, offset)[0]
        offset += int_struct.size
        out = []
        for _ in range(max(count, 0)):
            scheme, offset = read_string(data, offset)
            user, offset = read_string(data, offset)
            out.append((scheme, user))
        return out


def call(client, request, timeout=10):
    """Sends request on client's connection and waits for its result (raises kazoo's
    exception for a non-zero err)."""
    result = client.handler.async_result()
    client._call(request, result)  # kazoo internal, stable across 2.x
    return result.get(timeout=timeout)


def create_container(client, path, value=b"", acl=None):
    return call(client, CreateContainer(path, value, acl or OPEN_ACL_UNSAFE, CONTAINER))


def create_ttl(client, path, value=b"", ttl=60000, sequential=False, acl=None):
    flags = PERSISTENT_SEQUENTIAL_WITH_TTL if sequential else PERSISTENT_WITH_TTL
    return call(client, CreateTTL(path, value, acl or OPEN_ACL_UNSAFE, flags, ttl))


def create_ttl_raw(client, path, flags, ttl, value=b""):
    return call(client, CreateTTL(path, value, OPEN_ACL_UNSAFE, flags, ttl))


def get_ephemerals(client, prefix="/"):
    return call(client, GetEphemerals(prefix))


def get_all_children_number(client, path):
    return call(client, GetAllChildrenNumber(path))


def whoami(client):
    return call(client, WhoAmI())

