// The replicated log entry (DESIGN §3): a request, not a diff. Every replica applies it
// deterministically. Format version 2 (version 1, without origin, is still read):
//   u8 version=2 | u8 kind | i64 time_ms (the proposer's wall clock) | i64 session_id |
//   i64 origin (the proposing server's id) | body
//   kCreateSession: i32 timeout_ms | buffer passwd
//   kCloseSession:  u8 reason (0 client close, 1 expired)
//   kRequest:       i32 cxid | vector<Id> auth | buffer payload (RequestHeader + body, as sent)
//   kDeleteExpired: vector<ustring> paths (containers / TTL nodes found empty or expired)
//   kSetOwner:      (none) the session now belongs to a connection on server `origin`
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/records.h"
#include "zk/status.h"

namespace zk::server {

enum class TxnKind : uint8_t {
  kCreateSession = 1,
  kCloseSession = 2,
  kRequest = 3,
  kDeleteExpired = 4,
  kSetOwner = 5,
};

// Txn::origin of an entry written in format 1, which did not record it.
inline constexpr int64_t kUnknownOrigin = -1;

struct Txn {
  TxnKind kind = TxnKind::kRequest;
  int64_t time_ms = 0;
  int64_t session_id = 0;
  int64_t origin = kUnknownOrigin;
  // kCreateSession
  int32_t timeout_ms = 0;
  std::string passwd;
  // kCloseSession
  bool expired = false;
  // kRequest
  int32_t cxid = 0;
  std::vector<proto::Id> auth;
  std::string payload;
  // kDeleteExpired
  std::vector<std::string> paths;
};

std::string EncodeTxn(const Txn& t);
Status DecodeTxn(std::string_view bytes, Txn* out);

}  // namespace zk::server
