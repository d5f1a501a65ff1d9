// A small deterministic 64-bit hash for digests and snapshot checksums: the same bytes give
// the same value on every server and build (std::hash makes no such promise). Not
// cryptographic. Words are read little-endian explicitly, so the result does not depend on
// the host byte order.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace zk::state {

// splitmix64's finaliser (Steele, Lea, Flood 2014): a bijective avalanche on 64 bits.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

class Hasher {
 public:
  explicit Hasher(uint64_t seed = 0x6A09E667F3BCC908ULL) : h_(seed) {}

  void AddU64(uint64_t v) { h_ = Mix64(h_ ^ v) + 0x9E3779B97F4A7C15ULL; }
  void AddI64(int64_t v) { AddU64(static_cast<uint64_t>(v)); }
  // Length-prefixed, so ("ab","c") and ("a","bc") hash differently.
  void AddBytes(std::string_view s) {
    AddU64(s.size());
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    size_t n = s.size();
    while (n >= 8) {
      AddU64(LoadLe(p, 8));
      p += 8;
      n -= 8;
    }
    if (n > 0) AddU64(LoadLe(p, n));
  }
  uint64_t Finish() const { return Mix64(h_); }

 private:
  static uint64_t LoadLe(const unsigned char* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
  }
  uint64_t h_;
};

}  // namespace zk::state
