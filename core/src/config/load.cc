// LoadZooConfig: the file, dataDir/myid, and the rules that need myid
// (QuorumPeerConfig.setupMyId, setupClientPort, checkValidity; QuorumPeer.start).
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config_values.h"
#include "config/zoo_cfg.h"

namespace zk::config {
namespace {

namespace fs = std::filesystem;

Status ReadFile(const std::string& path, const std::string& what, std::string* out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return Status::IoError("cannot read " + what + " " + path + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::IoError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    return Status::IoError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  }
  *out = buf.str();
  return Status::OK();
}

std::string ServerIds(const ZooConfig& cfg) {
  std::vector<std::string> ids;
  for (const ServerLine& s : cfg.servers) ids.push_back(std::to_string(s.id));
  return internal::Join(ids);
}

// ZooKeeper reads the first line of myid with Long.parseLong; we trim it first, so that
// `echo 1 > myid` and a stray space both work.
Status ReadMyId(const std::string& path, ZooConfig* cfg) {
  std::string text;
  Status s = ReadFile(path, "myid file", &text);
  if (!s.ok()) return s;
  const std::string first_line = text.substr(0, text.find_first_of("\r\n"));
  const std::string id = internal::JavaTrim(first_line);
  int64_t v = 0;
  if (id.empty() || !internal::ParseDecimal(id, &v) || v < 0) {
    return Status::InvalidArgument(path + ": serverid " + (id.empty() ? "(empty)" : id) +
                                   " is not a number");
  }
  cfg->my_id = static_cast<uint64_t>(v);
  cfg->has_my_id = true;
  return Status::OK();
}

// QuorumPeerConfig.setupClientPort: the server line's client part wins over clientPort,
// and the two must not disagree.
Status ResolveClientPort(ZooConfig* cfg) {
  const ServerLine* self = cfg->self();
  if (self == nullptr || self->client_port == 0) return Status::OK();
  if (cfg->client_port != 0) {
    const bool wildcard = cfg->client_port_address.empty() || cfg->client_port_address == "0.0.0.0";
    const bool same_port = cfg->client_port == self->client_port;
    const bool same_address = wildcard || cfg->client_port_address == self->client_address;
    if (!same_port || !same_address) {
      auto show = [](const std::string& a, uint16_t port) {
        return (a.empty() ? std::string("0.0.0.0") : a) + ":" + std::to_string(port);
      };
      return Status::InvalidArgument(internal::Where(cfg->file, self->line) + ": key 'server." +
                                     std::to_string(self->id) + "': this server's client address " +
                                     show(self->client_address, self->client_port) +
                                     " differs from clientPort/clientPortAddress " +
                                     show(cfg->client_port_address, cfg->client_port) +
                                     "; set one of them, or make them agree");
    }
  }
  cfg->client_port = self->client_port;
  if (!self->client_address.empty()) cfg->client_port_address = self->client_address;
  return Status::OK();
}

}  // namespace

Status LoadZooConfig(const std::string& path, ZooConfig* out) {
  std::string text;
  Status s = ReadFile(path, "config file", &text);
  if (!s.ok()) return s;
  s = ParseZooConfig(text, path, out);
  if (!s.ok()) return s;
  if (out->data_dir.empty()) return Status::InvalidArgument(path + ": dataDir is not set");

  // ZooKeeper reads myid only when it is a regular file; standalone needs none.
  const std::string myid_path = (fs::path(out->data_dir) / "myid").string();
  std::error_code ec;
  if (fs::is_regular_file(myid_path, ec)) {
    s = ReadMyId(myid_path, out);
    if (!s.ok()) return s;
  }
  if (out->distributed()) {
    if (!out->has_my_id) {
      return Status::InvalidArgument(path + ": myid file is missing: expected " + myid_path +
                                     " holding this server's id, one of the server.X ids (" +
                                     ServerIds(*out) + ")");
    }
    if (out->self() == nullptr) {
      return Status::InvalidArgument(myid_path + ": My id " + std::to_string(out->my_id) +
                                     " not in the peer list: the server.X lines in " + path +
                                     " list " + ServerIds(*out));
    }
  }
  return ResolveClientPort(out);
}

}  // namespace zk::config
