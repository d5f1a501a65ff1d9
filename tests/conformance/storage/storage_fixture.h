// The typed fixture behind the storage conformance suite: every storage plugin is loaded from
// ZK_PLUGIN_DIR as a real .so (Boost.DLL, descriptor checked first, as the plugin loader
// does) and run through the same cases. Plugin differences are traits, not separate tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/dll/shared_library.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_host.h"
#include "zk/plugin.h"
#include "zk/storage.h"

namespace zk::testing {

// ---- plugins under test -------------------------------------------------------------------

struct SqlitePlugin {
  static constexpr const char* kName = "sqlite";
  static constexpr bool kDurable = true;  // survives Close/reopen and a SIGKILL
  static constexpr bool kOnDisk = true;   // has files a test can damage
  static constexpr bool kCountsFsyncs = true;
};
struct MemoryPlugin {
  static constexpr const char* kName = "memory";
  static constexpr bool kDurable = false;
  static constexpr bool kOnDisk = false;
  static constexpr bool kCountsFsyncs = false;
};
// gtest names the instances StorageTest/0, /1; ctest shows the type:
// "StorageTest.EmptyLoad<zk::testing::SqlitePlugin>" (CMake parses only numeric suffixes).
using StoragePlugins = ::testing::Types<SqlitePlugin, MemoryPlugin>;

// Loads libzk_storage_<name>.so once per process and never unloads it: a library must
// outlive every object it created (DESIGN §5). A test-local stand-in for
// core/src/plugin_loader so this suite does not depend on it.
inline StorageFactory* LoadStorageFactory(const std::string& name, std::string* error) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<boost::dll::shared_library>> libraries;
  std::lock_guard<std::mutex> lock(mu);
  const std::string path = std::string(ZK_PLUGIN_DIR) + "/libzk_storage_" + name + ".so";
  auto& lib = libraries[path];
  if (!lib) {
    boost::dll::fs::error_code ec;
    auto loaded =
        std::make_unique<boost::dll::shared_library>(path, ec, boost::dll::load_mode::rtld_now);
    if (ec) {
      *error = "cannot load " + path + ": " + ec.message();
      return nullptr;
    }
    lib = std::move(loaded);
  }
  if (!lib->has("zk_plugin_descriptor") || !lib->has("zk_plugin_factory")) {
    *error = path + " does not export zk_plugin_descriptor and zk_plugin_factory";
    return nullptr;
  }
  const zk_plugin_descriptor* d =
      lib->get_alias<const zk_plugin_descriptor*()>("zk_plugin_descriptor")();
  if (d->abi_major != ZK_PLUGIN_ABI_MAJOR || std::strcmp(d->kind, "storage") != 0 ||
      name != d->name || std::strcmp(d->compiler, ZK_COMPILER_TAG) != 0) {
    *error = path + ": descriptor says kind=" + d->kind + " name=" + d->name +
             " abi=" + std::to_string(d->abi_major) + " compiler=" + d->compiler;
    return nullptr;
  }
  PluginFactory* f = lib->get_alias<PluginFactory*()>("zk_plugin_factory")();
  return static_cast<StorageFactory*>(f);  // kind checked above
}

// ---- helpers ------------------------------------------------------------------------------

inline constexpr auto kDeadline = std::chrono::seconds(60);

// Deterministic entry payload, binary (NUL bytes included), starting with a marker
// ("entry-000812-") that the corruption tests search for in the files.
inline std::string DataFor(uint64_t index, size_t size) {
  char marker[32];
  std::snprintf(marker, sizeof(marker), "entry-%06llu-", static_cast<unsigned long long>(index));
  std::string data(marker);
  for (size_t i = data.size(); i < size; ++i) {
    data.push_back(static_cast<char>((index * 31 + i * 7) & 0xff));
  }
  data.resize(size);
  return data;
}

inline std::vector<LogEntry> Entries(uint64_t first, uint64_t last, uint64_t term,
                                     size_t size = 64) {
  std::vector<LogEntry> out;
  for (uint64_t i = first; i <= last; ++i) {
    out.push_back(LogEntry{i, term, static_cast<uint8_t>(i % 3), DataFor(i, size)});
  }
  return out;
}

