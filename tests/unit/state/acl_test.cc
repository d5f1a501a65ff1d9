#include "state/acl.h"

#include <gtest/gtest.h>

namespace zk::state {
namespace {

using proto::Acl;
using proto::ErrorCode;
using proto::Id;

constexpr char kSuper[] = "super:D/InIHSb7yEEbrWz8b9l71RjZJU=";

AuthContext Ip(const std::string& ip) { return AuthContext{{{"ip", ip}}}; }

TEST(DigestId, MatchesZooKeeper) {
  EXPECT_EQ(DigestId("super:test"), kSuper);
  // kazoo against ZooKeeper 3.8: addauth digest alice:pw stores this id.
  EXPECT_EQ(DigestId("alice:pw"), "alice:V55/p2T0OpjQ+low3NVAH4aLvm0=");
  // No ':' - the whole text is the user.
  EXPECT_EQ(DigestId("bob").substr(0, 4), "bob:");
}

TEST(CheckAcl, WorldAnyoneAndPermBits) {
  const std::vector<Acl> read_only = {{proto::kPermRead, {"world", "anyone"}}};
  EXPECT_TRUE(CheckAcl(read_only, proto::kPermRead, Ip("1.2.3.4"), ""));
  EXPECT_FALSE(CheckAcl(read_only, proto::kPermWrite, Ip("1.2.3.4"), ""));
  // Any requested bit suffices (getACL asks READ|ADMIN).
  EXPECT_TRUE(CheckAcl(read_only, proto::kPermRead | proto::kPermAdmin, Ip("1.2.3.4"), ""));
  EXPECT_TRUE(CheckAcl({}, proto::kPermAdmin, Ip("1.2.3.4"), ""));  // empty ACL: open
  const std::vector<Acl> world_other = {{proto::kPermAll, {"world", "bob"}}};
  EXPECT_FALSE(CheckAcl(world_other, proto::kPermRead, Ip("1.2.3.4"), ""));
}

TEST(CheckAcl, DigestAndSuper) {
  const std::vector<Acl> alice = {{proto::kPermAll, {"digest", DigestId("alice:pw")}}};
  AuthContext anon = Ip("127.0.0.1");
  AuthContext authed = anon;
  authed.ids.push_back({"digest", DigestId("alice:pw")});
  AuthContext wrong = anon;
  wrong.ids.push_back({"digest", DigestId("alice:nope")});
  EXPECT_FALSE(CheckAcl(alice, proto::kPermRead, anon, ""));
  EXPECT_TRUE(CheckAcl(alice, proto::kPermRead, authed, ""));
  EXPECT_FALSE(CheckAcl(alice, proto::kPermRead, wrong, ""));

  AuthContext super = anon;
  super.ids.push_back({"digest", DigestId("super:test")});
  EXPECT_TRUE(CheckAcl(alice, proto::kPermAdmin, super, kSuper));
  EXPECT_FALSE(CheckAcl(alice, proto::kPermAdmin, super, ""));  // no super configured
  const std::vector<Acl> nobody = {{0, {"world", "anyone"}}};
  EXPECT_TRUE(CheckAcl(nobody, proto::kPermRead, super, kSuper));
}

TEST(CheckAcl, IpCidr) {
  auto acl = [](const std::string& expr) {
    return std::vector<Acl>{{proto::kPermAll, {"ip", expr}}};
  };
  EXPECT_TRUE(CheckAcl(acl("127.0.0.1"), proto::kPermRead, Ip("127.0.0.1"), ""));
  EXPECT_FALSE(CheckAcl(acl("127.0.0.1"), proto::kPermRead, Ip("127.0.0.2"), ""));
  EXPECT_TRUE(CheckAcl(acl("127.0.0.0/8"), proto::kPermRead, Ip("127.9.8.7"), ""));
  EXPECT_FALSE(CheckAcl(acl("10.0.0.0/8"), proto::kPermRead, Ip("127.0.0.1"), ""));
  EXPECT_TRUE(CheckAcl(acl("192.168.1.0/23"), proto::kPermRead, Ip("192.168.0.77"), ""));
  EXPECT_FALSE(CheckAcl(acl("192.168.1.0/24"), proto::kPermRead, Ip("192.168.0.77"), ""));
  EXPECT_TRUE(CheckAcl(acl("10.1.2.3/0"), proto::kPermRead, Ip("200.1.1.1"), ""));
  EXPECT_TRUE(CheckAcl(acl("10.1.2.3/29"), proto::kPermRead, Ip("10.1.2.6"), ""));
  EXPECT_FALSE(CheckAcl(acl("10.1.2.3/29"), proto::kPermRead, Ip("10.1.2.9"), ""));
  EXPECT_FALSE(CheckAcl(acl("10.1.2.3/33"), proto::kPermRead, Ip("10.1.2.3"), ""));
  // IPv6 clients never match (ZooKeeper only parses IPv4).
  EXPECT_FALSE(CheckAcl(acl("0.0.0.0/0"), proto::kPermRead, Ip("0:0:0:0:0:0:0:1"), ""));
  // The scheme must match: an ip ACL is not satisfied by a digest id.
  AuthContext digest_only{{{"digest", "127.0.0.1"}}};
  EXPECT_FALSE(CheckAcl(acl("127.0.0.1"), proto::kPermRead, digest_only, ""));
}

TEST(IpAclId, JavaParseIntRules) {
  EXPECT_TRUE(IsValidIpAclId("10.0.0.1"));
  EXPECT_TRUE(IsValidIpAclId("10.0.0.0/8"));
  EXPECT_TRUE(IsValidIpAclId("+10.-0.0.1"));  // accepted by ZooKeeper 3.8 (Integer.parseInt)
  EXPECT_TRUE(IsValidIpAclId("010.0.0.1/032"));
  for (const char* bad :
       {"", "10.0.0", "10.0.0.1.2", "10.0.0.256", "10.0.0.-1", "10..0.1", "10.0.0.1/",
        "10.0.0.1/33", "10.0.0.1/-1", "10.0.0.1/8/9", "::1", "a.b.c.d", "10.0.0.1 "}) {
    EXPECT_FALSE(IsValidIpAclId(bad)) << bad;
  }
}

TEST(FixupAcl, RejectsEmptyUnknownAndMalformed) {
  AuthContext anon = Ip("127.0.0.1");
  std::vector<Acl> out;
  EXPECT_EQ(FixupAcl({}, anon, &out), ErrorCode::kInvalidAcl);
  for (const Id& id : std::vector<Id>{{"world", "bob"},
                                      {"super", ""},
                                      {"sasl", "x"},
                                      {"digest", "alice"},
                                      {"digest", "alice:"},
                                      {"digest", "a:b:c"},
                                      {"ip", "10.0.0.0/33"},
                                      {"ip", "::1"},
                                      {"auth", ""}}) {
    EXPECT_EQ(FixupAcl({{proto::kPermAll, id}}, anon, &out), ErrorCode::kInvalidAcl)
        << id.scheme << ":" << id.id;
  }
  // Java split(":") drops trailing empty strings: these are valid digest ids in 3.8.
  for (const char* ok : {"alice:x:", ":x", "a:b"}) {
    EXPECT_EQ(FixupAcl({{proto::kPermAll, {"digest", ok}}}, anon, &out), ErrorCode::kOk) << ok;
  }
}

TEST(FixupAcl, RemovesDuplicatesBeforeExpandingAuth) {
  AuthContext alice = Ip("127.0.0.1");
  alice.ids.push_back({"digest", DigestId("alice:pw")});
  std::vector<Acl> out;
  ASSERT_EQ(
      FixupAcl({{31, {"world", "anyone"}}, {31, {"world", "anyone"}}, {1, {"world", "anyone"}}},
               alice, &out),
      ErrorCode::kOk);
  EXPECT_EQ(out, (std::vector<Acl>{{31, {"world", "anyone"}}, {1, {"world", "anyone"}}}));
  // Two different auth entries expand to the same id twice; ZooKeeper keeps both.
  ASSERT_EQ(FixupAcl({{31, {"auth", ""}}, {31, {"auth", "x"}}}, alice, &out), ErrorCode::kOk);
  const Acl expanded{31, {"digest", DigestId("alice:pw")}};
  EXPECT_EQ(out, (std::vector<Acl>{expanded, expanded}));
}

TEST(FixupAcl, AuthUsesOnlyDigestIds) {
  AuthContext both = Ip("127.0.0.1");
  both.ids.push_back({"digest", "a:1"});
  both.ids.push_back({"digest", "b:2"});
  std::vector<Acl> out;
  ASSERT_EQ(FixupAcl({{proto::kPermRead, {"auth", "ignored"}}}, both, &out), ErrorCode::kOk);
  EXPECT_EQ(out, (std::vector<Acl>{{proto::kPermRead, {"digest", "a:1"}},
                                   {proto::kPermRead, {"digest", "b:2"}}}));
}

TEST(MaskDigests, HidesHashes) {
  const std::vector<Acl> acl = {{1, {"digest", "alice:xyz"}}, {1, {"world", "anyone"}}};
  EXPECT_EQ(MaskDigests(acl),
            (std::vector<Acl>{{1, {"digest", "alice:x"}}, {1, {"world", "anyone"}}}));
}

}  // namespace
}  // namespace zk::state
