// The Storage contract on disk: reopen, detected corruption, torn files, and acknowledged
// entries surviving a SIGKILL. Same typed suite as storage_conformance_test.cc; cases that
// need files or durability skip (and say why) for plugins without them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <random>

#include "storage_fixture.h"

namespace zk::testing {
namespace {

namespace fs = std::filesystem;

TYPED_TEST_SUITE(StorageTest, StoragePlugins);

#define SKIP_UNLESS(flag, why)                                              \
  do {                                                                      \
    if (!(flag)) GTEST_SKIP() << TypeParam::kName << " storage: " << (why); \
  } while (0)

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TYPED_TEST(StorageTest, ReopenKeepsEverything) {
  SKIP_UNLESS(TypeParam::kDurable, "volatile (durable() == false), nothing survives Close");
  {
    auto s = this->OpenNew();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(this->TermVoteSync(s.get(), 7, 3).ok());
    ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 300, 7, 500)).ok());
    ASSERT_TRUE(this->SnapshotSync(s.get(), 200, 7, 3, 50).ok());
    ASSERT_TRUE(this->TruncateSync(s.get(), 291).ok());
    s->Close();
  }
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  PersistentState state = this->LoadOk(s.get());
  EXPECT_EQ(state.term, 7u);
  EXPECT_EQ(state.voted_for, 3u);
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->meta.index, 200u);
  EXPECT_EQ(state.snapshot->meta.configuration, "conf@200");
  EXPECT_EQ(state.snapshot->data, DataFor(200, 1000));
  ASSERT_EQ(state.entries.size(), 90u);
  EXPECT_EQ(state.entries.back().data, DataFor(290, 500));
  EXPECT_EQ(s->Stats().snapshots, 1u);
  EXPECT_GT(s->Stats().log_dir_bytes, 290u * 500);
  EXPECT_GT(s->Stats().data_dir_bytes, 1000u);
  // And it keeps going from where it was.
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(291, 291, 8)).ok());
}

// For a durable plugin `done` comes after the fsync: at every `done`, the fsync count has
// moved since the op was issued.
TYPED_TEST(StorageTest, DoneFollowsAnFsync) {
  SKIP_UNLESS(TypeParam::kDurable, "volatile, nothing to fsync");
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  Storage* storage = s.get();
  for (uint64_t i = 1; i <= 20; ++i) {
    const uint64_t before = storage->Stats().fsyncs;
    uint64_t at_done = 0;
    Status status = this->Await([&](const Storage::Done& done) {
      auto on_done = [&, done](const Status& st) {
        at_done = storage->Stats().fsyncs;
        done(st);
      };
      if (i % 2 == 0) {
        storage->Append(Entries(i / 2, i / 2, 1), on_done);
      } else {
        storage->SetTermVote(i, 1, on_done);
      }
    });
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_GT(at_done, before) << "op " << i << " acknowledged without an fsync";
  }
}

// A flipped byte inside an entry's payload, where SQLite's own checks cannot see it, is
// found by the per-entry checksum and stops startup with the entry and file named.
TYPED_TEST(StorageTest, CorruptEntryIsRefused) {
  SKIP_UNLESS(TypeParam::kOnDisk, "no files to corrupt");
  {
    auto s = this->OpenNew();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 1000, 1, 200)).ok());
    s->Close();  // checkpoints the WAL into zk.db
  }
  const std::string db = this->log_dir_ + "/zk.db";
  std::string bytes = ReadFile(db);
  const size_t at = bytes.find("entry-000812-");
  ASSERT_NE(at, std::string::npos) << "entry 812 not found in " << db;
  ASSERT_EQ(bytes.find("entry-000812-", at + 1), std::string::npos);
  bytes[at + 50] ^= 0x10;
  WriteFile(db, bytes);

  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  PersistentState state;
  Status status = s->Load(&state);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find("log entry 812"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(db), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("checksum mismatch"), std::string::npos) << status.message();
}

// The newest snapshot is torn but the log still holds everything after the older one:
// recover from the older snapshot and warn (documented in the sqlite README).
TYPED_TEST(StorageTest, TornNewestSnapshotFallsBackToOlder) {
  SKIP_UNLESS(TypeParam::kOnDisk, "no files to corrupt");
  {
    auto s = this->OpenNew();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 300, 1)).ok());
    ASSERT_TRUE(this->SnapshotSync(s.get(), 100, 1, 3, 1000).ok());
    ASSERT_TRUE(this->SnapshotSync(s.get(), 200, 1, 3, 1000).ok());
    s->Close();
  }
  const std::string newest = this->data_dir_ + "/snapshot.200";
  ASSERT_TRUE(fs::exists(newest));
  fs::resize_file(newest, fs::file_size(newest) / 2);

  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  PersistentState state = this->LoadOk(s.get());
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->meta.index, 100u);
  ASSERT_EQ(state.entries.size(), 200u);
  EXPECT_EQ(state.entries.front().index, 101u);
  ASSERT_FALSE(state.warnings.empty());
  EXPECT_NE(state.warnings.back().find(newest), std::string::npos) << state.warnings.back();
  EXPECT_TRUE(this->host_.Logged(LogLevel::kWarn, newest));
}

