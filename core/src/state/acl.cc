#include "state/acl.h"

#include <Poco/Base64Encoder.h>
#include <Poco/SHA1Engine.h>

#include <algorithm>
#include <array>
#include <optional>
#include <sstream>
#include "state/java_number.h"

namespace zk::state {
namespace {

constexpr std::string_view kWorld = "world";
constexpr std::string_view kAnyone = "anyone";
constexpr std::string_view kDigest = "digest";
constexpr std::string_view kIp = "ip";
constexpr std::string_view kAuth = "auth";

// IPAuthenticationProvider.v4addr2Bytes: exactly four parseInt-able parts in [0, 255].
std::optional<std::array<uint8_t, 4>> ParseV4(std::string_view addr) {
  std::array<uint8_t, 4> out{};
  size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    const size_t dot = addr.find('.', start);
    if ((part < 3) == (dot == std::string_view::npos)) return std::nullopt;
    const std::string_view text =
        addr.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const auto v = ParseJavaInt(text);
    if (!v || *v < 0 || *v > 255) return std::nullopt;
    out[part] = static_cast<uint8_t>(*v);
    start = dot + 1;
  }
  return out;
}

void Mask(std::array<uint8_t, 4>* b, int bits) {
  for (int i = 0; i < 4; ++i) {
    const int keep = std::clamp(bits - 8 * i, 0, 8);
    (*b)[i] &= static_cast<uint8_t>(0xFF00 >> keep);
  }
}

// Splits "a.b.c.d[/bits]" (split("/", 2)); returns the prefix length or nullopt if invalid.
std::optional<std::pair<std::array<uint8_t, 4>, int>> ParseIpExpr(std::string_view expr) {
  const size_t slash = expr.find('/');
  const auto addr = ParseV4(expr.substr(0, slash));
  if (!addr) return std::nullopt;
  int bits = 32;
  if (slash != std::string_view::npos) {
    const auto b = ParseJavaInt(expr.substr(slash + 1));
    if (!b || *b < 0 || *b > 32) return std::nullopt;
    bits = static_cast<int>(*b);
  }
  return std::make_pair(*addr, bits);
}

// DigestAuthenticationProvider.isValid: id.split(":").length == 2, where Java drops trailing
// empty strings ("a:b:" is valid, "a:" is not).
bool IsValidDigestAclId(std::string_view id) {
  size_t end = id.size();
  while (end > 0 && id[end - 1] == ':') --end;
  const std::string_view trimmed = id.substr(0, end);
  return std::count(trimmed.begin(), trimmed.end(), ':') == 1;
}

}  // namespace

std::string DigestId(std::string_view user_password) {
  Poco::SHA1Engine sha1;
  sha1.update(user_password.data(), static_cast<unsigned>(user_password.size()));
  const Poco::DigestEngine::Digest& digest = sha1.digest();
  std::ostringstream b64;
  {
    Poco::Base64Encoder encoder(b64);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(digest.data()),
                  static_cast<std::streamsize>(digest.size()));
    encoder.close();
  }
  const std::string_view user = user_password.substr(0, user_password.find(':'));
  std::string out(user);
  out += ':';
  out += b64.str();
  return out;
}

bool IsValidIpAclId(std::string_view id) { return ParseIpExpr(id).has_value(); }

bool IpMatches(std::string_view client_ip, std::string_view acl_expr) {
  auto expr = ParseIpExpr(acl_expr);
  if (!expr) return false;
  auto remote = ParseV4(client_ip);
  if (!remote) return false;
  auto& [acl_addr, bits] = *expr;
  Mask(&acl_addr, bits);
  Mask(&*remote, bits);
  return acl_addr == *remote;
}

bool CheckAcl(const std::vector<proto::Acl>& acl, int32_t perm, const AuthContext& auth,
              const std::string& super_digest) {
  if (acl.empty()) return true;
  if (!super_digest.empty()) {
    for (const proto::Id& id : auth.ids) {
      if (id.scheme == kDigest && id.id == super_digest) return true;
    }
  }
  for (const proto::Acl& a : acl) {
    if ((a.perms & perm) == 0) continue;
    if (a.id.scheme == kWorld && a.id.id == kAnyone) return true;
    const bool digest = a.id.scheme == kDigest;
    const bool ip = a.id.scheme == kIp;
    if (!digest && !ip) continue;  // no provider for the scheme: never matches
    for (const proto::Id& id : auth.ids) {
      if (id.scheme != a.id.scheme) continue;
      if (digest ? id.id == a.id.id : IpMatches(id.id, a.id.id)) return true;
    }
  }
  return false;
}

proto::ErrorCode FixupAcl(const std::vector<proto::Acl>& in, const AuthContext& auth,
                          std::vector<proto::Acl>* out) {
  std::vector<proto::Acl> unique;
  unique.reserve(in.size());
  for (const proto::Acl& a : in) {
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
  }
  if (unique.empty()) return proto::ErrorCode::kInvalidAcl;
  out->clear();
  for (const proto::Acl& a : unique) {
    const std::string& scheme = a.id.scheme;
    if (scheme == kWorld && a.id.id == kAnyone) {
      out->push_back(a);
    } else if (scheme == kAuth) {
      bool any = false;
      for (const proto::Id& id : auth.ids) {
        // Only digest ids are "authenticated" (IPAuthenticationProvider.isAuthenticated is
        // false; other schemes have no provider here).
        if (id.scheme != kDigest) continue;
        out->push_back(proto::Acl{a.perms, id});
        any = true;
      }
      if (!any) return proto::ErrorCode::kInvalidAcl;
    } else if (scheme == kDigest) {
      if (!IsValidDigestAclId(a.id.id)) return proto::ErrorCode::kInvalidAcl;
      out->push_back(a);
    } else if (scheme == kIp) {
      if (!IsValidIpAclId(a.id.id)) return proto::ErrorCode::kInvalidAcl;
      out->push_back(a);
    } else {
      return proto::ErrorCode::kInvalidAcl;
    }
  }
  return proto::ErrorCode::kOk;
}

std::vector<proto::Acl> MaskDigests(const std::vector<proto::Acl>& acl) {
  std::vector<proto::Acl> out = acl;
  for (proto::Acl& a : out) {
    if (a.id.scheme != kDigest) continue;
    // Java: id.replaceAll(":.*", ":x") - everything from the first ':' becomes ":x".
    const size_t colon = a.id.id.find(':');
    if (colon != std::string::npos) a.id.id = a.id.id.substr(0, colon) + ":x";
  }
  return out;
}

}  // namespace zk::state
