// JSON-lines history reader (format: README.md). Poco::JSON parses each line; this file maps
// the fields onto Op and joins completions with their invocations.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cinttypes>
#include <cstdio>
#include <unordered_map>

#include "history.h"

namespace zkcheck {
namespace {

using Poco::JSON::Object;

struct OpTypeEntry {
  const char* name;
  OpType type;
};

constexpr OpTypeEntry kOpTypes[] = {
    {"read", OpType::kRead},          {"sync_read", OpType::kSyncRead},
    {"write", OpType::kWrite},        {"cas", OpType::kCas},
    {"create", OpType::kCreate},      {"create_seq", OpType::kCreateSeq},
    {"delete", OpType::kDelete},      {"check", OpType::kCheck},
    {"multi", OpType::kMulti},        {"close", OpType::kClose},
    {"expire", OpType::kExpire},      {"watch_event", OpType::kWatchEvent},
};

bool LookupOpType(const std::string& name, OpType* type) {
  for (const OpTypeEntry& e : kOpTypes) {
    if (name == e.name) {
      *type = e.type;
      return true;
    }
  }
  return false;
}

// A JSON string, number or boolean as text; nullopt for a missing key or null.
std::optional<std::string> GetText(const Object& obj, const std::string& key) {
  if (!obj.has(key) || obj.isNull(key)) return std::nullopt;
  Poco::Dynamic::Var v = obj.get(key);
  if (v.isString()) return v.extract<std::string>();
  return v.convert<std::string>();
}

// An integer given as a JSON number, a decimal string or a "0x" hex string (zxids, session
// ids as ZooKeeper prints them). Returns false on text that is not a number.
bool GetInt(const Object& obj, const std::string& key, std::optional<int64_t>* out) {
  *out = std::nullopt;
  if (!obj.has(key) || obj.isNull(key)) return true;
  Poco::Dynamic::Var v = obj.get(key);
  if (v.isInteger()) {
    *out = v.convert<int64_t>();
    return true;
  }
  if (!v.isString()) return false;
  std::string s = v.extract<std::string>();
  if (s.empty()) return false;
  char* end = nullptr;
  bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  long long parsed = std::strtoll(hex ? s.c_str() + 2 : s.c_str(), &end, hex ? 16 : 10);
  if (*end != '\0') {
    // Values above INT64_MAX in hex (never for zxids in practice) are rejected.
    return false;
  }
  *out = parsed;
  return true;
}

// Session ids compare as ZooKeeper prints them: a JSON number or any "0x" spelling becomes
// lower-case hex; other text (a harness's own names) is kept.
std::optional<std::string> GetSession(const Object& obj, const std::string& key) {
  std::optional<int64_t> n;
  if (GetInt(obj, key, &n) && n) {
    bool text = obj.get(key).isString();
    std::string raw = text ? obj.get(key).extract<std::string>() : "";
    if (!text || (raw.size() > 2 && raw[0] == '0' && (raw[1] == 'x' || raw[1] == 'X'))) {
      return Hex(*n);
    }
  }
  return GetText(obj, key);
}

bool GetBool(const Object& obj, const std::string& key, bool dflt) {
  if (!obj.has(key) || obj.isNull(key)) return dflt;
  return obj.get(key).convert<bool>();
}

class Parser {
 public:
  explicit Parser(History* out) : out_(out) {}

  zk::Status Line(const std::string& text, int line) {
    line_ = line;
    Object::Ptr obj;
    try {
      Poco::JSON::Parser parser;
      Poco::Dynamic::Var v = parser.parse(text);
      obj = v.extract<Object::Ptr>();
    } catch (const Poco::Exception& e) {
      return Error("not a JSON object: " + e.displayText());
    } catch (const std::exception& e) {
      return Error(std::string("not a JSON object: ") + e.what());
    }
    if (!obj) return Error("not a JSON object");
    std::optional<std::string> phase = GetText(*obj, "phase");
    if (!phase) return Error("missing \"phase\"");
    if (*phase == "final") return Final(*obj);
    if (*phase == "init") return Init(*obj);
    std::optional<int64_t> time;
    if (!GetInt(*obj, "time", &time)) return Error("\"time\" is not an integer");
    if (timed_ == -1) timed_ = time.has_value() ? 1 : 0;
    if (timed_ != (time.has_value() ? 1 : 0)) {
      return Error("either every event line has \"time\" or none has");
    }
    int64_t t = time.value_or(line);
    if (*phase == "invoke" || *phase == "event") return Invoke(*obj, t, *phase == "event");
    if (*phase == "ok") return Complete(*obj, t, Outcome::kOk);
    if (*phase == "fail") return Complete(*obj, t, Outcome::kFail);
    if (*phase == "info") return Complete(*obj, t, Outcome::kInfo);
    return Error("unknown phase \"" + *phase + "\"");
  }

  zk::Status Finish() {
    // Invocations never completed are info: outcome unknown.
    for (Op& op : out_->ops) {
      if (op.outcome != Outcome::kInfo) continue;
      op.complete_time = kNever;
    }
    return zk::Status::OK();
  }

