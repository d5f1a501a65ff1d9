// Rendering a Report for people (text) and for harnesses (JSON).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <sstream>

#include "checker.h"

namespace zkcheck {
namespace {

constexpr size_t kMaxShown = 50;  // violations printed in full; the rest are counted

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kValid: return "valid";
    case Verdict::kViolation: return "violation";
    case Verdict::kUndecided: return "undecided";
  }
  return "?";
}

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kFail: return "fail";
    case Outcome::kInfo: return "info";
  }
  return "?";
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string DescribeOp(const Op& op) {
  std::ostringstream s;
  s << "line " << op.invoke_line;
  if (op.complete_line != 0 && op.complete_line != op.invoke_line) s << "-" << op.complete_line;
  s << " s=" << op.session << " " << OpTypeName(op.type);
  if (!op.key.empty()) s << " " << op.key;
  if (op.type == OpType::kWatchEvent) s << " " << op.event;
  if (op.expected_version != kUnknown) s << " expected=" << op.expected_version;
  bool read = op.type == OpType::kRead || op.type == OpType::kSyncRead;
  if (op.ephemeral) s << " ephemeral";
  if (op.watch) s << " watch";
  if (!read && op.value) s << " value=" << Quote(*op.value);
  for (size_t i = 0; i < op.sub_ops.size(); ++i) {
    const SubOp& sub = op.sub_ops[i];
    s << (i == 0 ? " [" : "; ") << OpTypeName(sub.type) << " " << sub.key;
    if (sub.expected_version != kUnknown) s << " expected=" << sub.expected_version;
    if (sub.value) s << " value=" << Quote(*sub.value);
    if (i + 1 == op.sub_ops.size()) s << "]";
  }
  if (op.type == OpType::kWatchEvent || op.type == OpType::kExpire) {
    s << " @" << op.invoke_time;
    return s.str();
  }
  s << " -> " << OutcomeName(op.outcome);
  if (op.outcome == Outcome::kOk) {
    if (read && !op.exists) s << " absent";
    if (read && op.value) s << " value=" << Quote(*op.value);
    if (op.version != kUnknown) s << " version=" << op.version;
    if (op.zxid != kUnknown) s << (read ? " mzxid=" : " zxid=") << Hex(op.zxid);
    if (!op.path.empty() && op.path != op.key) s << " path=" << op.path;
  } else if (op.outcome == Outcome::kFail && !op.error.empty()) {
    s << " " << op.error;
  } else if (op.outcome == Outcome::kInfo) {
    s << " (outcome unknown)";
  }
  s << " @" << op.invoke_time << "..";
  if (op.complete_time != kNever) s << op.complete_time;
  return s.str();
}

std::string RenderText(const Report& report, const History& history) {
  std::ostringstream s;
  s << "zkcheck: " << VerdictName(report.verdict);
  if (!report.violations.empty()) s << " (" << report.violations.size() << " violation(s))";
  s << "\n";
  char stats[160];
  std::snprintf(stats, sizeof(stats),
                "checked %zu ops; linearizability searched %zu znode(s), %llu states; %.2fs\n",
                report.stats.ops, report.stats.keys_searched,
                static_cast<unsigned long long>(report.stats.states), report.stats.seconds);
  s << stats;
  for (size_t i = 0; i < report.violations.size() && i < kMaxShown; ++i) {
    const Violation& v = report.violations[i];
    s << "\n[" << v.check << "] " << v.key << ": " << v.message << "\n";
    if (!v.note.empty()) s << "  (" << v.note << ")\n";
    if (!v.window.empty()) s << "  window (" << v.window.size() << " op(s)):\n";
    for (size_t oi : v.window) s << "    " << DescribeOp(history.ops[oi]) << "\n";
  }
  if (report.violations.size() > kMaxShown) {
    s << "\n... and " << report.violations.size() - kMaxShown << " more violation(s)\n";
  }
  for (const Undecided& u : report.undecided) {
    s << "\n[undecided] " << u.key << ": " << u.reason << "\n";
  }
  return s.str();
}

std::string RenderJson(const Report& report, const History& history) {
  Poco::JSON::Object root;
  root.set("verdict", VerdictName(report.verdict));
  root.set("exit_code", static_cast<int>(report.verdict));
  Poco::JSON::Object stats;
  stats.set("ops", report.stats.ops);
  stats.set("keys_searched", report.stats.keys_searched);
  stats.set("states", report.stats.states);
  stats.set("seconds", report.stats.seconds);
  root.set("stats", stats);
  Poco::JSON::Array violations;
  for (const Violation& v : report.violations) {
    Poco::JSON::Object o;
    o.set("check", v.check);
    o.set("key", v.key);
    o.set("message", v.message);
    if (!v.note.empty()) o.set("note", v.note);
    Poco::JSON::Array window;
    for (size_t oi : v.window) {
      const Op& op = history.ops[oi];
      Poco::JSON::Object w;
      w.set("id", op.id);
      w.set("process", op.process);
      w.set("session", op.session);
      w.set("op", OpTypeName(op.type));
      w.set("key", op.key);
      w.set("outcome", OutcomeName(op.outcome));
      w.set("invoke_line", op.invoke_line);
      w.set("complete_line", op.complete_line);
      w.set("text", DescribeOp(op));
      window.add(w);
    }
    o.set("window", window);
    violations.add(o);
  }
  root.set("violations", violations);
  Poco::JSON::Array undecided;
  for (const Undecided& u : report.undecided) {
    Poco::JSON::Object o;
    o.set("key", u.key);
    o.set("reason", u.reason);
    undecided.add(o);
  }
  root.set("undecided", undecided);
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

}  // namespace zkcheck
