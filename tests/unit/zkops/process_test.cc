// server/process: the detached launch, reaping, identity and signals.
#include "server/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace zkops::server {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<ExitInfo> WaitExit(pid_t pid, std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (auto info = TryReap(pid)) return info;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zkops-process-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    log_path_ = dir_ + "/log";
    log_fd_ = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ASSERT_GE(log_fd_, 0);
  }
  void TearDown() override {
    ::close(log_fd_);
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::string log_path_;
  int log_fd_ = -1;
};

TEST_F(ProcessTest, LaunchRedirectsOutputAndReportsExitCode) {
  pid_t pid = 0;
  ASSERT_TRUE(LaunchDetached({"/bin/sh", "-c", "echo to-out; echo to-err >&2; cat; exit 7"},
                             log_fd_, &pid)
                  .ok());
  auto info = WaitExit(pid, std::chrono::seconds(10));
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->signaled);
  EXPECT_EQ(info->code, 7);  // `cat` got EOF at once: stdin is /dev/null
  EXPECT_EQ(ReadAll(log_path_), "to-out\nto-err\n");
  EXPECT_EQ(DescribeExit(*info), "exited with code 7");
  EXPECT_FALSE(IsAlive(pid));
}

TEST_F(ProcessTest, DaemonLeadsItsSessionAndInheritsNoOtherDescriptor) {
  int leak = ::open("/dev/null", O_RDONLY);  // deliberately not O_CLOEXEC
  ASSERT_GE(leak, 3);
  pid_t pid = 0;
  ASSERT_TRUE(LaunchDetached({"/bin/sh", "-c", "exec sleep 30"}, log_fd_, &pid).ok());
  ::close(leak);
  EXPECT_TRUE(IsAlive(pid));
  EXPECT_EQ(::getsid(pid), pid);
  EXPECT_EQ(ProcessGroupOf(pid), pid);
  // Once the shell has exec'd sleep (a shell starting up may hold a descriptor for a moment),
  // only 0, 1 and 2 are open: nothing of ours leaked through the launch.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string comm;
  while (comm != "sleep" && std::chrono::steady_clock::now() < deadline) {
    std::ifstream("/proc/" + std::to_string(pid) + "/comm") >> comm;
    if (comm != "sleep") std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(comm, "sleep");
  int fds = 0;
  for (auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    (void)e;
    ++fds;
  }
  EXPECT_EQ(fds, 3);
  ASSERT_TRUE(SendSignal(pid, SIGKILL).ok());
  auto info = WaitExit(pid, std::chrono::seconds(10));
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->signaled);
  EXPECT_EQ(info->code, SIGKILL);
  EXPECT_EQ(SendSignal(pid, SIGTERM).code(), zk::Status::Code::kNotFound);
}

TEST_F(ProcessTest, CommandLineNamesTheConfig) {
  const std::string cfg = dir_ + "/zoo.cfg";
  const std::string other = dir_ + "/other.cfg";
  std::ofstream(cfg) << "x";
  std::ofstream(other) << "x";
  pid_t pid = 0;
  // "; :" keeps the shell (and its argv) alive instead of exec-ing sleep.
  ASSERT_TRUE(LaunchDetached({"/bin/sh", "-c", "sleep 30; :", "zknode", cfg}, log_fd_, &pid)
                  .ok());
  // The vfork-style spawn returns while execve is still filling in the new argv, when
  // /proc/<pid>/cmdline reads empty (kUnknown).
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (CommandLineNames(pid, cfg) == Identity::kUnknown && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(CommandLineNames(pid, cfg), Identity::kMatches);
  EXPECT_EQ(CommandLineNames(pid, dir_ + "/./zoo.cfg"), Identity::kMatches);
  EXPECT_EQ(CommandLineNames(pid, other), Identity::kDiffers);
  EXPECT_EQ(CommandLineNames(pid, dir_ + "/missing.cfg"), Identity::kUnknown);
  ::kill(pid, SIGKILL);
  ASSERT_TRUE(WaitExit(pid, std::chrono::seconds(10)).has_value());
}

TEST_F(ProcessTest, LaunchOfAMissingBinaryFails) {
  pid_t pid = 0;
  zk::Status s = LaunchDetached({dir_ + "/no-such-zknode", "x"}, log_fd_, &pid);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("No such file"), std::string::npos) << s.message();
}

TEST(DescribeExit, NamesZooKeeperExitCodes) {
  EXPECT_EQ(DescribeExit({false, 2}), "exited with code 2 (invalid invocation or configuration)");
  EXPECT_EQ(DescribeExit({false, 14}), "exited with code 14 (unable to bind the quorum port)");
  EXPECT_EQ(DescribeExit({true, 9}).rfind("was killed by signal 9", 0), 0u);
}

TEST(IsAlive, SelfAndNonsense) {
  EXPECT_TRUE(IsAlive(::getpid()));
  EXPECT_FALSE(IsAlive(0));
  EXPECT_FALSE(IsAlive(-1));
}

}  // namespace
}  // namespace zkops::server
