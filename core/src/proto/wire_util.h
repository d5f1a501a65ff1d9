// Internal to core/src/proto: big-endian loads/stores and a size-counting twin of Writer, so
// encoders compute the exact frame size first and build each message with one allocation.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "proto/jute.h"
#include "proto/records.h"

namespace zk::proto::internal {

inline uint32_t LoadBe32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
  return v;
}

inline uint64_t LoadBe64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

inline void StoreBe32(char* p, uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}

inline void StoreBe64(char* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// MultiHeader{-1, true, -1} ends a multi request and a multi response (protocol.md §2.6).
inline constexpr int32_t kMultiEndType = -1;
inline constexpr int32_t kMultiEndErr = -1;

// "create (1)": for error messages only.
std::string OpLabel(int32_t type);

// Same write surface as Writer; only adds up the bytes each call would emit.
class SizeCounter {
 public:
  void WriteInt(int32_t) { n_ += 4; }
  void WriteLong(int64_t) { n_ += 8; }
  void WriteBool(bool) { n_ += 1; }
  void WriteBuffer(std::string_view v) { n_ += 4 + v.size(); }
  void WriteNullBuffer() { n_ += 4; }
  void WriteBuffer(std::string_view v, bool is_null) { n_ += 4 + (is_null ? 0 : v.size()); }
  void WriteString(std::string_view v) { WriteBuffer(v); }
  void WriteStringVector(const std::vector<std::string>& v) {
    n_ += 4 + 4 * v.size();
    for (const std::string& s : v) n_ += s.size();
  }
  void WriteId(const Id& v) { n_ += 8 + v.scheme.size() + v.id.size(); }
  void WriteAcl(const Acl& v) {
    n_ += 4;
    WriteId(v.id);
  }
  void WriteAclVector(const std::vector<Acl>& v) {
    n_ += 4;
    for (const Acl& a : v) WriteAcl(a);
  }
  void WriteStat(const Stat&) { n_ += 68; }
  size_t size() const { return n_; }

 private:
  size_t n_ = 0;
};

// A whole frame (length prefix + payload) in one allocation: `write(w)` is called once on a
// SizeCounter to learn the size, then on the Writer. `write` is a generic lambda.
template <typename Fn>
std::string EncodeSizedFrame(Fn write) {
  SizeCounter c;
  write(c);
  Writer w;
  w.Reserve(4 + c.size());
  size_t begin = w.BeginFrame();
  write(w);
  w.EndFrame(begin);
  return w.Take();
}

}  // namespace zk::proto::internal
