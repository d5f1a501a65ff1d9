// Jute primitives: encodings, null handling and the bounds that keep a hostile length from
// allocating (protocol.md §2.1).
#include "proto/jute.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "proto_test_util.h"

namespace zk::proto {
namespace {

using testing::Hex;
using testing::HexOf;
using testing::ToHex;

// Largest single allocation made while `tracking` is set (see the operator new below).
thread_local bool g_tracking = false;
thread_local size_t g_largest_alloc = 0;

}  // namespace
}  // namespace zk::proto

// Replaces the global allocator for this test binary so "fails without allocating" can be
// asserted: only the size is recorded, and only while a test turns tracking on. (g++ 12 warns
// about free() in a replacement operator delete; the pairing is correct here.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t n) {
  if (zk::proto::g_tracking && n > zk::proto::g_largest_alloc) zk::proto::g_largest_alloc = n;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace zk::proto {
namespace {

struct AllocTracker {
  AllocTracker() {
    g_largest_alloc = 0;
    g_tracking = true;
  }
  ~AllocTracker() { g_tracking = false; }
  size_t largest() const { return g_largest_alloc; }
};

TEST(JuteWriter, IntegersAreBigEndian) {
  Writer w;
  w.WriteInt(0x01020304);
  w.WriteInt(-1);
  w.WriteLong(0x0102030405060708LL);
  w.WriteLong(-2);
  w.WriteBool(true);
  w.WriteBool(false);
  EXPECT_EQ(ToHex(w.data()), HexOf("01020304 ffffffff 0102030405060708 fffffffffffffffe 01 00"));
}

TEST(JuteWriter, BuffersAndVectors) {
  Writer w;
  w.WriteBuffer("hi");
  w.WriteBuffer("");
  w.WriteNullBuffer();
  w.WriteStringVector({"a", "bc"});
  w.WriteAclVector({Acl{kPermRead, Id{"ip", "1.2.3.4"}}});
  EXPECT_EQ(ToHex(w.data()),
            HexOf("00000002 6869 | 00000000 | ffffffff | 00000002 00000001 61 00000002 6263"
                  "| 00000001 00000001 00000002 6970 00000007 312e322e332e34"));
}

TEST(JuteWriter, StatIs68Bytes) {
  Writer w;
  w.WriteStat(testing::MakeStat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  EXPECT_EQ(w.size(), 68u);
  EXPECT_EQ(ToHex(w.data()),
            HexOf("0000000000000001 0000000000000002 0000000000000003 0000000000000004"
                  "00000005 00000006 00000007 0000000000000008 00000009 0000000a"
                  "000000000000000b"));
  Reader r(w.data());
  Stat s;
  ASSERT_TRUE(r.ReadStat(&s));
  EXPECT_EQ(s, testing::MakeStat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(JuteWriter, FrameLengthIsFilledIn) {
  Writer w;
  size_t begin = w.BeginFrame();
  w.WriteInt(7);
  w.WriteBuffer("xyz");
  w.EndFrame(begin);
  EXPECT_EQ(ToHex(w.data()), HexOf("0000000b 00000007 00000003 78797a"));
}

TEST(JuteReader, ReadsWhatWriterWrote) {
  Writer w;
  w.WriteInt(-5);
  w.WriteLong(1LL << 40);
  w.WriteBool(true);
  w.WriteBuffer(std::string("a\0b", 3));
  w.WriteStringVector({"x", "", "yz"});
  w.WriteAclVector(testing::OpenAcl());
  Reader r(w.data());
  int32_t i;
  int64_t l;
  bool b;
  std::string s;
  std::vector<std::string> v;
  std::vector<Acl> acl;
  ASSERT_TRUE(r.ReadInt(&i));
  ASSERT_TRUE(r.ReadLong(&l));
  ASSERT_TRUE(r.ReadBool(&b));
  ASSERT_TRUE(r.ReadBuffer(&s));
  ASSERT_TRUE(r.ReadStringVector(&v));
  ASSERT_TRUE(r.ReadAclVector(&acl));
  EXPECT_EQ(i, -5);
  EXPECT_EQ(l, 1LL << 40);
  EXPECT_TRUE(b);
  EXPECT_EQ(s, std::string("a\0b", 3));
  EXPECT_EQ(v, (std::vector<std::string>{"x", "", "yz"}));
  EXPECT_EQ(acl, testing::OpenAcl());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(r.ok());
}

TEST(JuteReader, AnyNonZeroByteIsTrue) {  // DataInput.readBoolean
  std::string in = Hex("02 00");
  Reader r(in);
  bool a = false, b = true;
  ASSERT_TRUE(r.ReadBool(&a));
  ASSERT_TRUE(r.ReadBool(&b));
  EXPECT_TRUE(a);
  EXPECT_FALSE(b);
}

TEST(JuteReader, NullBufferAndVectorReadEmpty) {
  std::string in = Hex("ffffffff ffffffff");
  Reader r(in);
  std::string s = "old";
  std::vector<std::string> v = {"old"};
  ASSERT_TRUE(r.ReadBuffer(&s));
  ASSERT_TRUE(r.ReadStringVector(&v));
  EXPECT_EQ(s, "");
  EXPECT_TRUE(v.empty());
}

TEST(JuteReader, NegativeLengthsBelowMinusOneFail) {
  for (const char* hex : {"fffffffe", "80000000"}) {
    std::string in = Hex(hex) + std::string(16, 'x');
    Reader r(in);
    std::string s;
    EXPECT_FALSE(r.ReadBuffer(&s)) << hex;
    EXPECT_FALSE(r.ok());
    Reader r2(in);
    std::vector<std::string> v;
    EXPECT_FALSE(r2.ReadStringVector(&v)) << hex;
    Reader r3(in);
    std::vector<Acl> acl;
    EXPECT_FALSE(r3.ReadAclVector(&acl)) << hex;
  }
}

TEST(JuteReader, LengthOverMaxLenFailsEvenIfInputIsLongEnough) {
  std::string in = Hex("00000011") + std::string(17, 'x');
  Reader r(in, /*max_len=*/16);
  std::string s;
  EXPECT_FALSE(r.ReadBuffer(&s));
  Reader ok(in, /*max_len=*/17);
  EXPECT_TRUE(ok.ReadBuffer(&s));
  EXPECT_EQ(s.size(), 17u);
}

TEST(JuteReader, HugeLengthsFailWithoutAllocating) {
  // A 2 GiB string, a 2^31-1 element vector and a 16M-entry ACL list, each with 8 bytes of
  // input behind them: the reader must refuse before reserving anything.
  for (const char* hex : {"7fffffff", "00ffffff", "000fffff"}) {
    std::string in = Hex(hex) + std::string(8, 'x');
    std::string s;
    std::vector<std::string> v;
    std::vector<Acl> acl;
    AllocTracker t;
    Reader r1(in, 0x7fffffff);
    EXPECT_FALSE(r1.ReadBuffer(&s)) << hex;
    Reader r2(in, 0x7fffffff);
    EXPECT_FALSE(r2.ReadStringVector(&v)) << hex;
    Reader r3(in, 0x7fffffff);
    EXPECT_FALSE(r3.ReadAclVector(&acl)) << hex;
    EXPECT_LT(t.largest(), 64u) << hex;
  }
}

TEST(JuteReader, VectorCountBoundedByRemainingInput) {
  // Count 3 with room for only two 4-byte elements: fails at the count, not mid-way.
  std::string in = Hex("00000003 00000000 00000000");
  Reader r(in);
  std::vector<std::string> v;
  EXPECT_FALSE(r.ReadStringVector(&v));
  EXPECT_TRUE(v.empty());
}

TEST(JuteReader, TruncationFailsAndStaysFailed) {
  std::string in = Hex("000000");
  Reader r(in);
  int32_t i = 42;
  EXPECT_FALSE(r.ReadInt(&i));
  EXPECT_EQ(i, 42);
  EXPECT_FALSE(r.ok());
  bool b;
  EXPECT_FALSE(r.ReadBool(&b));  // a byte is there, but the reader already failed
  std::string in2 = Hex("00000005 6869");
  Reader r2(in2);
  std::string s;
  EXPECT_FALSE(r2.ReadBuffer(&s));
  std::string in3 = Hex("00000000000000");
  Reader r3(in3);
  int64_t l;
  EXPECT_FALSE(r3.ReadLong(&l));
  std::string in4(67, '\0');
  Reader r4(in4);
  Stat st;
  EXPECT_FALSE(r4.ReadStat(&st));
}

TEST(JuteReader, FailMarksReader) {
  std::string in = Hex("00000001");
  Reader r(in);
  EXPECT_FALSE(r.Fail());
  int32_t i;
  EXPECT_FALSE(r.ReadInt(&i));
}

}  // namespace
}  // namespace zk::proto
