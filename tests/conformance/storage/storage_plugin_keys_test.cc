// The keys each storage plugin declares (<kind>.<name>.<key> in zoo.cfg) and that each one
// changes behaviour. Per plugin by nature, so not part of the typed suite.
#include <gtest/gtest.h>

#include "storage_fixture.h"

namespace zk::testing {
namespace {

class SqliteKeysTest : public StorageTest<SqlitePlugin> {
 protected:
  // 300 single-entry appends queued while the storage thread is busy; returns the fsyncs
  // they cost.
  uint64_t QueuedAppendFsyncs(Storage* s) {
    StorageGate gate;
    EXPECT_TRUE(gate.Hold(s));
    const uint64_t before = s->Stats().fsyncs;
    DoneLog log;
    for (int i = 1; i <= 300; ++i) s->Append(Entries(i, i, 1), log.Make(i));
    gate.Release();
    EXPECT_TRUE(log.WaitFor(300));
    for (const auto& c : log.calls()) EXPECT_TRUE(c.status.ok()) << c.status.ToString();
    return s->Stats().fsyncs - before;
  }
};

TEST_F(SqliteKeysTest, DeclaresItsKeys) {
  std::vector<KeySpec> keys = factory_->Keys();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].name, "synchronous");
  EXPECT_EQ(keys[0].default_value, "full");
  EXPECT_EQ(keys[1].name, "maxBatch");
  EXPECT_EQ(keys[1].type, KeySpec::Type::kInt);
  EXPECT_EQ(keys[1].default_value, "1000");
}

TEST_F(SqliteKeysTest, RejectsBadValues) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"synchronous", "off"}, {"maxBatch", "0"}, {"maxBatch", "many"}}) {
    Status status;
    auto s = factory_->Create(PluginConfig(std::map<std::string, std::string>{{key, value}}),
                              &host_, &status);
    EXPECT_EQ(s, nullptr);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(status.message().find("storage.sqlite." + key), std::string::npos)
        << status.message();
  }
}

// maxBatch caps the entries one commit carries: with 10, 300 queued appends need 30
// commits, each one fsync of the WAL; with the default they share one.
TEST_F(SqliteKeysTest, MaxBatchBoundsEntriesPerCommit) {
  auto small = OpenNew({{"maxBatch", "10"}});
  ASSERT_NE(small, nullptr);
  const uint64_t small_fsyncs = QueuedAppendFsyncs(small.get());
  small->Close();
  std::filesystem::remove_all(root_);
  auto dflt = OpenNew();
  ASSERT_NE(dflt, nullptr);
  const uint64_t default_fsyncs = QueuedAppendFsyncs(dflt.get());
  EXPECT_GE(small_fsyncs, 30u);
  EXPECT_LE(default_fsyncs, 3u);
}

// synchronous=normal: commits are not fsynced (only checkpoints are), and the plugin says
// it is not durable.
TEST_F(SqliteKeysTest, SynchronousNormalSkipsCommitFsyncs) {
  auto s = OpenNew({{"synchronous", "normal"}});
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(s->durable());
  const uint64_t before = s->Stats().fsyncs;
  for (uint64_t i = 1; i <= 50; ++i) ASSERT_TRUE(AppendSync(s.get(), Entries(i, i, 1)).ok());
  EXPECT_EQ(s->Stats().fsyncs - before, 0u);

  auto full = Create();
  ASSERT_NE(full, nullptr);
  EXPECT_TRUE(full->durable());
}

// One directory, one writer: a second zknode on the same dataLogDir fails at Open.
TEST_F(SqliteKeysTest, SecondOpenOfTheSameDirectoryFails) {
  OpenNew()->Close();      // an existing database: Open itself writes nothing
  auto first = OpenNew();  // holds the lock from Open on, before any write
  ASSERT_NE(first, nullptr);
  auto second = Create();
  ASSERT_NE(second, nullptr);
  Status status = second->Open(data_dir_, log_dir_);
  EXPECT_EQ(status.code(), Status::Code::kIoError) << status.ToString();
  EXPECT_NE(status.message().find("in use"), std::string::npos) << status.message();
  // The first one is unaffected.
  ASSERT_TRUE(AppendSync(first.get(), Entries(1, 1, 1)).ok());
  EXPECT_EQ(LoadOk(first.get()).entries.size(), 1u);
}

TEST(MemoryKeysTest, DeclaresAllowEnsemble) {
  std::string error;
  StorageFactory* factory = LoadStorageFactory("memory", &error);
  ASSERT_NE(factory, nullptr) << error;
  std::vector<KeySpec> keys = factory->Keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].name, "allowEnsemble");
  EXPECT_EQ(keys[0].type, KeySpec::Type::kBool);
  EXPECT_EQ(keys[0].default_value, "false");
}

}  // namespace
}  // namespace zk::testing
