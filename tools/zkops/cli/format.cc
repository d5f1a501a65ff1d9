#include "cli/format.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <string>
#include <utility>

#include "proto/codec.h"

namespace zkops::cli {

using zk::proto::ErrorCode;
using zk::proto::EventType;
using zk::proto::KeeperState;

std::string JavaDate(int64_t epoch_ms) {
  // Date keeps milliseconds; toString shows whole seconds, rounding toward -infinity.
  int64_t secs = epoch_ms / 1000 - ((epoch_ms % 1000 < 0) ? 1 : 0);
  time_t t = static_cast<time_t>(secs);
  tm lt{};
  localtime_r(&t, &lt);
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string zone = lt.tm_zone != nullptr ? lt.tm_zone : "GMT";
  if (zone.empty() || zone[0] == '+' || zone[0] == '-') {
    // glibc has no abbreviation for some zones ("+08"); Java prints "GMT+08:00" there.
    long off = lt.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    char buf[48];
    std::snprintf(buf, sizeof(buf), "GMT%c%02ld:%02ld", sign, off / 3600, (off % 3600) / 60);
    zone = buf;
  }
  char out[96];
  std::snprintf(out, sizeof(out), "%s %s %02d %02d:%02d:%02d %s %d", kDays[lt.tm_wday],
                kMonths[lt.tm_mon], lt.tm_mday, lt.tm_hour, lt.tm_min, lt.tm_sec, zone.c_str(),
                lt.tm_year + 1900);
  return out;
}

namespace {
std::string Hex(int64_t v) {  // Long.toHexString: two's complement, no leading zeros
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%" PRIx64, static_cast<uint64_t>(v));
  return buf;
}
}  // namespace

std::string FormatStat(const zk::proto::Stat& s) {
  std::string out;
  out += "cZxid = " + Hex(s.czxid) + "\n";
  out += "ctime = " + JavaDate(s.ctime) + "\n";
  out += "mZxid = " + Hex(s.mzxid) + "\n";
  out += "mtime = " + JavaDate(s.mtime) + "\n";
  out += "pZxid = " + Hex(s.pzxid) + "\n";
  out += "cversion = " + std::to_string(s.cversion) + "\n";
  out += "dataVersion = " + std::to_string(s.version) + "\n";
  out += "aclVersion = " + std::to_string(s.aversion) + "\n";
  out += "ephemeralOwner = " + Hex(s.ephemeral_owner) + "\n";
  out += "dataLength = " + std::to_string(s.data_length) + "\n";
  out += "numChildren = " + std::to_string(s.num_children) + "\n";
  return out;
}

std::string PermString(int32_t perms) {
  std::string p;
  if (perms & zk::proto::kPermCreate) p += 'c';
  if (perms & zk::proto::kPermDelete) p += 'd';
  if (perms & zk::proto::kPermRead) p += 'r';
  if (perms & zk::proto::kPermWrite) p += 'w';
  if (perms & zk::proto::kPermAdmin) p += 'a';
  return p;
}

namespace {
// jute Utils.toCSVString: a leading quote, and %XX for the CSV separators.
std::string CsvString(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    switch (c) {
      case '\0':
        out += "%00";
        break;
      case '\n':
        out += "%0A";
        break;
      case '\r':
        out += "%0D";
        break;
      case ',':
        out += "%2C";
        break;
      case '}':
        out += "%7D";
        break;
      case '%':
        out += "%25";
        break;
      default:
        out += c;
    }
  }
  return out;
}
}  // namespace

std::string FormatAclEntry(const zk::proto::Acl& acl) {
  return CsvString(acl.id.scheme) + "," + CsvString(acl.id.id) + "\n: " + PermString(acl.perms) +
         "\n";
}

