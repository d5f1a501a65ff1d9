// FrameDecoder: length-prefixed framing across arbitrary TCP splits, length limits, and the
// 4lw peek (protocol.md §2.1, NIOServerCnxn.readLength).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "proto/codec.h"
#include "proto_test_util.h"

namespace zk::proto {
namespace {

using testing::Hex;

constexpr int32_t kMaxFrame = 0xfffff;  // jute.maxbuffer in 3.8.0

bool FeedStr(FrameDecoder& d, std::string_view s) {
  return d.Feed(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::vector<std::string> Drain(FrameDecoder& d) {
  std::vector<std::string> out;
  std::string f;
  while (d.Next(&f)) out.push_back(f);
  return out;
}

std::string Frame(std::string_view payload) {
  std::string out(4, '\0');
  uint32_t n = static_cast<uint32_t>(payload.size());
  out[0] = static_cast<char>(n >> 24);
  out[1] = static_cast<char>(n >> 16);
  out[2] = static_cast<char>(n >> 8);
  out[3] = static_cast<char>(n);
  out.append(payload);
  return out;
}

// A kazoo session's first frames, as captured: connect, create /a, getData /a watch.
const std::string kConnect =
    Hex("0000002d 00000000 0000000000000000 00002710 0000000000000000"
        "00000010 00000000000000000000000000000000 00");
const std::string kCreate =
    Hex("00000033 00000001 00000001 00000002 2f61 00000002 6869"
        "00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65 00000000");
const std::string kGetData = Hex("0000000f 00000002 00000004 00000002 2f61 01");

std::vector<std::string> Payloads() {
  return {kConnect.substr(4), kCreate.substr(4), kGetData.substr(4)};
}

TEST(FrameDecoder, SplitsConcatenatedFrames) {
  FrameDecoder d(kMaxFrame);
  ASSERT_TRUE(FeedStr(d, kConnect + kCreate + kGetData));
  EXPECT_EQ(Drain(d), Payloads());
  EXPECT_EQ(d.buffered(), 0u);
  EXPECT_FALSE(d.failed());
}

TEST(FrameDecoder, EverySplitPointOfTheStream) {
  const std::string stream = kConnect + kCreate + kGetData;
  for (size_t i = 0; i <= stream.size(); ++i) {
    FrameDecoder d(kMaxFrame);
    ASSERT_TRUE(FeedStr(d, std::string_view(stream).substr(0, i)));
    std::vector<std::string> got = Drain(d);
    ASSERT_TRUE(FeedStr(d, std::string_view(stream).substr(i)));
    for (std::string& f : Drain(d)) got.push_back(std::move(f));
    EXPECT_EQ(got, Payloads()) << "split at " << i;
  }
}

TEST(FrameDecoder, ByteAtATime) {
  const std::string stream = kConnect + kCreate + kGetData;
  FrameDecoder d(kMaxFrame);
  std::vector<std::string> got;
  for (char c : stream) {
    ASSERT_TRUE(FeedStr(d, std::string_view(&c, 1)));
    for (std::string& f : Drain(d)) got.push_back(std::move(f));
  }
  EXPECT_EQ(got, Payloads());
}

TEST(FrameDecoder, RandomChunksWithPartialDraining) {
  // Many frames of assorted sizes, fed in random chunks (fixed seed) while the reader takes
  // only some frames between feeds, so lazy compaction runs with data still pending.
  std::mt19937 rng(12345);
  std::vector<std::string> payloads;
  std::string stream;
  for (int i = 0; i < 3000; ++i) {
    std::string p(rng() % 300, static_cast<char>('a' + i % 26));
    p += std::to_string(i);
    stream += Frame(p);
    payloads.push_back(std::move(p));
  }
  FrameDecoder d(kMaxFrame);
  std::vector<std::string> got;
  std::string f;
  size_t off = 0;
  while (off < stream.size()) {
    size_t n = std::min<size_t>(1 + rng() % 70000, stream.size() - off);
    ASSERT_TRUE(FeedStr(d, std::string_view(stream).substr(off, n)));
    off += n;
    for (int k = rng() % 200; k > 0 && d.Next(&f); --k) got.push_back(f);
  }
  while (d.Next(&f)) got.push_back(f);
  EXPECT_EQ(got, payloads);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(FrameDecoder, BufferedCountsUnconsumedBytes) {
  FrameDecoder d(kMaxFrame);
  ASSERT_TRUE(FeedStr(d, kCreate + kGetData.substr(0, 5)));
  EXPECT_EQ(d.buffered(), kCreate.size() + 5);
  std::string f;
  ASSERT_TRUE(d.Next(&f));
  EXPECT_EQ(d.buffered(), 5u);
  EXPECT_FALSE(d.Next(&f));
}

TEST(FrameDecoder, ZeroLengthFrameIsAFrame) {
  FrameDecoder d(kMaxFrame);
  ASSERT_TRUE(FeedStr(d, Hex("00000000")));
  std::string f = "junk";
  ASSERT_TRUE(d.Next(&f));
  EXPECT_EQ(f, "");
}

TEST(FrameDecoder, MaxFrameIsInclusive) {
  FrameDecoder d(16);
  ASSERT_TRUE(FeedStr(d, Frame(std::string(16, 'x'))));
  std::string f;
  ASSERT_TRUE(d.Next(&f));
  EXPECT_EQ(f.size(), 16u);
  EXPECT_FALSE(FeedStr(d, Hex("00000011")));
  EXPECT_TRUE(d.failed());
}

TEST(FrameDecoder, NegativeOrOversizedLengthFailsForGood) {
  for (const char* len : {"ffffffff", "80000000", "00100000", "7fffffff"}) {
    FrameDecoder d(kMaxFrame);
    EXPECT_FALSE(FeedStr(d, Hex(len))) << len;
    EXPECT_TRUE(d.failed());
    EXPECT_FALSE(d.error().empty());
    EXPECT_FALSE(FeedStr(d, kCreate)) << "stays failed";
    std::string f;
    EXPECT_FALSE(d.Next(&f));
  }
}

TEST(FrameDecoder, BadLengthDetectedFromItsFirstFourBytes) {
  // The payload of a huge frame is never waited for: the length alone is refused.
  FrameDecoder d(kMaxFrame);
  EXPECT_TRUE(FeedStr(d, Hex("7f")));
  EXPECT_TRUE(FeedStr(d, Hex("ff")));
  EXPECT_FALSE(FeedStr(d, Hex("ff ff")));
}

TEST(FrameDecoder, FramesBeforeABadLengthAreStillDelivered) {
  FrameDecoder d(kMaxFrame);
  EXPECT_FALSE(FeedStr(d, kCreate + kGetData + Hex("ffffff00")));
  EXPECT_EQ(Drain(d), (std::vector<std::string>{kCreate.substr(4), kGetData.substr(4)}));
}

TEST(FrameDecoder, LargeFrameInChunks) {
  std::string payload(kMaxFrame, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7);
  std::string stream = Frame(payload) + kGetData;
  FrameDecoder d(kMaxFrame);
  std::string f;
  for (size_t off = 0; off < stream.size(); off += 65536) {
    ASSERT_TRUE(FeedStr(d, std::string_view(stream).substr(off, 65536)));
    if (off + 65536 < 4 + payload.size()) {
      EXPECT_FALSE(d.Next(&f));
    }
  }
  ASSERT_TRUE(d.Next(&f));
  EXPECT_EQ(f, payload);
  ASSERT_TRUE(d.Next(&f));
  EXPECT_EQ(f, kGetData.substr(4));
}

TEST(FrameDecoder, PeekFirstWordSeesFourLetterWords) {
  // "ruok" is 0x72756f6b as a length: far over the limit, so Feed fails, but the word is
  // still there for the 4lw check (NIOServerCnxn checks 4lw before the length).
  for (const char* word : {"ruok", "srvr", "stat", "mntr", "envi", "isro", "cons"}) {
    FrameDecoder d(kMaxFrame);
    std::string w;
    EXPECT_TRUE(FeedStr(d, std::string(word, 2)));
    EXPECT_FALSE(d.PeekFirstWord(&w)) << "only 2 bytes so far";
    EXPECT_FALSE(FeedStr(d, std::string(word + 2, 2)));
    ASSERT_TRUE(d.PeekFirstWord(&w));
    EXPECT_EQ(w, word);
  }
}

TEST(FrameDecoder, PeekFirstWordOnlyBeforeTheFirstFrame) {
  FrameDecoder d(kMaxFrame);
  ASSERT_TRUE(FeedStr(d, kConnect));
  std::string w;
  ASSERT_TRUE(d.PeekFirstWord(&w));
  EXPECT_EQ(w, kConnect.substr(0, 4));
  std::string f;
  ASSERT_TRUE(d.Next(&f));
  ASSERT_TRUE(FeedStr(d, kCreate));
  EXPECT_FALSE(d.PeekFirstWord(&w));
}

}  // namespace
}  // namespace zk::proto