// Records `done` calls (order, status, thread) and waits for them with a deadline.
class DoneLog {
 public:
  struct Call {
    int id;
    Status status;
    std::thread::id thread;
  };
  Storage::Done Make(int id) {
    return [this, id](Status s) {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(Call{id, std::move(s), std::this_thread::get_id()});
      cv_.notify_all();
    };
  }
  // True if `n` calls arrived before the deadline.
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return calls_.size() >= n; });
  }
  std::vector<Call> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Call> calls_;
};

// Parks the storage thread inside a `done` until Release(), so ops issued meanwhile queue
// up deterministically: what happens under load while a commit is slow.
class StorageGate {
 public:
  ~StorageGate() { Release(); }
  // Issues a SetTermVote(0, 0) whose `done` blocks; returns once the thread is parked.
  // REQUIRES: term and vote are still 0 (the op rewrites them).
  bool Hold(Storage* s) {
    s->SetTermVote(0, 0, [this](const Status&) {
      std::unique_lock<std::mutex> lock(mu_);
      parked_ = true;
      cv_.notify_all();
      cv_.wait_for(lock, kDeadline, [this] { return released_; });
    });
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [this] { return parked_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool parked_ = false;
  bool released_ = false;
};

// ---- fixture ------------------------------------------------------------------------------

template <typename Plugin>
class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zk-storage-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr) << std::strerror(errno);
    root_ = tmpl;
    // Separate dataDir and dataLogDir, as ZooKeeper operators are told to set them up.
    data_dir_ = root_ + "/data";
    log_dir_ = root_ + "/log";
    std::string error;
    factory_ = LoadStorageFactory(Plugin::kName, &error);
    ASSERT_NE(factory_, nullptr) << error;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  std::unique_ptr<Storage> Create(std::map<std::string, std::string> config = {}) {
    Status status = Status::Aborted("not called");
    auto storage = factory_->Create(PluginConfig(std::move(config)), &host_, &status);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return storage;
  }
  // Creates and opens a storage on this test's directories.
  std::unique_ptr<Storage> OpenNew(std::map<std::string, std::string> config = {}) {
    auto storage = Create(std::move(config));
    if (storage == nullptr) return nullptr;
    Status s = storage->Open(data_dir_, log_dir_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? std::move(storage) : nullptr;
  }

  // Runs one async op and waits for its `done`.
  template <typename Fn>
  static Status Await(Fn issue) {
    DoneLog log;
    issue(log.Make(0));
    if (!log.WaitFor(1)) return Status::Aborted("done not called within the deadline");
    return log.calls()[0].status;
  }
  static Status AppendSync(Storage* s, std::vector<LogEntry> entries) {
    return Await([&](Storage::Done d) { s->Append(std::move(entries), std::move(d)); });
  }
  static Status TermVoteSync(Storage* s, uint64_t term, uint64_t vote) {
    return Await([&](Storage::Done d) { s->SetTermVote(term, vote, std::move(d)); });
  }
  static Status TruncateSync(Storage* s, uint64_t from) {
    return Await([&](Storage::Done d) { s->Truncate(from, std::move(d)); });
  }
  static Status SnapshotSync(Storage* s, uint64_t index, uint64_t term, int retain,
                             uint64_t trailing, size_t size = 1000) {
    return Await([&](Storage::Done d) {
      s->SaveSnapshot(MakeSnapshot(index, term, size), retain, trailing, std::move(d));
    });
  }
  static Snapshot MakeSnapshot(uint64_t index, uint64_t term, size_t size) {
    Snapshot snap;
    snap.meta.index = index;
    snap.meta.term = term;
    snap.meta.configuration = "conf@" + std::to_string(index);
    snap.data = DataFor(index, size);
    return snap;
  }

  // Loads and checks the invariants every plugin must keep.
  static PersistentState LoadOk(Storage* s) {
    PersistentState state;
    Status status = s->Load(&state);
    EXPECT_TRUE(status.ok()) << status.ToString();
    uint64_t expect = state.snapshot ? state.snapshot->meta.index + 1 : 0;
    for (const LogEntry& e : state.entries) {
      if (expect != 0) {
        EXPECT_EQ(e.index, expect) << "entries not contiguous";
      }
      expect = e.index + 1;
    }
    return state;
  }

  TestHost host_;
  StorageFactory* factory_ = nullptr;
  std::string root_;
  std::string data_dir_;
  std::string log_dir_;
};

}  // namespace zk::testing
