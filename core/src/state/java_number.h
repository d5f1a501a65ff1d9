// Java's Long.parseLong / Integer.parseInt for the texts ZooKeeper parses itself (ip ACL
// masks, quota stats): optional sign, decimal digits only, in range, else no value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace zk::state {

inline std::optional<int64_t> ParseJavaLong(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool neg = false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const uint64_t next = v * 10 + static_cast<uint64_t>(s[i] - '0');
    if (next / 10 != v || next > (uint64_t{1} << 63)) return std::nullopt;
    v = next;
  }
  if (!neg && v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return neg ? static_cast<int64_t>(~v + 1) : static_cast<int64_t>(v);
}

inline std::optional<int64_t> ParseJavaInt(std::string_view s) {
  std::optional<int64_t> v = ParseJavaLong(s);
  if (!v || *v > INT32_MAX || *v < INT32_MIN) return std::nullopt;
  return v;
}

}  // namespace zk::state