std::vector<zk::proto::Acl> ParseAcl(const std::string& text, std::vector<std::string>* warnings) {
  std::vector<zk::proto::Acl> out;
  // String.split(","): trailing empty strings are dropped, inner ones kept.
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    parts.push_back(
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  while (!parts.empty() && parts.back().empty() && parts.size() > 1) parts.pop_back();
  for (const std::string& a : parts) {
    size_t first = a.find(':');
    size_t last = a.rfind(':');
    if (first == std::string::npos || first == last) {
      warnings->push_back(a + " does not have the form scheme:id:perm");
      continue;
    }
    zk::proto::Acl acl;
    acl.id.scheme = a.substr(0, first);
    acl.id.id = a.substr(first + 1, last - first - 1);
    for (char c : a.substr(last + 1)) {
      switch (c) {
        case 'r':
          acl.perms |= zk::proto::kPermRead;
          break;
        case 'w':
          acl.perms |= zk::proto::kPermWrite;
          break;
        case 'c':
          acl.perms |= zk::proto::kPermCreate;
          break;
        case 'd':
          acl.perms |= zk::proto::kPermDelete;
          break;
        case 'a':
          acl.perms |= zk::proto::kPermAdmin;
          break;
        default:
          warnings->push_back(std::string("Unknown perm type: ") + c);
      }
    }
    out.push_back(acl);
  }
  return out;
}

std::string CodeMessage(ErrorCode code) {
  // KeeperException.getCodeMessage returns the code's name (proto::ErrorName, spelled as
  // KeeperException.Code) except for these; its default branch ("Unknown error " + the enum
  // constant) catches UNKNOWNSESSION and REQUESTTIMEOUT, which have no case.
  static constexpr std::pair<ErrorCode, const char*> kJavaText[] = {
      {ErrorCode::kOk, "ok"},
      {ErrorCode::kUnknownSession, "Unknown error UNKNOWNSESSION"},
      {ErrorCode::kRequestTimeout, "Unknown error REQUESTTIMEOUT"},
      {ErrorCode::kNotEmpty, "Directory not empty"},
      {ErrorCode::kSessionExpired, "Session expired"},
      {ErrorCode::kInvalidCallback, "Invalid callback"},
      {ErrorCode::kSessionMoved, "Session moved"},
      {ErrorCode::kNotReadOnly, "Not a read-only call"},
      {ErrorCode::kEphemeralOnLocalSession, "Ephemeral node on local session"},
      {ErrorCode::kNoWatcher, "No such watcher"},
      {ErrorCode::kReconfigDisabled, "Reconfig is disabled"},
      {ErrorCode::kSessionClosedRequireSaslAuth,
       "Session closed because client failed to authenticate"},
      {ErrorCode::kQuotaExceeded, "Quota has exceeded"},
      {ErrorCode::kThrottledOp, "Op throttled due to high load"},
  };
  for (const auto& [c, text] : kJavaText) {
    if (c == code) return text;
  }
  const std::string name = zk::proto::ErrorName(code);
  if (name != "Unknown") return name;  // ErrorName's answer for a number no code has
  return "Unknown error " + std::to_string(static_cast<int32_t>(code));
}

std::string KeeperMessage(ErrorCode code, const std::optional<std::string>& path) {
  std::string m = "KeeperErrorCode = " + CodeMessage(code);
  if (path) m += " for " + *path;
  return m;
}

std::string CliErrorMessage(ErrorCode code, const std::optional<std::string>& path) {
  const std::string p = path ? *path : "null";
  switch (code) {
    case ErrorCode::kNoNode:
      return "Node does not exist: " + p;
    case ErrorCode::kNoChildrenForEphemerals:
      return "Ephemerals cannot have children: " + p;
    case ErrorCode::kNodeExists:
      return "Node already exists: " + p;
    case ErrorCode::kNotEmpty:
      return "Node not empty: " + p;
    case ErrorCode::kNotReadOnly:
      return "Not a read-only call: " + p;
    case ErrorCode::kInvalidAcl:
      return "Acl is not valid : " + p;
    case ErrorCode::kNoAuth:
      return "Insufficient permission : " + p;
    case ErrorCode::kBadArguments:
      return "Arguments are not valid : " + p;
    case ErrorCode::kBadVersion:
      return "version No is not valid : " + p;
    case ErrorCode::kReconfigInProgress:
      return "Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)";
    case ErrorCode::kNewConfigNoQuorum:
      // [sic] "commmitted": zkCli's text.
      return "No quorum of new config is connected and up-to-date with the leader of last "
             "commmitted config - try invoking reconfiguration after new servers are connected "
             "and synced";
    case ErrorCode::kQuotaExceeded:
      return "Quota has exceeded : " + p;
    default:
      return KeeperMessage(code, path);
  }
}

const char* KeeperStateName(KeeperState s) {
  switch (s) {
    case KeeperState::kDisconnected:
      return "Disconnected";
    case KeeperState::kSyncConnected:
      return "SyncConnected";
    case KeeperState::kAuthFailed:
      return "AuthFailed";
    case KeeperState::kConnectedReadOnly:
      return "ConnectedReadOnly";
    case KeeperState::kExpired:
      return "Expired";
    case KeeperState::kClosed:
      return "Closed";
  }
  return "Unknown";
}

const char* EventTypeName(EventType t) {
  switch (t) {
    case EventType::kNone:
      return "None";
    case EventType::kNodeCreated:
      return "NodeCreated";
    case EventType::kNodeDeleted:
      return "NodeDeleted";
    case EventType::kNodeDataChanged:
      return "NodeDataChanged";
    case EventType::kNodeChildrenChanged:
      return "NodeChildrenChanged";
    case EventType::kDataWatchRemoved:
      return "DataWatchRemoved";
    case EventType::kChildWatchRemoved:
      return "ChildWatchRemoved";
    case EventType::kPersistentWatchRemoved:
      return "PersistentWatchRemoved";
  }
  return "Unknown";
}

std::string FormatEvent(KeeperState state, EventType type, const std::optional<std::string>& path) {
  return std::string("WatchedEvent state:") + KeeperStateName(state) +
         " type:" + EventTypeName(type) + " path:" + (path ? *path : "null");
}

std::string JavaList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out + "]";
}