 private:
  zk::Status Error(const std::string& what) const {
    return zk::Status::InvalidArgument("line " + std::to_string(line_) + ": " + what);
  }

  zk::Status Invoke(const Object& obj, int64_t t, bool event) {
    Op op;
    std::optional<int64_t> id, process;
    if (!GetInt(obj, "id", &id)) return Error("\"id\" is not an integer");
    if (!GetInt(obj, "process", &process)) return Error("\"process\" is not an integer");
    op.process = process.value_or(0);
    op.id = id.value_or(-static_cast<int64_t>(line_));
    std::optional<std::string> name = GetText(obj, "op");
    if (!name) return Error("missing \"op\"");
    if (!LookupOpType(*name, &op.type)) return Error("unknown op \"" + *name + "\"");
    op.session = GetSession(obj, "session").value_or("p" + std::to_string(op.process));
    op.key = GetText(obj, "key").value_or("");
    op.value = GetText(obj, "value");
    op.ephemeral = GetBool(obj, "ephemeral", false);
    op.watch = GetBool(obj, "watch", false);
    op.event = GetText(obj, "event").value_or("");
    std::optional<int64_t> ev;
    if (!GetInt(obj, "expected_version", &ev)) return Error("bad \"expected_version\"");
    op.expected_version = ev.value_or(kUnknown);
    if (op.type == OpType::kCas && op.expected_version == kUnknown) {
      return Error("cas needs \"expected_version\"");
    }
    bool needs_key = op.type != OpType::kMulti && op.type != OpType::kClose &&
                     op.type != OpType::kExpire;
    if (needs_key && op.key.empty()) return Error("missing \"key\"");
    if (op.type == OpType::kMulti) {
      zk::Status s = SubOps(obj, &op);
      if (!s.ok()) return s;
    }
    op.invoke_time = t;
    op.invoke_line = line_;
    if (event) {
      if (op.type != OpType::kWatchEvent && op.type != OpType::kExpire) {
        return Error("phase \"event\" is for watch_event and expire only");
      }
      op.outcome = Outcome::kOk;
      op.complete_time = t;
      op.complete_line = line_;
      out_->ops.push_back(std::move(op));
      return zk::Status::OK();
    }
    if (open_.count(op.id) != 0 || (id && seen_ids_.count(op.id) != 0)) {
      return Error("duplicated id " + std::to_string(op.id));
    }
    seen_ids_[op.id] = true;
    open_[op.id] = out_->ops.size();
    out_->ops.push_back(std::move(op));
    return zk::Status::OK();
  }

  zk::Status SubOps(const Object& obj, Op* op) {
    if (!obj.isArray("ops")) return Error("multi needs an \"ops\" array");
    Poco::JSON::Array::Ptr arr = obj.getArray("ops");
    for (size_t i = 0; i < arr->size(); ++i) {
      Object::Ptr s = arr->getObject(static_cast<unsigned>(i));
      if (!s) return Error("multi sub-op " + std::to_string(i) + " is not an object");
      SubOp sub;
      std::optional<std::string> name = GetText(*s, "op");
      if (!name || !LookupOpType(*name, &sub.type) ||
          (sub.type != OpType::kWrite && sub.type != OpType::kCas &&
           sub.type != OpType::kCreate && sub.type != OpType::kCreateSeq &&
           sub.type != OpType::kDelete && sub.type != OpType::kCheck)) {
        return Error("multi sub-op " + std::to_string(i) + ": bad \"op\"");
      }
      sub.key = GetText(*s, "key").value_or("");
      if (sub.key.empty()) return Error("multi sub-op " + std::to_string(i) + ": no \"key\"");
      sub.value = GetText(*s, "value");
      sub.ephemeral = GetBool(*s, "ephemeral", false);
      std::optional<int64_t> ev;
      if (!GetInt(*s, "expected_version", &ev)) return Error("bad \"expected_version\"");
      sub.expected_version = ev.value_or(kUnknown);
      op->sub_ops.push_back(std::move(sub));
    }
    return zk::Status::OK();
  }

