// The real bin/zknode (standalone, sqlite storage) started on a damaged data directory: a
// flipped byte in a log entry, a zk.db cut mid-page, a torn snapshot that no log covers. It
// must refuse to start, exit with code 3 (data directory unusable) and say which file and
// where; a torn WAL tail (a crash in the middle of a commit) is dropped with a warning and
// the server starts. The Storage::Load level of these cases is in tests/conformance/storage;
// this is what an operator sees.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../../conformance/storage/test_host.h"
#include "../raft/ensemble.h"
#include "server/txn.h"

namespace zk::storage_faults {
namespace {

namespace fs = std::filesystem;
using raft_test::Plugins;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Valid log entries for the standalone election: each creates one session.
std::vector<LogEntry> SessionEntries(uint64_t first, uint64_t last) {
  std::vector<LogEntry> out;
  for (uint64_t i = first; i <= last; ++i) {
    server::Txn t;
    t.kind = server::TxnKind::kCreateSession;
    t.time_ms = 1'700'000'000'000;
    t.session_id = static_cast<int64_t>(0x100000000 + i);
    t.timeout_ms = 30000;
    t.passwd = std::string(16, 'p') + "-entry-" + std::to_string(i);
    LogEntry e;
    e.index = i;
    e.term = 1;
    e.data = server::EncodeTxn(t);
    out.push_back(std::move(e));
  }
  return out;
}

Status Wait(const std::function<void(Storage::Done)>& op) {
  auto p = std::make_shared<std::promise<Status>>();
  auto f = p->get_future();
  op([p](Status s) { p->set_value(std::move(s)); });
  return f.wait_for(std::chrono::seconds(20)) == std::future_status::ready
             ? f.get()
             : Status::Aborted("done never ran");
}

// A port nothing listens on now (zoo.cfg has no "any port"; clientPort=0 means unset).
uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

struct ZknodeRun {
  int exit_code = -1;
  std::string log;  // stderr
};

class ZknodeDataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zk-datadir-test-XXXXXX";
    root_ = mkdtemp(tmpl);
    data_ = root_ + "/data";
    fs::create_directories(data_);
    cfg_ = root_ + "/zoo.cfg";
    WriteFile(cfg_, "tickTime=2000\ndataDir=" + data_ + "\nclientPort=" +
                        std::to_string(FreePort()) +
                        "\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n"
                        "plugin.dir=" ZK_PLUGIN_DIR "\nplugin.storage=sqlite\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Storage> OpenSqlite() {
    Status s;
    auto st = Plugins::Get().storage("sqlite")->Create(PluginConfig(), &host_, &s);
    EXPECT_TRUE(s.ok()) << s.ToString();
    s = st->Open(data_, data_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return st;
  }
  // 200 entries in one Append, closed cleanly (the WAL checkpointed into zk.db).
  void Populate() {
    auto st = OpenSqlite();
    ASSERT_TRUE(Wait([&](Storage::Done d) { st->SetTermVote(1, 1, std::move(d)); }).ok());
    ASSERT_TRUE(Wait([&](Storage::Done d) { st->Append(SessionEntries(1, 200), std::move(d)); })
                    .ok());
    st->Close();
  }

  // Starts bin/zknode on the config; if it is still running once its log shows `ready`, stops
  // it with SIGTERM. Waits (bounded) for it to exit either way.
  ZknodeRun RunZknode(const std::string& ready = "Serving clients on") {
    const std::string log_path = root_ + "/zknode.log";
    const std::string bin = std::string(ZK_BIN_DIR) + "/zknode";
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 2);
      dup2(fd, 1);
      execl(bin.c_str(), bin.c_str(), cfg_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ZknodeRun run;
    int wstatus = 0;
    bool signalled = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      pid_t r = waitpid(pid, &wstatus, WNOHANG);
      if (r == pid) break;
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, &wstatus, 0);
        ADD_FAILURE() << "zknode neither exited nor became ready:\n" << ReadFile(log_path);
        break;
      }
      if (!signalled && ReadFile(log_path).find(ready) != std::string::npos) {
        kill(pid, SIGTERM);
        signalled = true;
      }
      // Polling a child process (no condition to block on short of a pipe protocol).
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    run.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    run.log = ReadFile(log_path);
    return run;
  }