std::optional<std::string> ValidatePath(const std::string& in, bool sequential) {
  const std::string path = sequential ? in + "1" : in;
  if (path.empty()) return "Path length must be > 0";
  if (path[0] != '/') return "Path must start with / character";
  if (path.size() == 1) return std::nullopt;
  if (path.back() == '/') return "Path must not end with / character";
  std::string reason;
  char lastc = '/';
  for (size_t i = 1; i < path.size(); lastc = path[i], ++i) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    if (c == 0) {
      reason = "null character not allowed @" + std::to_string(i);
    } else if (c == '/' && lastc == '/') {
      reason = "empty node name specified @" + std::to_string(i);
    } else if (c == '.' && lastc == '.') {
      if (path[i - 2] == '/' && (i + 1 == path.size() || path[i + 1] == '/')) {
        reason = "relative paths not allowed @" + std::to_string(i);
      }
    } else if (c == '.') {
      if (path[i - 1] == '/' && (i + 1 == path.size() || path[i + 1] == '/')) {
        reason = "relative paths not allowed @" + std::to_string(i);
      }
    } else if ((c > 0 && c <= 0x1f) || c == 0x7f) {
      // Java also rejects U+0080..U+009F and some other ranges; bytes here are UTF-8, whose
      // multi-byte sequences never contain those values, so only ASCII controls are checked.
      reason = "invalid character @" + std::to_string(i);
    }
    if (!reason.empty()) break;
  }
  if (!reason.empty()) return "Invalid path string \"" + path + "\" caused by " + reason;
  return std::nullopt;
}

std::string ClientConfigString(const std::string& config) {
  std::string version;
  std::vector<std::string> addrs;
  size_t start = 0;
  while (start < config.size()) {
    size_t nl = config.find('\n', start);
    std::string line =
        config.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? config.size() : nl + 1;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "version") version = value;
    if (key.rfind("server.", 0) != 0) continue;
    // server.N=host:quorum:election[:role];[clientHost:]clientPort
    size_t semi = value.find(';');
    if (semi == std::string::npos) {
      addrs.emplace_back();
      continue;
    }
    std::string client = value.substr(semi + 1);
    if (client.find(':') == std::string::npos) client = "0.0.0.0:" + client;
    addrs.push_back(client);
  }
  std::string out = version + " ";
  for (size_t i = 0; i < addrs.size(); ++i) out += (i ? "," : "") + addrs[i];
  return out;
}

}  // namespace zkops::cli
