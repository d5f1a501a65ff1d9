// ZooKeeper ACL semantics: identities of a connection, permission checks, and the ACL
// normalisation ZooKeeper applies to create/setACL (PrepRequestProcessor.fixupACL).
// Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/records.h"

namespace zk::state {

// The identities a connection holds. The server fills it: always {"ip", "<client ip>"} (as
// Java prints it: "127.0.0.1"), plus one {"digest", DigestId("user:password")} per successful
// `addauth digest`. ZooKeeper also adds {"super", ""} when the digest equals the configured
// superDigest; we never store that id: CheckAcl recognises the super digest itself.
struct AuthContext {
  std::vector<proto::Id> ids;
};

// "user:password" -> "user:" + base64(sha1("user:password")) (DigestAuthenticationProvider).
// The user is the text before the first ':' (all of it when there is none).
// Example: DigestId("super:test") == "super:D/InIHSb7yEEbrWz8b9l71RjZJU=".
std::string DigestId(std::string_view user_password);

// True if `auth` may use `perm` (one of proto::kPerm*, or an OR of them: any bit suffices, as in
// ZooKeeperServer.checkACL) on a node whose ACL is `acl`. An empty ACL allows everything. A
// digest id equal to `super_digest` ("super:D/In..." form; "" = no super user) passes
// everything. Schemes: world:anyone, digest (exact id match), ip (IPv4 with optional /bits,
// IPAuthenticationProvider matching; IPv6 never matches). Other schemes never match.
bool CheckAcl(const std::vector<proto::Acl>& acl, int32_t perm, const AuthContext& auth,
              const std::string& super_digest);

// PrepRequestProcessor.fixupACL: removes exact duplicates (first occurrence kept), then checks
// and expands each entry in order:
//   world:anyone kept; any other world id -> kInvalidAcl;
//   auth:*       replaced by one entry per authenticated (digest) id of the caller, with the
//                entry's perms; kInvalidAcl if the caller has none;
//   digest:ID    ID must split on ':' into exactly two parts (Java String.split semantics);
//   ip:ADDR[/N]  ADDR a dotted IPv4 address, 0 <= N <= 32;
//   anything else (including "super") -> kInvalidAcl.
// An empty list is kInvalidAcl. Duplicates produced by expansion are kept, as in ZooKeeper.
// On success writes the result to *out and returns kOk; on failure *out is unspecified.
proto::ErrorCode FixupAcl(const std::vector<proto::Acl>& in, const AuthContext& auth,
                          std::vector<proto::Acl>* out);

// The ACL getACL shows a caller without ADMIN permission: digest ids masked to "user:x"
// (FinalRequestProcessor, getACL).
std::vector<proto::Acl> MaskDigests(const std::vector<proto::Acl>& acl);

// True if `id` is a valid "ip" ACL id (IPAuthenticationProvider.isValid).
bool IsValidIpAclId(std::string_view id);
// True if client address `client_ip` falls in ACL expression `acl_expr` ("a.b.c.d[/bits]").
bool IpMatches(std::string_view client_ip, std::string_view acl_expr);

}  // namespace zk::state
