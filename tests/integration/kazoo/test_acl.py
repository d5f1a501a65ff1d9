"""ACLs: digest and the auth scheme, NoAuth on every checked op, InvalidACL cases, the super
user (set the way ZooKeeper 3.8 sets it: zoo.cfg key DigestAuthenticationProvider.superDigest
becomes the system property zookeeper.DigestAuthenticationProvider.superDigest), ip ACLs,
redacted digests in getACL, and the ACLs of the system nodes."""

import unittest

from kazoo.exceptions import (AuthFailedError, BadVersionError, ConnectionClosedError,
                              InvalidACLError, NoAuthError, RuntimeInconsistency)
from kazoo.protocol.serialization import Create
from kazoo.security import (ACL, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, Id, Permissions,
                            make_acl, make_digest_acl, make_digest_acl_credential)

import zkext
from support import ServerTestCase, wait_until

SUPER = "super:test"  # digest super:D/InIHSb7yEEbrWz8b9l71RjZJU= (protocol.md)


class AclTest(ServerTestCase):
    EXTRA = ("DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=",)

    def owner(self):
        c = self.client()
        c.add_auth("digest", "owner:secret")
        return c

    def test_digest_id_format(self):
        # user:base64(sha1("user:password"))
        self.assertEqual(make_digest_acl_credential("super", "test"),
                         "super:D/InIHSb7yEEbrWz8b9l71RjZJU=")
        owner = self.owner()
        owner.create(self.root, b"", acl=[make_digest_acl("owner", "secret", all=True)])
        acls, stat = owner.get_acls(self.root)
        self.assertEqual(acls, [ACL(Permissions.ALL, Id("digest",
                                    make_digest_acl_credential("owner", "secret")))])
        self.assertEqual(stat.aversion, 0)

    def test_noauth_on_every_checked_op(self):
        owner = self.owner()
        owner.create(self.root, b"secret",
                     acl=[make_digest_acl("owner", "secret", all=True)])
        owner.create(self.root + "/kid", b"", acl=OPEN_ACL_UNSAFE)
        stranger = self.client()
        checks = {
            "getData": lambda: stranger.get(self.root),
            "setData": lambda: stranger.set(self.root, b"x"),
            "getChildren": lambda: stranger.get_children(self.root),
            "getChildren2": lambda: stranger.get_children(self.root, include_data=True),
            "create child": lambda: stranger.create(self.root + "/new", b""),
            "delete child": lambda: stranger.delete(self.root + "/kid"),
            "getACL": lambda: stranger.get_acls(self.root),
            "setACL": lambda: stranger.set_acls(self.root, OPEN_ACL_UNSAFE),
        }
        for name, call in checks.items():
            with self.subTest(op=name), self.assertRaises(NoAuthError):
                call()
        # exists needs no permission; the node itself is deletable through its parent's ACL
        self.assertEqual(stranger.exists(self.root).dataLength, 6)
        # multi: check needs READ too; the transaction fails on it
        t = stranger.transaction()
        t.check(self.root, 0)
        t.set_data(self.root, b"x")
        results = t.commit()
        self.assertIsInstance(results[0], NoAuthError)
        self.assertIsInstance(results[1], RuntimeInconsistency)
        # the owner may do all of it
        self.assertEqual(owner.get(self.root)[0], b"secret")
        owner.set(self.root, b"changed")
        owner.delete(self.root + "/kid")

    def test_delete_checks_parent_not_node(self):
        owner = self.owner()
        owner.create(self.root, b"")  # world:anyone ALL
        owner.create(self.root + "/locked", b"",
                     acl=[make_digest_acl("owner", "secret", all=True)])
        stranger = self.client()
        stranger.delete(self.root + "/locked")
        self.assertIsNone(owner.exists(self.root + "/locked"))

    def test_single_permissions(self):
        owner = self.owner()
        stranger = self.client()
        # world READ only
        owner.create(self.root, b"r", acl=[make_acl("world", "anyone", read=True),
                                           make_digest_acl("owner", "secret", all=True)])
        self.assertEqual(stranger.get(self.root)[0], b"r")
        self.assertEqual(stranger.get_children(self.root), [])
        with self.assertRaises(NoAuthError):
            stranger.set(self.root, b"x")
        with self.assertRaises(NoAuthError):
            stranger.create(self.root + "/c", b"")
        # world CREATE only: may create, may not delete
        owner.create(self.root + "/c_only", b"", acl=[
            make_acl("world", "anyone", create=True),
            make_digest_acl("owner", "secret", all=True)])
        stranger.create(self.root + "/c_only/kid", b"")
        with self.assertRaises(NoAuthError):
            stranger.delete(self.root + "/c_only/kid")
        with self.assertRaises(NoAuthError):
            stranger.get(self.root + "/c_only")
        # world ADMIN only: getACL and setACL work, data does not
        owner.create(self.root + "/a_only", b"", acl=[make_acl("world", "anyone", admin=True)])
        self.assertEqual(stranger.get_acls(self.root + "/a_only")[0][0].perms, Permissions.ADMIN)
        with self.assertRaises(NoAuthError):
            stranger.get(self.root + "/a_only")
        stranger.set_acls(self.root + "/a_only", OPEN_ACL_UNSAFE)
        self.assertEqual(stranger.get(self.root + "/a_only")[0], b"")

    def test_no_permissions_at_all(self):
        owner = self.owner()
        owner.create(self.root, b"")
        owner.create(self.root + "/none", b"", acl=[make_digest_acl("owner", "secret")])
        for call in (lambda: owner.get(self.root + "/none"),
                     lambda: owner.get_acls(self.root + "/none"),
                     lambda: owner.set_acls(self.root + "/none", OPEN_ACL_UNSAFE)):
            with self.assertRaises(NoAuthError):
                call()
        owner.delete(self.root + "/none")

    def test_auth_scheme_uses_caller_identities(self):
        owner = self.owner()
        owner.add_auth("digest", "second:pw")
        owner.create(self.root, b"", acl=[make_acl("auth", "", all=True)])
        acls, _ = owner.get_acls(self.root)
        self.assertEqual(sorted(a.id.id for a in acls),
                         sorted([make_digest_acl_credential("owner", "secret"),
                                 make_digest_acl_credential("second", "pw")]))
        self.assertTrue(all(a.id.scheme == "digest" and a.perms == Permissions.ALL
                            for a in acls))
        # the ip identity every session has does not count for the auth scheme
        self.assertNotIn("ip", [a.id.scheme for a in acls])
        other = self.client()
        other.add_auth("digest", "second:pw")
        self.assertEqual(other.get(self.root)[0], b"")

    def test_auth_scheme_without_auth_is_invalid(self):
        c = self.client()
        with self.assertRaises(InvalidACLError):
            c.create(self.root, b"", acl=[make_acl("auth", "", all=True)])

    def test_invalid_acls(self):
        c = self.client()
        c.create(self.root, b"")
        bad = {
            "unknown scheme": [make_acl("nosuchscheme", "x", all=True)],
            "world with another id": [make_acl("world", "someone", all=True)],
            "digest without colon": [make_acl("digest", "nocolon", all=True)],
            "bad ip": [make_acl("ip", "not.an.ip", all=True)],
        }
        for name, acl in bad.items():
            with self.subTest(acl=name):
                with self.assertRaises(InvalidACLError):
                    c.create(self.root + "/n", b"", acl=acl)
                with self.assertRaises(InvalidACLError):
                    c.set_acls(self.root, acl)
        # an empty list (kazoo replaces [] by its default ACL, so send it raw)
        with self.assertRaises(InvalidACLError):
            zkext.call(c, Create(self.root + "/n", b"", [], 0))
        with self.assertRaises(InvalidACLError):
            c.set_acls(self.root, [])
        self.assertIsNone(c.exists(self.root + "/n"))
        self.assertEqual(c.exists(self.root).aversion, 0)

    def test_duplicate_acl_entries_collapse(self):
        c = self.client()
        world = make_acl("world", "anyone", all=True)
        c.create(self.root, b"", acl=[world, world])
        self.assertEqual(c.get_acls(self.root)[0], [world])

    def test_set_acl_version(self):
        c = self.client()
        c.create(self.root, b"")
        with self.assertRaises(BadVersionError):
            c.set_acls(self.root, READ_ACL_UNSAFE, version=1)
        st = c.set_acls(self.root, READ_ACL_UNSAFE, version=0)
        self.assertEqual(st.aversion, 1)
        with self.assertRaises(NoAuthError):
            c.set(self.root, b"x")  # only READ left
        with self.assertRaises(NoAuthError):
            c.set_acls(self.root, OPEN_ACL_UNSAFE)  # and no ADMIN either

    def test_get_acl_redacts_digest_without_admin(self):
        owner = self.owner()
        owner.create(self.root, b"", acl=[make_digest_acl("owner", "secret", read=True),
                                          make_digest_acl("reader", "pw", read=True)])
        acls, _ = owner.get_acls(self.root)
        # READ but not ADMIN: digests are shown as user:x
        self.assertEqual(sorted(a.id.id for a in acls), ["owner:x", "reader:x"])
        owner.create(self.root + "_adm", b"",
                     acl=[make_digest_acl("owner", "secret", read=True, admin=True)])
        acls, _ = owner.get_acls(self.root + "_adm")
        self.assertEqual(acls[0].id.id, make_digest_acl_credential("owner", "secret"))

    def test_super_user_bypasses_acls(self):
        owner = self.owner()
        owner.create(self.root, b"top", acl=[make_digest_acl("owner", "secret")])  # no perms
        su = self.client()
        with self.assertRaises(NoAuthError):
            su.get(self.root)
        su.add_auth("digest", SUPER)
        self.assertEqual(su.get(self.root)[0], b"top")
        su.set(self.root, b"by super")
        su.create(self.root + "/kid", b"")
        acls, _ = su.get_acls(self.root)  # super sees the real digest
        self.assertEqual(acls[0].id.id, make_digest_acl_credential("owner", "secret"))
        su.set_acls(self.root, OPEN_ACL_UNSAFE)
        self.assertEqual(self.client().get(self.root)[0], b"by super")
        self.assertIn(("digest", "super"), zkext.whoami(su))

    def test_wrong_super_password_is_just_another_user(self):
        owner = self.owner()
        owner.create(self.root, b"", acl=[make_digest_acl("owner", "secret", all=True)])
        c = self.client()
        c.add_auth("digest", "super:wrong")
        with self.assertRaises(NoAuthError):
            c.get(self.root)

    def test_ip_acl(self):
        c = self.client()
        c.create(self.root, b"ip", acl=[make_acl("ip", "127.0.0.1", all=True)])
        self.assertEqual(self.client().get(self.root)[0], b"ip")
        c.create(self.root + "/net", b"", acl=[make_acl("ip", "127.0.0.0/8", read=True)])
        self.assertEqual(c.get(self.root + "/net")[0], b"")
        c.create(self.root + "/far", b"", acl=[make_acl("ip", "10.1.2.3", all=True)])
        with self.assertRaises(NoAuthError):
            c.get(self.root + "/far")

    def test_system_node_acls(self):
        c = self.client()
        world_all = [make_acl("world", "anyone", all=True)]
        self.assertEqual(c.get_acls("/")[0], world_all)
        self.assertEqual(c.get_acls("/zookeeper")[0], world_all)
        self.assertEqual(c.get_acls("/zookeeper/quota")[0], world_all)
        acls, stat = c.get_acls("/zookeeper/config")
        self.assertEqual(acls, [make_acl("world", "anyone", read=True)])
        self.assertEqual(stat.aversion, -1)
        with self.assertRaises(NoAuthError):
            c.set("/zookeeper/config", b"x")
        with self.assertRaises(NoAuthError):
            c.create("/zookeeper/config/x", b"")

    def test_unknown_auth_scheme_fails_and_closes(self):
        states = []
        c = self.client()
        c.add_listener(states.append)
        with self.assertRaises(AuthFailedError):
            c.add_auth("nosuchscheme", "whatever")
        wait_until(lambda: not c.connected, 10, what="client closed after AuthFailed")
        with self.assertRaises((ConnectionClosedError, AuthFailedError)):
            c.get("/")


if __name__ == "__main__":
    unittest.main()