  zk::Status Complete(const Object& obj, int64_t t, Outcome outcome) {
    std::optional<int64_t> id, process;
    if (!GetInt(obj, "id", &id)) return Error("\"id\" is not an integer");
    if (!GetInt(obj, "process", &process)) return Error("\"process\" is not an integer");
    size_t index = 0;
    if (id) {
      auto it = open_.find(*id);
      if (it == open_.end()) return Error("completion of id " + std::to_string(*id) +
                                          " without an open invocation");
      index = it->second;
      open_.erase(it);
    } else {
      // Jepsen style: a process has one op in flight; match the completion to it.
      int found = 0;
      for (auto it = open_.begin(); it != open_.end(); ++it) {
        if (out_->ops[it->second].process == process.value_or(0)) {
          index = it->second;
          ++found;
        }
      }
      if (found != 1) return Error("completion without \"id\" matches " +
                                   std::to_string(found) + " open invocations");
      open_.erase(out_->ops[index].id);
    }
    Op& op = out_->ops[index];
    if (t < op.invoke_time) return Error("completion before its invocation");
    op.outcome = outcome;
    op.complete_line = line_;
    op.complete_time = outcome == Outcome::kInfo ? kNever : t;
    if (outcome == Outcome::kInfo) return zk::Status::OK();
    op.error = GetText(obj, "error").value_or("");
    std::optional<int64_t> version, zxid;
    if (!GetInt(obj, "version", &version)) return Error("\"version\" is not an integer");
    if (!GetInt(obj, "zxid", &zxid)) return Error("\"zxid\" is not an integer");
    op.version = version.value_or(kUnknown);
    op.zxid = zxid.value_or(kUnknown);
    if (std::optional<std::string> path = GetText(obj, "path")) op.path = *path;
    bool read = op.type == OpType::kRead || op.type == OpType::kSyncRead;
    if (read && outcome == Outcome::kOk) {
      op.exists = GetBool(obj, "exists", true);
      op.value = op.exists ? GetText(obj, "value") : std::nullopt;
    }
    // A read that failed with NoNode observed an absent node.
    if (read && outcome == Outcome::kFail && op.error == "no_node") {
      op.outcome = Outcome::kOk;
      op.exists = false;
      op.value.reset();
    }
    if (op.type == OpType::kCreate && op.path.empty()) op.path = op.key;
    if (op.type == OpType::kMulti && obj.isArray("results")) {
      Poco::JSON::Array::Ptr arr = obj.getArray("results");
      for (size_t i = 0; i < arr->size() && i < op.sub_ops.size(); ++i) {
        Object::Ptr r = arr->getObject(static_cast<unsigned>(i));
        if (!r) continue;
        std::optional<int64_t> v;
        if (!GetInt(*r, "version", &v)) return Error("bad multi result version");
        op.sub_ops[i].version = v.value_or(kUnknown);
        op.sub_ops[i].path = GetText(*r, "path").value_or("");
      }
    }
    return zk::Status::OK();
  }

  zk::Status Final(const Object& obj) {
    FinalSnapshot snap;
    snap.line = line_;
    snap.server = GetText(obj, "server").value_or("");
    if (snap.server.empty()) return Error("final snapshot needs \"server\"");
    snap.digest = GetText(obj, "digest");
    if (obj.isObject("nodes")) {
      snap.has_nodes = true;
      Object::Ptr nodes = obj.getObject("nodes");
      for (auto it = nodes->begin(); it != nodes->end(); ++it) {
        Object::Ptr n = nodes->getObject(it->first);
        if (!n) return Error("final node " + it->first + " is not an object");
        FinalNode node;
        node.value = GetText(*n, "value").value_or("");
        std::optional<int64_t> version, mzxid;
        if (!GetInt(*n, "version", &version) || !GetInt(*n, "mzxid", &mzxid)) {
          return Error("final node " + it->first + ": bad version or mzxid");
        }
        node.version = version.value_or(kUnknown);
        node.mzxid = mzxid.value_or(kUnknown);
        node.ephemeral_owner = GetSession(*n, "ephemeral_owner").value_or("");
        if (node.ephemeral_owner == "0x0") node.ephemeral_owner.clear();  // persistent
        snap.nodes[it->first] = std::move(node);
      }
    } else if (!snap.digest) {
      return Error("final snapshot needs \"nodes\" or \"digest\"");
    }
    out_->finals.push_back(std::move(snap));
    return zk::Status::OK();
  }

  zk::Status Init(const Object& obj) {
    std::optional<std::string> key = GetText(obj, "key");
    if (!key) return Error("init needs \"key\"");
    InitialNode node;
    node.exists = GetBool(obj, "exists", true);
    node.value = GetText(obj, "value").value_or("");
    std::optional<int64_t> version, zxid;
    if (!GetInt(obj, "version", &version) || !GetInt(obj, "zxid", &zxid)) {
      return Error("init: bad version or zxid");
    }
    node.version = version.value_or(kUnknown);
    node.mzxid = zxid.value_or(kUnknown);
    out_->initial[*key] = node;
    return zk::Status::OK();
  }

  History* out_;
  int line_ = 0;
  int timed_ = -1;  // unknown until the first event line
  std::unordered_map<int64_t, size_t> open_;
  std::unordered_map<int64_t, bool> seen_ids_;
};

}  // namespace

const char* OpTypeName(OpType type) {
  for (const OpTypeEntry& e : kOpTypes) {
    if (e.type == type) return e.name;
  }
  return "?";
}

bool IsMutating(OpType type) {
  switch (type) {
    case OpType::kWrite:
    case OpType::kCas:
    case OpType::kCreate:
    case OpType::kCreateSeq:
    case OpType::kDelete:
    case OpType::kMulti:
      return true;
    default:
      return false;
  }
}

std::string Hex(int64_t value) {
  if (value < 0) return "?";
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%" PRIx64, static_cast<uint64_t>(value));
  return buf;
}

zk::Status ParseHistory(std::istream& in, History* out) {
  *out = History();
  Parser parser(out);
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos || text[first] == '#') continue;
    zk::Status s = parser.Line(text, line);
    if (!s.ok()) return s;
  }
  return parser.Finish();
}

}  // namespace zkcheck
