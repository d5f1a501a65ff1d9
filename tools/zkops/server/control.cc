// ServerControl: config loading, pidfile checks, status and restart. Start: start.cc; stop:
// stop.cc.
#include "server/control.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/zoo_cfg.h"
#include "net/four_letter.h"
#include "server/files.h"
#include "server/process.h"

namespace zkops::server {
namespace {

// zkServer.sh's fallback: dataDir, clientPort, clientPortAddress and this server's
// `server.N=...;[addr:]port` read as plain properties, without validating anything else.
bool LenientRead(const std::string& path, std::string* data_dir, uint16_t* port,
                 std::string* address, bool* distributed, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path;
    return false;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<zk::config::Property> props;
  zk::Status s = zk::config::ParseProperties(text, &props);
  if (!s.ok()) {
    *error = s.message();
    return false;
  }
  std::map<std::string, std::string> kv;
  int servers = 0;
  for (const auto& p : props) {
    kv[p.key] = p.value;
    if (p.key.rfind("server.", 0) == 0) ++servers;
  }
  *distributed = servers > 1;
  *data_dir = kv["dataDir"];
  *address = kv["clientPortAddress"];
  std::string port_text = kv["clientPort"];
  if (port_text.empty() && !data_dir->empty()) {
    std::ifstream myid_in(*data_dir + "/myid");
    std::string myid;
    if (myid_in >> myid) {
      std::string line = kv["server." + myid];
      size_t semi = line.find(';');
      if (semi != std::string::npos) {
        std::string client = line.substr(semi + 1);
        size_t colon = client.rfind(':');
        if (colon != std::string::npos) {
          std::string addr = client.substr(0, colon);
          if (addr.size() >= 2 && addr.front() == '[') addr = addr.substr(1, addr.size() - 2);
          *address = addr;
          client = client.substr(colon + 1);
        }
        port_text = client;
      }
    }
  }
  char* end = nullptr;
  long port_value = std::strtol(port_text.c_str(), &end, 10);
  *port = (!port_text.empty() && *end == '\0' && port_value > 0 && port_value < 65536)
              ? static_cast<uint16_t>(port_value)
              : 0;
  return true;
}

}  // namespace

std::string FormatSeconds(double seconds) {
  std::string text = std::to_string(seconds);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text + " s";
}

ServerControl::ServerControl(ServerOptions options, std::ostream& out, std::ostream& err)
    : options_(std::move(options)), out_(out), err_(err) {}

std::string ServerControl::Where() const {
  bool v6 = probe_host_.find(':') != std::string::npos;
  return (v6 ? "[" + probe_host_ + "]" : probe_host_) + ":" + std::to_string(client_port_);
}

int ServerControl::Load(bool lenient) {
  if (loaded_ && (lenient || !fell_back_)) return 0;
  std::error_code ec;
  config_abs_ = std::filesystem::absolute(options_.config, ec).lexically_normal().string();
  if (ec) config_abs_ = options_.config;
  if (!printed_using_) {
    err_ << "Using config: " << config_abs_ << "\n";  // zkServer.sh prints it to stderr too
    printed_using_ = true;
  }
  if (!std::filesystem::is_regular_file(config_abs_, ec)) {
    err_ << "zkops: config file " << config_abs_ << " not found\n";
    return kExitUsage;
  }
  std::string address;
  zk::config::ZooConfig cfg;
  zk::Status s = zk::config::LoadZooConfig(config_abs_, &cfg);
  if (s.ok()) {
    data_dir_ = cfg.data_dir;
    client_port_ = cfg.client_port;
    address = cfg.client_port_address;
    if (address.empty() && cfg.self() != nullptr) address = cfg.self()->client_address;
    distributed_ = cfg.distributed();
  } else if (lenient) {
    std::string error;
    if (!LenientRead(config_abs_, &data_dir_, &client_port_, &address, &distributed_, &error)) {
      err_ << "zkops: " << s.message() << "\n";
      return kExitUsage;
    }
    err_ << "warning: " << s.message() << " (reading dataDir and clientPort only)\n";
    fell_back_ = true;
  } else {
    err_ << "zkops: " << s.message() << "\n";
    return kExitUsage;
  }
  if (s.ok()) fell_back_ = false;
  if (data_dir_.empty()) {
    err_ << "zkops: dataDir is not set in " << config_abs_ << "\n";
    return kExitUsage;
  }
  // zkServer.sh status: clientPortAddress defaults to localhost.
  probe_host_ = address.empty() ? "localhost" : address;
  const char* env_pid = std::getenv("ZOOPIDFILE");
  pid_file_ = !options_.pid_file.empty() ? options_.pid_file
              : (env_pid != nullptr && *env_pid != '\0')
                  ? env_pid
                  : data_dir_ + "/" + kPidFileName;
  log_file_ = !options_.log_file.empty() ? options_.log_file
                                         : data_dir_ + "/" + kDefaultLogName;
  loaded_ = true;
  return 0;
}

ServerControl::Running ServerControl::CheckPidFile(pid_t* pid, std::string* why_stale,
                                                  bool remove_stale) {
  zk::Status s = ReadPidFile(pid_file_, pid);
  if (s.code() == zk::Status::Code::kNotFound) return Running::kNo;
  if (!s.ok()) {
    *why_stale = s.message();
    *pid = 0;
  } else if (!IsAlive(*pid)) {
    *why_stale = "process " + std::to_string(*pid) + " is not running";
  } else if (CommandLineNames(*pid, config_abs_) == Identity::kDiffers) {
    *why_stale = "process " + std::to_string(*pid) + " is not a server for " + config_abs_;
  } else {
    return Running::kYes;
  }
  if (!remove_stale) return Running::kStale;
  if (*pid > 0) {
    RemovePidFileIf(pid_file_, *pid);
  } else {
    std::error_code ec;
    std::filesystem::remove(pid_file_, ec);
  }
  return Running::kStale;
}

std::string ServerControl::ResolveZknode() const {
  if (!options_.zknode.empty()) return options_.zknode;
  const char* env = std::getenv("ZKNODE");
  if (env != nullptr && *env != '\0') return env;
  std::string dir = SelfExeDir();
  return (dir.empty() ? std::string(".") : dir) + "/zknode";
}

int ServerControl::Status() {
  if (int rc = Load(/*lenient=*/true); rc != 0) return rc;
  if (client_port_ == 0) {
    out_ << "Unable to find either secure or unsecure client port in any configs. "
            "Terminating.\n";
    return kExitUsage;
  }
  // zkServer.sh 3.8 prints this line (operations.md §1.2); no secure port support yet.
  out_ << "Client port found: " << client_port_ << ". Client address: " << probe_host_
       << ". Client SSL: false.\n";
  auto timeout = std::chrono::milliseconds(static_cast<int64_t>(options_.probe_timeout_s * 1000));
  net::SrvrStatus st = net::ProbeSrvr(probe_host_, client_port_, timeout);
  switch (st.state) {
    case net::ServerState::kServing:
      out_ << "Mode: " << st.mode << "\n";
      return kExitOk;
    case net::ServerState::kNotServing:
      out_ << "Running but not serving requests (no quorum?): " << Where() << " answered '"
           << net::kNotServingText << "'\n";
      return kExitNotServing;
    case net::ServerState::kWhitelistDenied:
      out_ << "Running, but srvr is not in 4lw.commands.whitelist on " << Where()
           << ": cannot read Mode\n";
      return kExitWhitelist;
    case net::ServerState::kNoAnswer:
    case net::ServerState::kUnrecognised:
      out_ << "Port " << Where() << " is open but gave no ZooKeeper answer to srvr ("
           << st.detail << ")\n";
      return kExitNoAnswer;
    case net::ServerState::kRefused:
    case net::ServerState::kUnreachable: {
      pid_t pid = 0;
      std::string why;
      if (CheckPidFile(&pid, &why, /*remove_stale=*/false) == Running::kYes) {
        out_ << "Running but not serving requests: process " << pid << " is alive but "
             << Where() << " refuses connections (still starting?)\n";
        return kExitNotServing;
      }
      if (st.state == net::ServerState::kUnreachable) err_ << st.detail << "\n";
      out_ << "Error contacting service. It is probably not running.\n";
      return kExitNotRunning;
    }
  }
  return kExitNoAnswer;
}

int ServerControl::Restart() {
  // zkServer.sh restart: stop (whatever it finds), then start. Unlike it, refuse before
  // stopping anything if the config would not start again.
  if (int rc = Load(/*lenient=*/false); rc != 0) return rc;
  int rc = Stop();
  if (rc != kExitOk && rc != kExitNotRunning) return rc;
  return Start();
}

}  // namespace zkops::server
