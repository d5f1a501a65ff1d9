// Helpers shared by the proto unit tests: goldens are written as spaced hex for reading.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/records.h"

namespace zk::proto::testing {

// "0000 00 2f" -> bytes; spaces, newlines and '|' are ignored.
inline std::string Hex(std::string_view h) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  int hi = -1;
  for (char c : h) {
    int n = nibble(c);
    if (n < 0) continue;
    if (hi < 0) {
      hi = n;
    } else {
      out.push_back(static_cast<char>(hi << 4 | n));
      hi = -1;
    }
  }
  return out;
}

inline std::string ToHex(std::string_view b) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Spaced hex -> canonical hex, for comparing against ToHex(bytes) with readable groups.
inline std::string HexOf(std::string_view spaced) { return ToHex(Hex(spaced)); }

// The payload of a full frame (drops the 4-byte length).
inline std::string_view Payload(std::string_view frame) { return frame.substr(4); }

inline Stat MakeStat(int64_t czxid, int64_t mzxid, int64_t ctime, int64_t mtime, int32_t version,
                     int32_t cversion, int32_t aversion, int64_t owner, int32_t data_length,
                     int32_t num_children, int64_t pzxid) {
  return Stat{czxid,    mzxid, ctime,       mtime,        version, cversion,
              aversion, owner, data_length, num_children, pzxid};
}

inline std::vector<Acl> OpenAcl() { return {Acl{kPermAll, Id{"world", "anyone"}}}; }

}  // namespace zk::proto::testing
