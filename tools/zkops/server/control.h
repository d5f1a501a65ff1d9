// `zkops server start|start-foreground|stop|restart|status`: zkServer.sh's job, with the
// checks it lacks (operations.md §1.1, §1.2, lesson 8): start waits until the server serves
// and shows the log tail when it dies; stop waits for the exit and the port, and escalates
// to SIGKILL; status tells "down", "up but not serving", "srvr disabled" and "Mode: x" apart.
// Output keeps zkServer.sh's words ("Starting zookeeper ... STARTED", "Mode: follower",
// "Error contacting service. It is probably not running.") on `out`; explanations go to `err`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace zkops::server {

// Exit codes of every `zkops server` subcommand. 1 keeps zkServer.sh's meaning.
enum ExitCode : int {
  kExitOk = 0,
  kExitNotRunning = 1,     // start: already running; stop: nothing to stop; status: down
  kExitUsage = 2,          // bad command line, or a config zkops cannot read
  kExitFailedToStart = 3,  // zknode exited while starting, or the client port is taken
  kExitDidNotStart = 4,    // not serving within --timeout (the process is left running)
  kExitLaunchError = 5,    // cannot run zknode, create dataDir or write the pidfile
  kExitStopFailed = 6,     // cannot signal the process, or it survived SIGKILL
  kExitNotServing = 7,     // status: running but not serving (no quorum?) or not listening yet
  kExitWhitelist = 8,      // status: srvr refused by 4lw.commands.whitelist
  kExitNoAnswer = 9,       // status: the port accepts connections but srvr gets no answer
  kExitTransferFailed = 10,  // transfer: not the leader, standalone, or leadership did not move
};

struct ServerOptions {
  std::string config;    // zoo.cfg path as given
  std::string zknode;    // "" = $ZKNODE, else <directory of zkops>/zknode
  std::string pid_file;  // "" = $ZOOPIDFILE, else <dataDir>/zookeeper_server.pid
  std::string log_file;  // "" = <dataDir>/zknode.log (stdout+stderr of the daemon)
  std::optional<double> timeout_s;  // start: 30 s to serve; stop: 10 s before SIGKILL
  // Ensembles only: how long start waits for a quorum once the server answers "not
  // currently serving"; then it reports STARTED with a note. A standalone server must serve.
  double wait_serving_s = 5;
  double probe_timeout_s = 5;  // status: srvr timeout (FourLetterWordMain's 5000 ms)
  size_t tail_lines = 20;      // log lines shown when a start fails
};

inline constexpr double kDefaultStartTimeoutS = 30;
inline constexpr double kDefaultStopTimeoutS = 10;
inline constexpr const char* kDefaultLogName = "zknode.log";
inline constexpr const char* kPidFileName = "zookeeper_server.pid";

// "2.5 s", "30 s".
std::string FormatSeconds(double seconds);

// One instance (one zoo.cfg) under control. Not thread-safe; one per command invocation.
class ServerControl {
 public:
  ServerControl(ServerOptions options, std::ostream& out, std::ostream& err);

  int Start();
  // Writes the pidfile and execs zknode in the foreground; returns only on failure.
  int StartForeground();
  int Stop();
  int Restart();
  int Status();
  // Asks the running server to hand leadership to server `to` ("any": the most up-to-date).
  int Transfer(const std::string& to);

 private:
  using Clock = std::chrono::steady_clock;
  enum class Running { kNo, kYes, kStale };

  // Prints "Using config: ..." once, loads zoo.cfg, resolves paths. 0 or an exit code.
  // `lenient`: if the full parse fails, fall back to reading dataDir/clientPort only (a
  // server must stay stoppable after someone breaks its config).
  int Load(bool lenient);
  // Reads the pidfile; a dead or foreign pid (or garbage) makes it stale, and then it is
  // removed if `remove_stale`.
  Running CheckPidFile(pid_t* pid, std::string* why_stale, bool remove_stale);
  std::string ResolveZknode() const;
  int WaitUntilServing(pid_t pid, uint64_t log_offset);
  void PrintLogTail(uint64_t from_offset);
  // SIGTERM, wait, SIGKILL. 0 or kExitStopFailed.
  int Terminate(pid_t pid, double timeout_s);
  std::string Where() const;  // "host:port" of the client port

  ServerOptions options_;
  std::ostream& out_;
  std::ostream& err_;

  bool loaded_ = false;
  bool fell_back_ = false;  // loaded leniently: Start must load again strictly
  bool printed_using_ = false;
  std::string config_abs_;
  std::string data_dir_;
  std::string pid_file_;
  std::string log_file_;
  std::string probe_host_;
  uint16_t client_port_ = 0;
  bool distributed_ = false;
};

}  // namespace zkops::server