// The newest snapshot is torn and the log entries it replaced were compacted away: data
// would be lost, so Load refuses and names the file and the byte where it ends.
TYPED_TEST(StorageTest, TornSnapshotWithoutCoverIsCorruption) {
  SKIP_UNLESS(TypeParam::kOnDisk, "no files to corrupt");
  {
    auto s = this->OpenNew();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 300, 1)).ok());
    ASSERT_TRUE(this->SnapshotSync(s.get(), 100, 1, 3, 0).ok());
    ASSERT_TRUE(this->SnapshotSync(s.get(), 200, 1, 3, 10).ok());  // entries <= 190 go
    s->Close();
  }
  const std::string newest = this->data_dir_ + "/snapshot.200";
  fs::resize_file(newest, 1000);
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  PersistentState state;
  Status status = s->Load(&state);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find(newest), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("truncated at byte 1000"), std::string::npos) << status.message();
}

// A flipped byte in the middle of a snapshot is a checksum mismatch, not a silent load.
TYPED_TEST(StorageTest, FlippedSnapshotByteIsDetected) {
  SKIP_UNLESS(TypeParam::kOnDisk, "no files to corrupt");
  {
    auto s = this->OpenNew();
    ASSERT_NE(s, nullptr);
    ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 100, 1)).ok());
    ASSERT_TRUE(this->SnapshotSync(s.get(), 100, 1, 3, 0, 100000).ok());
    s->Close();
  }
  const std::string path = this->data_dir_ + "/snapshot.100";
  std::string bytes = ReadFile(path);
  bytes[bytes.size() / 2] ^= 0x01;
  WriteFile(path, bytes);
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  PersistentState state;
  Status status = s->Load(&state);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.ToString();
  EXPECT_NE(status.message().find("checksum mismatch"), std::string::npos) << status.message();
}

// A snapshot being written when the process died was never acknowledged: it is removed.
TYPED_TEST(StorageTest, UnfinishedSnapshotIsRemoved) {
  SKIP_UNLESS(TypeParam::kOnDisk, "no files");
  fs::create_directories(this->data_dir_);
  const std::string tmp = this->data_dir_ + "/snapshot.300.tmp";
  WriteFile(tmp, "half a snapshot");
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  PersistentState state = this->LoadOk(s.get());
  EXPECT_FALSE(state.snapshot.has_value());
  EXPECT_FALSE(fs::exists(tmp));
  ASSERT_EQ(state.warnings.size(), 1u);
  EXPECT_NE(state.warnings[0].find(tmp), std::string::npos);
}

// ---- processes that die ---------------------------------------------------------------

// Entries the crash children write: sizes vary with the index (100..399 bytes).
size_t CrashEntrySize(uint64_t index) { return 100 + index % 300; }
std::vector<LogEntry> CrashEntries(uint64_t first, uint64_t last, uint64_t term) {
  std::vector<LogEntry> out;
  for (uint64_t i = first; i <= last; ++i) {
    out.push_back(LogEntry{i, term, 1, DataFor(i, CrashEntrySize(i))});
  }
  return out;
}

struct Report {
  uint64_t kind;  // 1: entries up to `value` acknowledged, 2: term `value` acknowledged
  uint64_t value;
};

// Child side (after fork): opens the storage, continues the log and reports every
// acknowledged append over `fd` until killed. Never returns; no gtest calls.
[[noreturn]] void RunWriterChild(StorageFactory* factory, const std::string& data_dir,
                                 const std::string& log_dir, int fd, uint64_t term,
                                 uint64_t max_entries, int window) {
  TestHost host(/*echo=*/false);
  Status status;
  std::unique_ptr<Storage> s = factory->Create(PluginConfig(), &host, &status);
  if (!status.ok() || !s->Open(data_dir, log_dir).ok()) _exit(10);
  PersistentState state;
  if (!s->Load(&state).ok()) _exit(11);
  uint64_t next = state.entries.empty() ? 1 : state.entries.back().index + 1;
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  auto report = [fd](uint64_t kind, uint64_t value) {
    Report r{kind, value};
    if (write(fd, &r, sizeof(r)) != sizeof(r)) _exit(12);  // atomic: sizeof(r) < PIPE_BUF
  };
  s->SetTermVote(term, 1, [&](const Status& st) {
    if (!st.ok()) _exit(13);
    report(2, term);
  });
  for (uint64_t n = 0; n < max_entries;) {
    const uint64_t count = 1 + (next % 7);
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight < window; });
      ++in_flight;
    }
    const uint64_t last = next + count - 1;
    s->Append(CrashEntries(next, last, term), [&, last](const Status& st) {
      if (!st.ok()) _exit(14);
      report(1, last);
      std::lock_guard<std::mutex> lock(mu);
      --in_flight;
      cv.notify_all();
    });
    next = last + 1;
    n += count;
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  _exit(0);  // without Close: as abrupt as a crash right after the last acknowledgement
}