  void ExpectRefused(const ZknodeRun& run, const std::vector<std::string>& says) {
    EXPECT_EQ(run.exit_code, 3) << "exit code 3: data directory unusable\n" << run.log;
    EXPECT_NE(run.log.find("exiting abnormally"), std::string::npos) << run.log;
    EXPECT_EQ(run.log.find("Serving clients"), std::string::npos) << run.log;
    for (const std::string& s : says) {
      EXPECT_NE(run.log.find(s), std::string::npos) << s << "\n" << run.log;
    }
    const size_t at = run.log.find("ERROR");
    if (at != std::string::npos) {
      std::printf("zknode said: %s", run.log.substr(at, run.log.find('\n', at) - at + 1).c_str());
    }
  }

  zk::testing::TestHost host_{false};
  std::string root_, data_, cfg_;
};

TEST_F(ZknodeDataDirTest, IntactDataDirStarts) {
  Populate();
  ZknodeRun run = RunZknode();
  EXPECT_EQ(run.exit_code, 0) << run.log;
  EXPECT_NE(run.log.find("standalone: recovered 200 log entries"), std::string::npos) << run.log;
}

TEST_F(ZknodeDataDirTest, FlippedEntryByteIsRefusedNamingFileAndEntry) {
  Populate();
  const std::string db = data_ + "/zk.db";
  std::string bytes = ReadFile(db);
  const size_t at = bytes.find("pppp-entry-120");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 3] ^= 0x01;
  WriteFile(db, bytes);
  ExpectRefused(RunZknode(), {"log entry 120 in " + db, "checksum mismatch"});
}

// zk.db cut in the middle of a page (a torn checkpoint, a truncated copy): SQLite's own
// checks find the missing pages; the message names the file.
TEST_F(ZknodeDataDirTest, TruncatedDatabaseIsRefusedNamingTheFile) {
  Populate();
  const std::string db = data_ + "/zk.db";
  const auto size = fs::file_size(db);
  ASSERT_GT(size, 8192u);
  fs::resize_file(db, size / 2 + 100);
  ExpectRefused(RunZknode(), {db});
}

// The newest snapshot is torn and the log it replaced is gone: refusing is the only safe
// answer, and the message says which file, at which byte, and what is missing.
TEST_F(ZknodeDataDirTest, TornSnapshotWithoutLogIsRefusedNamingFileAndByte) {
  Populate();
  {
    auto st = OpenSqlite();
    Snapshot snap;
    snap.meta.index = 150;
    snap.meta.term = 1;
    snap.data = std::string(4000, 's');
    ASSERT_TRUE(Wait([&](Storage::Done d) { st->SaveSnapshot(snap, 3, 0, std::move(d)); }).ok());
    st->Close();
  }
  const std::string file = data_ + "/snapshot.150";
  ASSERT_TRUE(fs::exists(file));
  fs::resize_file(file, 1000);
  ExpectRefused(RunZknode(), {"snapshot " + file + ": truncated at byte 1000",
                              "refusing to start"});
}

// A crash in the middle of the last commit leaves a torn WAL frame: SQLite drops that
// transaction, zknode warns and starts with everything before it.
TEST_F(ZknodeDataDirTest, TornWalTailIsDroppedWithAWarning) {
  fflush(nullptr);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // One Append (one commit) per entry, then exit without Close: they stay in zk.db-wal.
    auto st = OpenSqlite();
    for (uint64_t i = 1; i <= 40; ++i) {
      if (!Wait([&](Storage::Done d) { st->Append(SessionEntries(i, i), std::move(d)); }).ok()) {
        _exit(1);
      }
    }
    _exit(0);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  const std::string wal = data_ + "/zk.db-wal";
  ASSERT_TRUE(fs::exists(wal));
  fs::resize_file(wal, fs::file_size(wal) - 100);

  ZknodeRun run = RunZknode();
  EXPECT_EQ(run.exit_code, 0) << run.log;
  EXPECT_NE(run.log.find("did not close cleanly"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("standalone: recovered 39 log entries"), std::string::npos) << run.log;
}

}  // namespace
}  // namespace zk::storage_faults
