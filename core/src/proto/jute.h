// Jute primitives (protocol.md §2.1): big-endian int/long, 1-byte boolean, length-prefixed
// buffer/ustring (-1 = null), counted vectors. Reads are bounded: a length that runs past the
// input or over `max_len` fails the reader instead of allocating.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/records.h"

namespace zk::proto {

class Reader {
 public:
  // `max_len` bounds every buffer/string/vector length (jute.maxbuffer).
  explicit Reader(std::string_view in, int32_t max_len = 0x100000) : in_(in), max_len_(max_len) {}

  bool ReadInt(int32_t* v);
  bool ReadLong(int64_t* v);
  bool ReadBool(bool* v);
  bool ReadBuffer(std::string* v);  // null reads as ""
  bool ReadBuffer(std::string* v, bool* is_null);  // null reads as "" with *is_null set
  bool ReadString(std::string* v) { return ReadBuffer(v); }
  bool ReadStringVector(std::vector<std::string>* v);
  bool ReadId(Id* v);
  bool ReadAcl(Acl* v);
  bool ReadAclVector(std::vector<Acl>* v);
  bool ReadStat(Stat* v);

  bool ok() const { return ok_; }
  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }
  // Marks the reader failed (for record-level checks); always returns false.
  bool Fail() { ok_ = false; return false; }

 private:
  bool Need(size_t n);
  std::string_view in_;
  size_t pos_ = 0;
  int32_t max_len_;
  bool ok_ = true;
};

class Writer {
 public:
  void WriteInt(int32_t v);
  void WriteLong(int64_t v);
  void WriteBool(bool v);
  void WriteBuffer(std::string_view v);
  void WriteString(std::string_view v) { WriteBuffer(v); }
  void WriteNullBuffer() { WriteInt(-1); }
  // A buffer that may be null (length -1), as data is in create/setData/getData.
  void WriteBuffer(std::string_view v, bool is_null) {
    if (is_null) {
      WriteNullBuffer();
    } else {
      WriteBuffer(v);
    }
  }
  void WriteStringVector(const std::vector<std::string>& v);
  void WriteId(const Id& v);
  void WriteAcl(const Acl& v);
  void WriteAclVector(const std::vector<Acl>& v);
  void WriteStat(const Stat& v);

  // Pre-sizes the output so a message is built with one allocation.
  void Reserve(size_t n) { out_.reserve(n); }
  const std::string& data() const { return out_; }
  std::string Take() { return std::move(out_); }
  size_t size() const { return out_.size(); }
  // Writes a 4-byte placeholder at the start of a frame; EndFrame fills in the length.
  size_t BeginFrame();
  void EndFrame(size_t begin);

 private:
  std::string out_;
};

}  // namespace zk::proto
