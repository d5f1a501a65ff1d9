// Jute primitives (protocol.md §2.1). Bounds follow BinaryInputArchive.checkLength: a length
// below -1, above max_len, or running past the input fails the reader before any allocation.
#include "proto/jute.h"

#include "proto/wire_util.h"

namespace zk::proto {

using internal::LoadBe32;
using internal::LoadBe64;
using internal::StoreBe32;
using internal::StoreBe64;

bool Reader::Need(size_t n) {
  if (!ok_) return false;
  if (n > in_.size() - pos_) return Fail();
  return true;
}

bool Reader::ReadInt(int32_t* v) {
  if (!Need(4)) return false;
  *v = static_cast<int32_t>(LoadBe32(in_.data() + pos_));
  pos_ += 4;
  return true;
}

bool Reader::ReadLong(int64_t* v) {
  if (!Need(8)) return false;
  *v = static_cast<int64_t>(LoadBe64(in_.data() + pos_));
  pos_ += 8;
  return true;
}

bool Reader::ReadBool(bool* v) {
  if (!Need(1)) return false;
  // DataInput.readBoolean: any non-zero byte is true.
  *v = in_[pos_] != 0;
  pos_ += 1;
  return true;
}

bool Reader::ReadBuffer(std::string* v) {
  bool is_null = false;
  return ReadBuffer(v, &is_null);
}

bool Reader::ReadBuffer(std::string* v, bool* is_null) {
  int32_t len;
  *is_null = false;
  if (!ReadInt(&len)) return false;
  if (len == -1) {  // null buffer/ustring
    v->clear();
    *is_null = true;
    return true;
  }
  if (len < 0 || len > max_len_) return Fail();
  if (!Need(static_cast<size_t>(len))) return false;
  v->assign(in_.data() + pos_, static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return true;
}

namespace {

// Reads a vector count. -1 (null) reads as 0. A count that could not fit in the remaining
// input, at `min_elem` bytes per element, fails before anything is reserved.
bool ReadCount(Reader* r, size_t min_elem, int32_t max_len, int32_t* count) {
  if (!r->ReadInt(count)) return false;
  if (*count == -1) {
    *count = 0;
    return true;
  }
  if (*count < 0 || *count > max_len) return r->Fail();
  if (static_cast<size_t>(*count) > r->remaining() / min_elem) return r->Fail();
  return true;
}

}  // namespace

bool Reader::ReadStringVector(std::vector<std::string>* v) {
  int32_t count;
  if (!ReadCount(this, 4, max_len_, &count)) return false;
  v->clear();
  v->reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    if (!ReadString(&v->emplace_back())) return false;
  }
  return true;
}

bool Reader::ReadId(Id* v) { return ReadString(&v->scheme) && ReadString(&v->id); }

bool Reader::ReadAcl(Acl* v) { return ReadInt(&v->perms) && ReadId(&v->id); }

bool Reader::ReadAclVector(std::vector<Acl>* v) {
  int32_t count;
  if (!ReadCount(this, 12, max_len_, &count)) return false;
  v->clear();
  v->reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    if (!ReadAcl(&v->emplace_back())) return false;
  }
  return true;
}

bool Reader::ReadStat(Stat* v) {
  if (!Need(68)) return false;
  return ReadLong(&v->czxid) && ReadLong(&v->mzxid) && ReadLong(&v->ctime) && ReadLong(&v->mtime) &&
         ReadInt(&v->version) && ReadInt(&v->cversion) && ReadInt(&v->aversion) &&
         ReadLong(&v->ephemeral_owner) && ReadInt(&v->data_length) && ReadInt(&v->num_children) &&
         ReadLong(&v->pzxid);
}

void Writer::WriteInt(int32_t v) {
  char b[4];
  StoreBe32(b, static_cast<uint32_t>(v));
  out_.append(b, 4);
}

void Writer::WriteLong(int64_t v) {
  char b[8];
  StoreBe64(b, static_cast<uint64_t>(v));
  out_.append(b, 8);
}

void Writer::WriteBool(bool v) { out_.push_back(v ? 1 : 0); }

void Writer::WriteBuffer(std::string_view v) {
  WriteInt(static_cast<int32_t>(v.size()));
  out_.append(v.data(), v.size());
}

void Writer::WriteStringVector(const std::vector<std::string>& v) {
  WriteInt(static_cast<int32_t>(v.size()));
  for (const std::string& s : v) WriteString(s);
}

void Writer::WriteId(const Id& v) {
  WriteString(v.scheme);
  WriteString(v.id);
}

void Writer::WriteAcl(const Acl& v) {
  WriteInt(v.perms);
  WriteId(v.id);
}

void Writer::WriteAclVector(const std::vector<Acl>& v) {
  WriteInt(static_cast<int32_t>(v.size()));
  for (const Acl& a : v) WriteAcl(a);
}

void Writer::WriteStat(const Stat& v) {
  char b[68];
  char* p = b;
  auto put32 = [&p](int32_t x) {
    StoreBe32(p, static_cast<uint32_t>(x));
    p += 4;
  };
  auto put64 = [&p](int64_t x) {
    StoreBe64(p, static_cast<uint64_t>(x));
    p += 8;
  };
  put64(v.czxid);
  put64(v.mzxid);
  put64(v.ctime);
  put64(v.mtime);
  put32(v.version);
  put32(v.cversion);
  put32(v.aversion);
  put64(v.ephemeral_owner);
  put32(v.data_length);
  put32(v.num_children);
  put64(v.pzxid);
  out_.append(b, sizeof(b));
}

size_t Writer::BeginFrame() {
  size_t begin = out_.size();
  out_.append(4, '\0');
  return begin;
}

void Writer::EndFrame(size_t begin) {
  StoreBe32(out_.data() + begin, static_cast<uint32_t>(out_.size() - begin - 4));
}

}  // namespace zk::proto
