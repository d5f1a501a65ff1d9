// Turns the raw answers of one server (srvr, mntr, conf over the client port; srvr and mntr
// from the AdminServer) into a ServerReport. Pure functions: no I/O, so the unit tests feed
// them the texts Apache ZooKeeper 3.8 and zknode really print.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "net/four_letter.h"
#include "status/report.h"
#include "status/target.h"

namespace zkops::status {

// One HTTP GET to the AdminServer.
struct HttpReply {
  bool ok = false;     // a response arrived (any status)
  int status = 0;      // HTTP status
  std::string body;    // the JSON text
  std::string error;   // transport error when !ok
};

// Everything asked of one server. A word that was not sent stays nullopt.
struct RawProbe {
  net::FourLetterReply srvr;
  std::optional<net::FourLetterReply> mntr;
  std::optional<net::FourLetterReply> conf;
  std::optional<HttpReply> admin_srvr;  // GET <admin>/commands/srvr
  std::optional<HttpReply> admin_mntr;  // GET <admin>/commands/mntr
};

// mntr (MonitorCommand): "zk_<key>\t<value>" lines -> {"zk_key": "value"}.
std::map<std::string, std::string> ParseMntr(std::string_view text);

// conf (ZooKeeperServer.dumpConf + QuorumZooKeeperServer.dumpConf): "key=value" lines, a
// "membership: " line, then server.N=host:q:e:participant|observer[;client] and version=.
struct ConfFacts {
  std::map<std::string, std::string> fields;  // every key=value line, membership included
  std::optional<int64_t> server_id;
  int voters = 0;     // membership participants
  int observers = 0;  // membership observers
  bool has_membership = false;
};
ConfFacts ParseConf(std::string_view text);

// The AdminServer's JSON for srvr/mntr, flattened to the 4lw field names so the rest of
// status reads one shape: srvr -> "Mode", "Zxid", "Latency min/avg/max", ... (zknode sends
// them as is; Apache ZooKeeper nests them in "server_stats" with snake_case names, see
// Commands.SrvrCommand and JsonOutputter's SNAKE_CASE); mntr -> "zk_<key>". Returns false
// and the reason in `error` for malformed JSON or a non-null "error" member.
bool ParseAdminSrvr(std::string_view json, std::map<std::string, std::string>* fields,
                    std::string* error);
bool ParseAdminMntr(std::string_view json, std::map<std::string, std::string>* fields,
                    std::string* error);

// "0x100000009" -> 0x100000009. nullopt for anything else.
std::optional<uint64_t> ParseZxid(std::string_view text);

// Builds the report of target number `index` (0-based; names "#<index+1>" when nothing
// better is known). The lag fields are left for Assess.
ServerReport Interpret(const Target& target, size_t index, const RawProbe& raw);

}  // namespace zkops::status
