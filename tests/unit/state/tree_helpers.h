// Request builders and a fixture for DataTree tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "proto/records.h"
#include "state/acl.h"
#include "state/data_tree.h"

namespace zk::state::testing {

using proto::ErrorCode;
using proto::OpCode;

inline std::vector<proto::Acl> OpenAcl() { return {{proto::kPermAll, {"world", "anyone"}}}; }

inline proto::Request Req(OpCode op, proto::RequestBody body) {
  proto::Request r;
  r.header.xid = 1;
  r.header.type = static_cast<int32_t>(op);
  r.body = std::move(body);
  return r;
}

inline proto::CreateRequest CreateBody(std::string path, std::string data = "", int32_t flags = 0,
                                       std::vector<proto::Acl> acl = OpenAcl(), int64_t ttl = -1) {
  return proto::CreateRequest{std::move(path), std::move(data), std::move(acl), flags, ttl};
}

inline proto::MultiOp MCreate(std::string path, int32_t flags = 0, std::string data = "",
                              OpCode type = OpCode::kCreate, int64_t ttl = -1) {
  return proto::MultiOp{type, CreateBody(std::move(path), std::move(data), flags, OpenAcl(), ttl)};
}
inline proto::MultiOp MDelete(std::string path, int32_t version = -1) {
  return proto::MultiOp{OpCode::kDelete, proto::DeleteRequest{std::move(path), version}};
}
inline proto::MultiOp MSetData(std::string path, std::string data, int32_t version = -1) {
  return proto::MultiOp{OpCode::kSetData,
                        proto::SetDataRequest{std::move(path), std::move(data), version}};
}
inline proto::MultiOp MCheck(std::string path, int32_t version) {
  return proto::MultiOp{OpCode::kCheck, proto::CheckVersionRequest{std::move(path), version}};
}

class TreeTest : public ::testing::Test {
 protected:
  static constexpr int64_t kSession = 0x1000000000001;

  TxnContext Ctx(int64_t session = kSession) {
    TxnContext c;
    c.zxid = ++zxid_;
    c.time_ms = 1'000'000 + zxid_;
    c.session_id = session;
    c.auth = &auth_;
    c.super_digest = &super_;
    c.extended_types_enabled = extended_;
    return c;
  }

  ErrorCode Write(const proto::Request& r, proto::ResponseBody* resp = nullptr,
                  int64_t session = kSession) {
    proto::ResponseBody scratch;
    return tree_.ApplyWrite(r, Ctx(session), resp != nullptr ? resp : &scratch, &triggers_);
  }
  ErrorCode Create(std::string path, std::string data = "", int32_t flags = 0,
                   proto::ResponseBody* resp = nullptr, int64_t session = kSession) {
    return Write(Req(OpCode::kCreate, CreateBody(std::move(path), std::move(data), flags)), resp,
                 session);
  }
  ErrorCode Create2(std::string path, int32_t flags, proto::Stat* stat = nullptr,
                    std::string* created = nullptr, int64_t session = kSession) {
    proto::ResponseBody resp;
    const ErrorCode rc =
        Write(Req(OpCode::kCreate2, CreateBody(std::move(path), "", flags)), &resp, session);
    if (rc == ErrorCode::kOk) {
      const auto& r = std::get<proto::Create2Response>(resp);
      if (stat != nullptr) *stat = r.stat;
      if (created != nullptr) *created = r.path;
    }
    return rc;
  }
  ErrorCode Delete(std::string path, int32_t version = -1) {
    return Write(Req(OpCode::kDelete, proto::DeleteRequest{std::move(path), version}));
  }
  ErrorCode SetData(std::string path, std::string data, int32_t version = -1) {
    return Write(
        Req(OpCode::kSetData, proto::SetDataRequest{std::move(path), std::move(data), version}));
  }
  ErrorCode SetAcl(std::string path, std::vector<proto::Acl> acl, int32_t version = -1) {
    return Write(
        Req(OpCode::kSetAcl, proto::SetAclRequest{std::move(path), std::move(acl), version}));
  }
  proto::Stat StatOf(const std::string& path) {
    proto::Stat s;
    EXPECT_TRUE(tree_.GetStat(path, &s)) << path;
    return s;
  }
  ErrorCode ReadOp(OpCode op, proto::RequestBody body, proto::ResponseBody* resp,
                   int64_t session = kSession) {
    return tree_.Read(Req(op, std::move(body)), auth_, super_, session, resp);
  }
  std::string GetData(const std::string& path) {
    proto::ResponseBody resp;
    EXPECT_EQ(ReadOp(OpCode::kGetData, proto::PathWatchRequest{path, false}, &resp),
              ErrorCode::kOk);
    return std::get<proto::GetDataResponse>(resp).data;
  }
  std::vector<std::string> Children(const std::string& path) {
    proto::ResponseBody resp;
    EXPECT_EQ(ReadOp(OpCode::kGetChildren, proto::PathWatchRequest{path, false}, &resp),
              ErrorCode::kOk);
    return std::get<proto::GetChildrenResponse>(resp).children;
  }
  std::vector<proto::Acl> AclOf(const std::string& path) {
    proto::ResponseBody resp;
    EXPECT_EQ(ReadOp(OpCode::kGetAcl, proto::PathRequest{path}, &resp), ErrorCode::kOk);
    return std::get<proto::GetAclResponse>(resp).acl;
  }

  DataTree tree_;
  AuthContext auth_{{{"ip", "127.0.0.1"}}};
  std::string super_;
  bool extended_ = false;
  int64_t zxid_ = 0;
  std::vector<Trigger> triggers_;
};

}  // namespace zk::state::testing
