// Four-letter words (ruok, srvr, mntr, ...) over the client port, sent the way Apache
// ZooKeeper's FourLetterWordMain and `nc` send them, and the `srvr` reply classified into
// the states an operator must tell apart (operations.md §7, lesson 1). Works against zknode
// and Apache ZooKeeper alike; `zkops server status` and `zkops status` both use it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace zkops::net {

// AbstractFourLetterCommand.ZK_NOT_SERVING: a process that is up but has no quorum.
inline constexpr std::string_view kNotServingText =
    "This ZooKeeper instance is not currently serving requests";
// NIOServerCnxn: "<cmd> is not executed because it is not in the whitelist."
inline constexpr std::string_view kWhitelistText =
    "is not executed because it is not in the whitelist.";

enum class ProbeError {
  kNone,
  kRefused,      // nothing listens there (ECONNREFUSED)
  kTimeout,      // connect or read did not finish before the deadline
  kUnreachable,  // name did not resolve, network unreachable, reset, ...
};

struct FourLetterReply {
  ProbeError error = ProbeError::kNone;
  std::string error_text;  // human-readable cause when error != kNone
  std::string text;        // bytes received before EOF (partial on kTimeout)
  bool ok() const { return error == ProbeError::kNone; }
};

// Connects to host:port, writes `word`, half-closes the socket (shutdown SHUT_WR, which is
// what FourLetterWordMain and `nc -q` do and what tells the server the request is complete),
// then reads until the server closes. `timeout` bounds the whole exchange (FourLetterWordMain
// uses 5000 ms). `host` may be a name ("localhost": IPv4 preferred) or a literal address.
// Thread-safe; blocks the caller. The reply is capped at 16 MiB.
FourLetterReply SendFourLetterWord(const std::string& host, uint16_t port, std::string_view word,
                                   std::chrono::milliseconds timeout);

// Only connects (then closes): kNone if something accepts connections on host:port. Used to
// see whether a client port is free before a start and released after a stop.
ProbeError TryConnect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

enum class ServerState {
  kServing,          // srvr printed "Mode: <mode>"
  kNotServing,       // process up, srvr says kNotServingText (no quorum, still loading)
  kWhitelistDenied,  // srvr disabled by 4lw.commands.whitelist (Apache ZooKeeper only)
  kNoAnswer,         // connected, but nothing came back before the deadline or EOF
  kUnrecognised,     // an answer, but not one ZooKeeper gives to srvr
  kRefused,          // connection refused: nobody listens on the port
  kUnreachable,      // resolution or network error
};

// Short stable name: "serving", "not-serving", "whitelist-denied", "no-answer", ...
const char* ServerStateName(ServerState state);

struct SrvrStatus {
  ServerState state = ServerState::kUnreachable;
  std::string mode;  // kServing: standalone|leader|follower|observer|read-only
  // "Key: value" lines of the reply (StatCommand/ServerStats: "Zookeeper version", "Zxid",
  // "Latency min/avg/max", "Node count", ...), for callers that show more than Mode.
  std::map<std::string, std::string> fields;
  std::string detail;  // the error text, or the reply's first line, for messages
};

// Classifies a reply to `srvr`. Pure function.
SrvrStatus ClassifySrvrReply(const FourLetterReply& reply);

// SendFourLetterWord(host, port, "srvr", timeout) + ClassifySrvrReply.
SrvrStatus ProbeSrvr(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

}  // namespace zkops::net
