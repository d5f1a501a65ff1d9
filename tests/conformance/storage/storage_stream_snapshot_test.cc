// Streamed snapshots (Storage::BeginSnapshot / SnapshotWriter / CommitSnapshot) and reading
// them back (ReadSnapshot): the same contract as SaveSnapshot, without a whole copy of the
// data in memory. Same typed suite as storage_conformance_test.cc.
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <iterator>

#include "storage_fixture.h"

namespace zk::testing {
namespace {

namespace fs = std::filesystem;

TYPED_TEST_SUITE(StorageTest, StoragePlugins);

// Writes `data` in pieces of `piece` bytes and commits it as snapshot `index`.
Status StreamSnapshot(Storage* s, uint64_t index, uint64_t term, const std::string& data,
                      size_t piece, int retain, uint64_t trailing) {
  Status status = Status::Aborted("not called");
  std::unique_ptr<SnapshotWriter> w = s->BeginSnapshot(&status);
  if (!w) return status;
  for (size_t off = 0; off < data.size(); off += piece) {
    Status ws = w->Write(data.data() + off, std::min(piece, data.size() - off));
    if (!ws.ok()) return ws;
  }
  if (w->size() != data.size()) return Status::InvalidArgument("size() disagrees");
  SnapshotMeta meta;
  meta.index = index;
  meta.term = term;
  meta.configuration = "conf@" + std::to_string(index);
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> f = done->get_future();
  s->CommitSnapshot(std::move(w), std::move(meta), retain, trailing,
                    [done](Status st) { done->set_value(std::move(st)); });
  if (f.wait_for(kDeadline) != std::future_status::ready) {
    return Status::Aborted("CommitSnapshot: no done within the deadline");
  }
  return f.get();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TYPED_TEST(StorageTest, StreamedSnapshotIsLoadedAndReadBack) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 100, 1)).ok());
  const std::string data = DataFor(60, 3 << 20);  // 3 MiB in odd-sized pieces
  ASSERT_TRUE(
      (StreamSnapshot(s.get(), 60, 1, data, 65537, /*retain=*/2, /*trailing=*/10))
          .ok());
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(101, 105, 2)).ok());
  PersistentState state = this->LoadOk(s.get());
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->meta.index, 60u);
  EXPECT_EQ(state.snapshot->meta.term, 1u);
  EXPECT_EQ(state.snapshot->meta.configuration, "conf@60");
  EXPECT_TRUE(state.snapshot->data == data);
  ASSERT_EQ(state.entries.size(), 45u);  // 61..105
  EXPECT_EQ(state.entries.front().index, 61u);
  EXPECT_EQ(s->Stats().snapshots, 1u);

  ASSERT_TRUE(s->snapshots_readable());
  Snapshot back;
  ASSERT_TRUE(s->ReadSnapshot(60, &back).ok());
  EXPECT_EQ(back.meta.index, 60u);
  EXPECT_EQ(back.meta.configuration, "conf@60");
  EXPECT_TRUE(back.data == data);
  EXPECT_EQ(s->ReadSnapshot(61, &back).code(), Status::Code::kNotFound);
}

// Streamed and whole snapshots share retention and compaction (trailing 10: entries <= 70 go).
TYPED_TEST(StorageTest, StreamedSnapshotsMixWithSavedOnes) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 100, 1)).ok());
  ASSERT_TRUE(this->SnapshotSync(s.get(), 40, 1, 2, 10).ok());
  ASSERT_TRUE(
      (StreamSnapshot(s.get(), 80, 1, DataFor(80, 5000), 999, 2, 10)).ok());
  EXPECT_EQ(s->Stats().snapshots, 2u);
  Snapshot older;
  ASSERT_TRUE(s->ReadSnapshot(40, &older).ok());
  EXPECT_EQ(older.data, DataFor(40, 1000));
  ASSERT_TRUE(this->SnapshotSync(s.get(), 90, 1, 2, 10).ok());
  EXPECT_EQ(s->Stats().snapshots, 2u);
  EXPECT_EQ(s->ReadSnapshot(40, &older).code(), Status::Code::kNotFound);
  PersistentState state = this->LoadOk(s.get());
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->meta.index, 90u);
  Snapshot streamed;
  ASSERT_TRUE(s->ReadSnapshot(80, &streamed).ok());
  EXPECT_EQ(streamed.data, DataFor(80, 5000));
}

// An empty streamed snapshot is still a snapshot.
TYPED_TEST(StorageTest, EmptyStreamedSnapshot) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 10, 1)).ok());
  ASSERT_TRUE((StreamSnapshot(s.get(), 10, 1, "", 1, 1, 0)).ok());
  PersistentState state = this->LoadOk(s.get());
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->meta.index, 10u);
  EXPECT_TRUE(state.snapshot->data.empty());
}

// A writer dropped before CommitSnapshot leaves nothing behind: no snapshot, no temp file.
TYPED_TEST(StorageTest, AbandonedStreamLeavesNothing) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 10, 1)).ok());
  {
    Status status;
    std::unique_ptr<SnapshotWriter> w = s->BeginSnapshot(&status);
    ASSERT_NE(w, nullptr) << status.ToString();
    const std::string data = DataFor(10, 100000);
    ASSERT_TRUE(w->Write(data.data(), data.size()).ok());
  }
  PersistentState state = this->LoadOk(s.get());
  EXPECT_FALSE(state.snapshot.has_value());
  EXPECT_EQ(state.entries.size(), 10u);
  if (TypeParam::kOnDisk) {
    for (const auto& e : fs::directory_iterator(this->data_dir_)) {
      EXPECT_EQ(e.path().filename().string().rfind("snapshot.", 0), std::string::npos)
          << e.path();
    }
  }
}

// A streamed snapshot's file is checked like any other: a flipped byte in its data (which
// precedes the configuration in the streamed format) is a checksum mismatch, and a torn one
// falls back to the older snapshot plus the log.
TYPED_TEST(StorageTest, StreamedSnapshotCorruptionIsDetected) {
  if (!TypeParam::kOnDisk) GTEST_SKIP() << TypeParam::kName << " storage: no files to corrupt";
  {
    auto s = this->OpenNew();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 300, 1)).ok());
    ASSERT_TRUE(
        (StreamSnapshot(s.get(), 100, 1, DataFor(100, 50000), 4096, 3, 1000)).ok());
    ASSERT_TRUE(
        (StreamSnapshot(s.get(), 200, 1, DataFor(200, 50000), 4096, 3, 1000)).ok());
    s->Close();
  }
  const std::string older = this->data_dir_ + "/snapshot.100";
  std::string bytes = ReadFile(older);
  bytes[bytes.size() / 2] ^= 0x01;
  {
    std::ofstream out(older + ".flipped", std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  const std::string newest = this->data_dir_ + "/snapshot.200";
  fs::resize_file(newest, fs::file_size(newest) - 1);
  {
    auto s = this->OpenNew();
    ASSERT_NE(s, nullptr);
    PersistentState state = this->LoadOk(s.get());
    ASSERT_TRUE(state.snapshot.has_value());
    EXPECT_EQ(state.snapshot->meta.index, 100u);
    EXPECT_EQ(state.snapshot->data, DataFor(100, 50000));
    EXPECT_EQ(state.entries.size(), 200u);
    s->Close();
  }
  fs::rename(older + ".flipped", older);
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  Snapshot snap;
  Status status = s->ReadSnapshot(100, &snap);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find("checksum mismatch"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace zk::testing