// Reads one report; false on EOF or after the deadline.
bool ReadReport(int fd, Report* r, int timeout_ms) {
  size_t got = 0;
  char* p = reinterpret_cast<char*>(r);
  while (got < sizeof(*r)) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0) return false;
    ssize_t n = read(fd, p + got, sizeof(*r) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

// The key durability property: every entry whose `done` ran survives a SIGKILL at any
// point. A child appends and reports each acknowledgement over a pipe; the parent kills it
// after a random number of them, reopens, and finds every acknowledged entry intact.
TYPED_TEST(StorageTest, AcknowledgedEntriesSurviveSigkill) {
  SKIP_UNLESS(TypeParam::kDurable, "volatile (durable() == false)");
  std::mt19937 rng(20240611);  // seeded: the same kill points every run, up to timing
  uint64_t acked_index = 0;
  uint64_t acked_term = 0;
  for (uint64_t round = 1; round <= 4; ++round) {
    int pipe_fds[2];
    ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
    fflush(nullptr);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(pipe_fds[0]);
      RunWriterChild(this->factory_, this->data_dir_, this->log_dir_, pipe_fds[1], round,
                     /*max_entries=*/1000000, /*window=*/32);
    }
    close(pipe_fds[1]);
    const int kill_after = 20 + static_cast<int>(rng() % 2000);
    int reports = 0;
    Report r;
    while (reports < kill_after && ReadReport(pipe_fds[0], &r, 30000)) {
      ++reports;
      if (r.kind == 1) acked_index = std::max(acked_index, r.value);
      if (r.kind == 2) acked_term = std::max(acked_term, r.value);
    }
    kill(pid, SIGKILL);
    // Acknowledgements written before the kill are still in the pipe.
    while (ReadReport(pipe_fds[0], &r, 30000)) {
      if (r.kind == 1) acked_index = std::max(acked_index, r.value);
      if (r.kind == 2) acked_term = std::max(acked_term, r.value);
    }
    close(pipe_fds[0]);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with " << WEXITSTATUS(wstatus);
    ASSERT_EQ(reports, kill_after) << "child stopped reporting";

    auto s = this->OpenNew();
    ASSERT_NE(s, nullptr);
    PersistentState state = this->LoadOk(s.get());
    EXPECT_GE(state.term, acked_term) << "round " << round;
    ASSERT_FALSE(state.entries.empty());
    EXPECT_EQ(state.entries.front().index, 1u);
    EXPECT_GE(state.entries.back().index, acked_index)
        << "round " << round << ": acknowledged entries lost";
    for (const LogEntry& e : state.entries) {
      ASSERT_EQ(e.data, DataFor(e.index, CrashEntrySize(e.index))) << "entry " << e.index;
    }
    std::printf("round %llu: killed after %d acks, acknowledged up to %llu, recovered %llu\n",
                static_cast<unsigned long long>(round), kill_after,
                static_cast<unsigned long long>(acked_index),
                static_cast<unsigned long long>(state.entries.back().index));
    s->Close();
  }
}

// A write torn by a crash in the last transaction of the WAL is dropped on recovery (SQLite
// WAL frame checksums): the earlier, acknowledged transactions load, with a warning.
TYPED_TEST(StorageTest, TornWalTailIsDropped) {
  SKIP_UNLESS(TypeParam::kOnDisk, "no files");
  // Child: appends 60 entries one Append (one transaction) at a time, then exits without
  // Close, which leaves them in zk.db-wal (far below the checkpoint threshold).
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  fflush(nullptr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(pipe_fds[0]);
    RunWriterChild(this->factory_, this->data_dir_, this->log_dir_, pipe_fds[1], 1,
                   /*max_entries=*/60, /*window=*/1);
  }
  close(pipe_fds[1]);
  uint64_t acked = 0;
  Report r;
  while (ReadReport(pipe_fds[0], &r, 30000)) {
    if (r.kind == 1) acked = std::max(acked, r.value);
  }
  close(pipe_fds[0]);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  ASSERT_GE(acked, 60u);

  const std::string wal = this->log_dir_ + "/zk.db-wal";
  ASSERT_TRUE(fs::exists(wal));
  fs::resize_file(wal, fs::file_size(wal) - 100);  // tear the last frame

  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  PersistentState state = this->LoadOk(s.get());
  ASSERT_FALSE(state.entries.empty());
  EXPECT_LT(state.entries.back().index, acked) << "the torn transaction was not dropped";
  EXPECT_GE(state.entries.back().index, acked - 7) << "more than the last append was lost";
  ASSERT_FALSE(state.warnings.empty());
  EXPECT_NE(state.warnings[0].find("did not close cleanly"), std::string::npos);
}

}  // namespace
}  // namespace zk::testing
