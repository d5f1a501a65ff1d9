#include "provision/provision.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace zkops::provision {
namespace {

namespace fs = std::filesystem;
using Action = Step::Action;
using inventory::RenderedCluster;
using inventory::RenderedServer;

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Files that say nothing about whose data a directory holds: ours, and the pidfile and log
// `zkops server` keeps there.
bool IsBookkeeping(const std::string& name) {
  return name == kMarkerFile || name == "myid" || name == "zookeeper_server.pid" ||
         name == "zknode.log" || name == "lost+found";
}

struct Plan {
  ServerOutcome outcome;
  // What to do, in order, once nothing was refused.
  struct Dir {
    std::string path;
    int mode;
  };
  struct File {
    std::string path, text;
    int mode;
  };
  std::vector<Dir> dirs;
  std::vector<File> files;
};

class Planner {
 public:
  Planner(const RenderedCluster& cluster, const RenderedServer& server, const Options& options)
      : cluster_(cluster), server_(server), options_(options) {}

  Plan Make() {
    plan_.outcome.server = &server_;
    Dir(server_.data_dir, 0750);
    if (server_.data_log_dir != server_.data_dir) Dir(server_.data_log_dir, 0750);
    Dir(server_.conf_dir, 0755);
    if (server_.log_dir != server_.data_dir && server_.log_dir != server_.data_log_dir) {
      Dir(server_.log_dir, 0755);
    }
    const std::string marker_text = cluster_.cluster + "\n";
    const bool myid_ok = CheckMyId();
    CheckDataDir(server_.data_dir, marker_text, myid_ok);
    if (server_.data_log_dir != server_.data_dir) {
      CheckDataDir(server_.data_log_dir, marker_text, myid_ok);
    }
    File(server_.data_dir + "/" + kMarkerFile, marker_text, 0644, "cluster marker");
    if (server_.data_log_dir != server_.data_dir) {
      File(server_.data_log_dir + "/" + kMarkerFile, marker_text, 0644, "cluster marker");
    }
    File(server_.myid_path, server_.myid, 0644, "myid " + Trim(server_.myid));
    CheckZooCfg();
    File(server_.zoo_cfg_path, server_.zoo_cfg, 0644, "zoo.cfg");
    if (options_.systemd) {
      inventory::RenderedUnit unit = inventory::RenderSystemdUnit(cluster_, server_);
      Dir(options_.unit_dir, 0755);
      File(options_.unit_dir + "/" + unit.name, unit.text, 0644, "systemd unit");
    }
    return std::move(plan_);
  }

 private:
  void Add(Action action, const std::string& path, const std::string& detail) {
    plan_.outcome.steps.push_back({action, path, detail});
    if (action == Action::kRefuse) plan_.outcome.refused = true;
  }

  void Dir(const std::string& path, int mode) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      Add(Action::kUnchanged, path, "directory");
      return;
    }
    if (fs::exists(path, ec)) {
      Add(Action::kRefuse, path, "exists and is not a directory");
      return;
    }
    Add(Action::kCreate, path, "directory");
    plan_.dirs.push_back({path, mode});
  }

  void File(const std::string& path, const std::string& text, int mode, const std::string& what) {
    std::optional<std::string> current = ReadFile(path);
    if (current && *current == text) {
      Add(Action::kUnchanged, path, what);
      return;
    }
    Add(current ? Action::kUpdate : Action::kCreate, path,
        what + (current ? ", content differs" : ""));
    plan_.files.push_back({path, text, mode});
  }

  // true when dataDir/myid holds this server's id.
  bool CheckMyId() {
    std::optional<std::string> current = ReadFile(server_.myid_path);
    if (!current) return false;
    const std::string have = Trim(*current);
    const std::string want = Trim(server_.myid);
    if (have == want) return true;
    if (options_.force) {
      Add(Action::kNote, server_.myid_path,
          "holds myid '" + have + "'; --force replaces it with " + want);
    } else {
      Add(Action::kRefuse, server_.myid_path,
          "holds myid '" + have + "', not " + want +
              ": another server's dataDir? (--force replaces it)");
    }
    return false;
  }

  void CheckDataDir(const std::string& dir, const std::string& marker_text, bool myid_ok) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    const std::string marker_path = dir + "/" + kMarkerFile;
    std::optional<std::string> marker = ReadFile(marker_path);
    if (marker) {
      if (*marker == marker_text) return;
      const std::string other = Trim(*marker);
      if (options_.force) {
        Add(Action::kNote, marker_path,
            "marks cluster '" + other + "'; --force takes it over for '" + cluster_.cluster + "'");
      } else {
        Add(Action::kRefuse, dir,
            "belongs to cluster '" + other + "' (" + marker_path + "), not '" + cluster_.cluster +
                "' (--force takes it over; data is never deleted)");
      }
      return;
    }
    std::vector<std::string> data;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!IsBookkeeping(name)) data.push_back(name);
    }
    if (data.empty()) return;
    std::sort(data.begin(), data.end());
    std::string listed;
    for (size_t i = 0; i < data.size() && i < 3; ++i) listed += (i ? ", " : "") + data[i];
    if (data.size() > 3) listed += ", ...";
    if (myid_ok) {
      // The seed's hand-made dataDir (echo N > myid) of this very server: adopt it.
      Add(Action::kNote, dir,
          "holds data (" + listed + ") and this server's myid: adopted for cluster '" +
              cluster_.cluster + "'");
    } else if (options_.force) {
      Add(Action::kNote, dir, "holds data (" + listed + ") of unknown origin; --force adopts it");
    } else {
      Add(Action::kRefuse, dir,
          "holds data (" + listed + ") but no " + std::string(kMarkerFile) +
              " marker and no matching myid: another cluster's? (--force adopts it)");
    }
  }

  void CheckZooCfg() {
    std::optional<std::string> current = ReadFile(server_.zoo_cfg_path);
    if (!current || *current == server_.zoo_cfg) return;
    if (current->find(kRenderedTag) != std::string::npos) return;
    if (options_.force) {
      Add(Action::kNote, server_.zoo_cfg_path, "was not rendered by zkops; --force replaces it");
    } else {
      Add(Action::kRefuse, server_.zoo_cfg_path,
          "exists and was not rendered by zkops (hand-written?); move it away or use --force");
    }
  }

  const RenderedCluster& cluster_;
  const RenderedServer& server_;
  const Options& options_;
  Plan plan_;
};

}  // namespace

int ServerOutcome::changes() const {
  int n = 0;
  for (const Step& s : steps) n += (s.action == Action::kCreate || s.action == Action::kUpdate);
  return n;
}

zk::Status WriteFileAtomically(const std::string& path, const std::string& text, int mode) {
  const std::string tmp = path + ".zkops-tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return zk::Status::IoError("cannot create " + tmp + ": " + std::strerror(errno));
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  std::string why = ok ? "" : std::strerror(errno);
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    why = std::strerror(errno);
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return zk::Status::IoError("cannot write " + path + ": " + why);
  }
  // The rename is durable once the directory is.
  const std::string dir = fs::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return zk::Status::OK();
}

ServerOutcome ProvisionServer(const RenderedCluster& cluster, const RenderedServer& server,
                              const Options& options) {
  Plan plan = Planner(cluster, server, options).Make();
  ServerOutcome& out = plan.outcome;
  if (options.dry_run || out.refused) return std::move(out);
  for (const Plan::Dir& d : plan.dirs) {
    std::error_code ec;
    fs::create_directories(d.path, ec);
    if (ec) {
      out.error = zk::Status::IoError("cannot create directory " + d.path + ": " + ec.message());
      return std::move(out);
    }
    ::chmod(d.path.c_str(), d.mode);
  }
  for (const Plan::File& f : plan.files) {
    out.error = WriteFileAtomically(f.path, f.text, f.mode);
    if (!out.error.ok()) return std::move(out);
  }
  return std::move(out);
}

std::string FormatStep(const Step& step, bool dry_run) {
  std::string verb;
  switch (step.action) {
    case Action::kCreate:
      verb = dry_run ? "would create" : "created";
      break;
    case Action::kUpdate:
      verb = dry_run ? "would update" : "updated";
      break;
    case Action::kUnchanged:
      verb = "unchanged";
      break;
    case Action::kRefuse:
      verb = "REFUSED";
      break;
    case Action::kNote:
      verb = "note";
      break;
  }
  std::string out = "  " + verb;
  out.resize(16, ' ');
  return out + step.path + (step.detail.empty() ? "" : " (" + step.detail + ")");
}

}  // namespace zkops::provision
