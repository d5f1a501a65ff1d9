// Writes the seed corpora of the fuzz targets whose inputs are binary, with the project's own
// encoders, so every seed is a valid input that reaches deep into its decoder:
//   corpus/request/          one request per op code (request_fuzz.cc's input layout)
//   corpus/txn/              log entry sequences (txn_fuzz.cc), formats 1 and 2
//   corpus/snapshot/         server snapshot images (snapshot_fuzz.cc)
//   corpus/sqlite_snapshot/  sqlite plugin snapshot files, v1 and v2 (sqlite_snapshot_fuzz.cc)
// Usage: zk_fuzz_seeds <tests/fuzz/corpus>. Rewrites only the files named here (saved crash
// inputs next to them stay). Rerun after a format change and commit the result.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "proto/codec.h"
#include "proto/jute.h"
#include "server/sessions.h"
#include "server/txn.h"
#include "snapshot_file.h"
#include "state/acl.h"
#include "state/data_tree.h"

namespace {

namespace fs = std::filesystem;
using namespace zk;
using proto::OpCode;

fs::path root;

void Save(const std::string& dir, const std::string& name, std::string_view bytes) {
  fs::create_directories(root / dir);
  std::ofstream out(root / dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ZK_CHECK(out.good());
}

const std::vector<proto::Acl> kOpen = {{proto::kPermAll, {"world", "anyone"}}};

proto::Request Req(OpCode op, proto::RequestBody body, int32_t xid = 1) {
  proto::Request r;
  r.header.xid = xid;
  r.header.type = static_cast<int32_t>(op);
  r.body = std::move(body);
  return r;
}

proto::CreateRequest Create(std::string path, std::string data, int32_t flags = 0,
                            int64_t ttl = -1) {
  proto::CreateRequest c;
  c.path = std::move(path);
  c.data = std::move(data);
  c.acl = kOpen;
  c.flags = flags;
  c.ttl = ttl;
  return c;
}

// The request payload without its frame length.
std::string Payload(const proto::Request& r) { return proto::EncodeRequest(r).substr(4); }

// ---- request_fuzz: byte 0 = index into its kOps table, byte 1 = 0, then the body ----------

void RequestSeeds() {
  // Same order as kOps in request_fuzz.cc (supported ops first).
  const std::vector<std::pair<OpCode, proto::RequestBody>> seeds = [] {
    std::vector<std::pair<OpCode, proto::RequestBody>> v;
    proto::CreateRequest digest = Create("/app/lock-", "", 3);
    digest.acl = {{proto::kPermRead | proto::kPermWrite, {"digest", "user:pw="}},
                  {proto::kPermAll, {"ip", "127.0.0.1"}}};
    v.push_back({OpCode::kCreate, digest});
    v.push_back({OpCode::kDelete, proto::DeleteRequest{"/app/x", 3}});
    v.push_back({OpCode::kExists, proto::PathWatchRequest{"/app", true}});
    v.push_back({OpCode::kGetData, proto::PathWatchRequest{"/app", false}});
    v.push_back({OpCode::kSetData, proto::SetDataRequest{"/app", "v2", 1, false}});
    v.push_back({OpCode::kGetAcl, proto::PathRequest{"/app"}});
    v.push_back({OpCode::kSetAcl, proto::SetAclRequest{"/app", kOpen, 0}});
    v.push_back({OpCode::kGetChildren, proto::PathWatchRequest{"/", true}});
    v.push_back({OpCode::kSync, proto::PathRequest{"/app"}});
    v.push_back({OpCode::kPing, proto::EmptyRequest{}});
    v.push_back({OpCode::kGetChildren2, proto::PathWatchRequest{"/app", true}});
    v.push_back({OpCode::kCheck, proto::CheckVersionRequest{"/app", 2}});
    proto::MultiRequest multi;
    multi.ops.push_back({OpCode::kCreate, Create("/m/a", "x")});
    multi.ops.push_back({OpCode::kCreate2, Create("/m/b", "", 2)});
    multi.ops.push_back({OpCode::kCreateContainer, Create("/m/c", "", 4)});
    multi.ops.push_back({OpCode::kCreateTtl, Create("/m/d", "", 5, 60000)});
    multi.ops.push_back({OpCode::kDelete, proto::DeleteRequest{"/m/a", -1}});
    multi.ops.push_back({OpCode::kSetData, proto::SetDataRequest{"/m/b", "", -1, true}});
    multi.ops.push_back({OpCode::kCheck, proto::CheckVersionRequest{"/m", 0}});
    v.push_back({OpCode::kMulti, multi});
    proto::CreateRequest null_data = Create("/app/n", "");
    null_data.data_null = true;
    v.push_back({OpCode::kCreate2, null_data});
    v.push_back({OpCode::kReconfig,
                 proto::ReconfigRequest{"server.4=127.0.0.1:2891:3891;2184", "3", "", -1}});
    v.push_back({OpCode::kCheckWatches, proto::WatchesRequest{"/app", 3}});
    v.push_back({OpCode::kRemoveWatches, proto::WatchesRequest{"/app", 1}});
    v.push_back({OpCode::kCreateContainer, Create("/c", "", 4)});
    v.push_back({OpCode::kDeleteContainer, proto::DeleteRequest{"/c", -1}});
    v.push_back({OpCode::kCreateTtl, Create("/t", "d", 6, 1000)});
    proto::MultiRequest reads;
    reads.ops.push_back({OpCode::kGetData, proto::PathWatchRequest{"/app", false}});
    reads.ops.push_back({OpCode::kGetChildren, proto::PathWatchRequest{"/", false}});
    v.push_back({OpCode::kMultiRead, reads});
    v.push_back({OpCode::kAuth, proto::AuthPacket{0, "digest", "user:password"}});
    proto::SetWatchesRequest sw;
    sw.relative_zxid = 0x100000005;
    sw.data_watches = {"/a", "/b"};
    sw.exist_watches = {"/c"};
    sw.child_watches = {"/"};
    v.push_back({OpCode::kSetWatches, sw});
    v.push_back({OpCode::kGetEphemerals, proto::PathRequest{"/"}});
    v.push_back({OpCode::kGetAllChildrenNumber, proto::PathRequest{"/"}});
    sw.persistent_watches = {"/p"};
    sw.persistent_recursive_watches = {"/r", "/s"};
    v.push_back({OpCode::kSetWatches2, sw});
    v.push_back({OpCode::kAddWatch, proto::AddWatchRequest{"/app", 1}});
    v.push_back({OpCode::kWhoAmI, proto::EmptyRequest{}});
    v.push_back({OpCode::kCloseSession, proto::EmptyRequest{}});
    return v;
  }();
  // kOps of request_fuzz.cc: the seed at index i must carry kOps[i]'s op code.
  constexpr int32_t kOpsPrefix[] = {1,  2,  3,  4,  5,   6,   7,   8,   9,   11,
                                    12, 13, 14, 15, 16,  17,  18,  19,  20,  21,
                                    22, 100, 101, 103, 104, 105, 106, 107, -11};
  ZK_CHECK(seeds.size() == std::size(kOpsPrefix));
  for (size_t i = 0; i < seeds.size(); ++i) {
    ZK_CHECK(static_cast<int32_t>(seeds[i].first) == kOpsPrefix[i]);
    proto::Request r = Req(seeds[i].first, seeds[i].second);
    std::string input;
    input.push_back(static_cast<char>(i));
    input.push_back(0);
    input += Payload(r).substr(8);
    // Sanity: the body decodes as the op it is filed under.
    proto::Request back;
    ZK_CHECK(proto::DecodeRequest(Payload(r), &back).ok());
    Save("request", std::string(proto::OpName(seeds[i].first)), input);
  }
}

// ---- txn_fuzz: flags byte, then u16 length + entry ---------------------------------------

server::Txn Session(int64_t id, int64_t time_ms = 1000) {
  server::Txn t;
  t.kind = server::TxnKind::kCreateSession;
  t.time_ms = time_ms;
  t.session_id = id;
  t.origin = 1;
  t.timeout_ms = 30000;
  t.passwd = std::string(16, '\x5a');
  return t;
}

server::Txn Request(int64_t session, const proto::Request& r, int64_t time_ms = 2000,
                    std::vector<proto::Id> auth = {}) {
  server::Txn t;
  t.kind = server::TxnKind::kRequest;
  t.time_ms = time_ms;
  t.session_id = session;
  t.origin = 1;
  t.cxid = r.header.xid;
  t.auth = std::move(auth);
  t.payload = Payload(r);
  return t;
}

// Format 1: no origin field.
std::string EncodeV1(const server::Txn& t) {
  std::string v2 = server::EncodeTxn(t);
  std::string v1 = v2.substr(0, 2 + 16) + v2.substr(2 + 24);
  v1[0] = 1;
  return v1;
}

std::string Log(uint8_t flags, const std::vector<std::string>& entries) {
  std::string out(1, static_cast<char>(flags));
  for (const std::string& e : entries) {
    ZK_CHECK(e.size() <= 0xffff);
    out.push_back(static_cast<char>(e.size() >> 8));
    out.push_back(static_cast<char>(e.size() & 0xff));
    out += e;
  }
  return out;
}

void TxnSeeds() {
  using server::EncodeTxn;
  const int64_t s1 = 0x100000000001, s2 = 0x100000000002;
  server::Txn close = Session(s1, 9000);
  close.kind = server::TxnKind::kCloseSession;
  server::Txn expire = Session(s2, 99000);
  expire.kind = server::TxnKind::kCloseSession;
  expire.expired = true;
  server::Txn owner = Session(s2, 3000);
  owner.kind = server::TxnKind::kSetOwner;
  owner.origin = 2;
  server::Txn purge = Session(0, 500000);
  purge.kind = server::TxnKind::kDeleteExpired;
  purge.paths = {"/c", "/t"};

  Save("txn", "sessions_and_writes",
       Log(0, {EncodeTxn(Session(s1)), EncodeTxn(Session(s2)), EncodeTxn(owner),
               EncodeTxn(Request(s1, Req(OpCode::kCreate, Create("/app", "v1")))),
               EncodeTxn(Request(s1, Req(OpCode::kCreate, Create("/app/e-", "", 3), 2))),
               EncodeTxn(Request(s2, Req(OpCode::kCreate2, Create("/app/p", "x"), 3))),
               EncodeTxn(Request(s2, Req(OpCode::kSetData,
                                         proto::SetDataRequest{"/app/p", "y", 0, false}, 4))),
               EncodeTxn(Request(s2, Req(OpCode::kSetAcl,
                                         proto::SetAclRequest{"/app/p", kOpen, 0}, 5))),
               EncodeTxn(Request(s2, Req(OpCode::kDelete, proto::DeleteRequest{"/app/p", -1}, 6))),
               EncodeTxn(Request(s1, Req(OpCode::kSync, proto::PathRequest{"/app"}, 7))),
               EncodeTxn(Request(s1, Req(OpCode::kGetChildren2,
                                         proto::PathWatchRequest{"/app", false}, 8))),
               EncodeTxn(close), EncodeTxn(expire)}));

  proto::MultiRequest multi;
  multi.ops.push_back({OpCode::kCreate, Create("/m", "")});
  multi.ops.push_back({OpCode::kCreate, Create("/m/a", "x")});
  multi.ops.push_back({OpCode::kCreate2, Create("/m/b", "", 2)});
  multi.ops.push_back({OpCode::kSetData, proto::SetDataRequest{"/m/a", "", -1, true}});
  multi.ops.push_back({OpCode::kCheck, proto::CheckVersionRequest{"/m", 0}});
  multi.ops.push_back({OpCode::kDelete, proto::DeleteRequest{"/m/a", -1}});
  proto::MultiRequest failing = multi;
  failing.ops.push_back({OpCode::kCheck, proto::CheckVersionRequest{"/m", 7}});
  Save("txn", "multi",
       Log(0, {EncodeTxn(Session(s1)), EncodeTxn(Request(s1, Req(OpCode::kMulti, failing))),
               EncodeTxn(Request(s1, Req(OpCode::kMulti, multi, 2)))}));

  // Containers and TTL nodes (extendedTypesEnabled), then the purge entry.
  Save("txn", "containers_ttl",
       Log(1, {EncodeTxn(Session(s1)),
               EncodeTxn(Request(s1, Req(OpCode::kCreateContainer, Create("/c", "", 4)))),
               EncodeTxn(Request(s1, Req(OpCode::kCreate, Create("/c/x", ""), 2))),
               EncodeTxn(Request(s1, Req(OpCode::kDelete, proto::DeleteRequest{"/c/x", -1}, 3))),
               EncodeTxn(Request(s1, Req(OpCode::kCreateTtl, Create("/t", "", 5, 100), 4))),
               EncodeTxn(Request(s1, Req(OpCode::kCreateTtl, Create("/t2-", "", 6, 100), 5))),
               EncodeTxn(purge)}));

  // ACLs: a digest-protected node written with and without the identity, and by super.
  proto::CreateRequest secret = Create("/secret", "s");
  secret.acl = {{proto::kPermAll, {"digest", state::DigestId("user:pw")}}};
  const std::vector<proto::Id> user = {{"digest", state::DigestId("user:pw")}};
  const std::vector<proto::Id> super = {{"digest", "super:D/InIHSb7yEEbrWz8b9l71RjZJU="}};
  Save("txn", "acl",
       Log(0, {EncodeTxn(Session(s1)),
               EncodeTxn(Request(s1, Req(OpCode::kCreate, secret), 2000, user)),
               EncodeTxn(Request(s1, Req(OpCode::kSetData,
                                         proto::SetDataRequest{"/secret", "t", -1, false}, 2))),
               EncodeTxn(Request(s1, Req(OpCode::kGetAcl, proto::PathRequest{"/secret"}, 3),
                                 2000, super)),
               EncodeTxn(Request(s1, Req(OpCode::kDelete, proto::DeleteRequest{"/secret", 0}, 4),
                                 2000, user))}));

  // Format 1 entries (written before origins were recorded).
  Save("txn", "format1",
       Log(0, {EncodeV1(Session(s1)),
               EncodeV1(Request(s1, Req(OpCode::kCreate, Create("/v1", "old")))),
               EncodeV1(close)}));
}

// ---- snapshot_fuzz: flags byte, then "ZKNS" header + session table + tree ----------------

state::DataTree BuildTree() {
  state::DataTree tree;
  state::AuthContext auth;
  auth.ids = {{"digest", state::DigestId("user:pw")}};
  const std::string super_digest;
  int64_t zxid = 0x100000000;
  auto apply = [&](int64_t session, const proto::Request& r) {
    state::TxnContext ctx;
    ctx.zxid = ++zxid;
    ctx.time_ms = 1000 + zxid % 1000;
    ctx.session_id = session;
    ctx.auth = &auth;
    ctx.super_digest = &super_digest;
    ctx.extended_types_enabled = true;
    proto::ResponseBody resp;
    std::vector<state::Trigger> triggers;
    ZK_CHECK(tree.ApplyWrite(r, ctx, &resp, &triggers) == proto::ErrorCode::kOk);
  };
  apply(1, Req(OpCode::kCreate, Create("/app", "config")));
  apply(1, Req(OpCode::kCreate, Create("/app/e-", "", 3)));
  apply(2, Req(OpCode::kCreate, Create("/app/e-", "", 1)));
  apply(1, Req(OpCode::kCreateContainer, Create("/c", "", 4)));
  apply(1, Req(OpCode::kCreate, Create("/c/child", "")));
  apply(1, Req(OpCode::kCreateTtl, Create("/ttl", "", 5, 5000)));
  proto::CreateRequest null_data = Create("/null", "");
  null_data.data_null = true;
  apply(1, Req(OpCode::kCreate, null_data));
  proto::CreateRequest secret = Create("/secret", std::string("\0\x01\xff", 3));
  secret.acl = {{proto::kPermAll, {"digest", state::DigestId("user:pw")}},
                {proto::kPermRead, {"ip", "10.0.0.0/8"}}};
  apply(1, Req(OpCode::kCreate, secret));
  apply(1, Req(OpCode::kCreate, Create("/zookeeper/quota/app", "")));
  apply(1, Req(OpCode::kCreate,
               Create("/zookeeper/quota/app/zookeeper_limits", "count=10,bytes=-1")));
  apply(1, Req(OpCode::kSetData, proto::SetDataRequest{"/app", "v2", 0, false}));
  tree.SetConfig("server.1=127.0.0.1:2888:3888;2181\nversion=100000000", 0x100000000);
  return tree;
}

std::string Image(const server::SessionTable& sessions, const std::string& tree_bytes) {
  proto::Writer w;
  w.WriteInt(1);                // version
  w.WriteLong(0x10000000c);     // last zxid
  w.WriteLong(1);               // term
  w.WriteInt(12);               // counter
  std::string out = "ZKNS" + w.Take();
  sessions.Serialize(&out);
  return out + tree_bytes;
}

void SnapshotSeeds() {
  const state::DataTree tree = BuildTree();
  const std::string tree_bytes = tree.Serialize();
  server::SessionTable sessions;
  sessions.Add({1, 30000, std::string(16, 'a'), 1});
  sessions.Add({2, 4000, std::string(16, 'b'), -1});
  Save("snapshot", "image", std::string(1, '\0') + Image(sessions, tree_bytes));
  Save("snapshot", "image_fresh_tree",
       std::string(1, '\0') + Image(server::SessionTable(), state::DataTree().Serialize()));
  // The session table format without owners (n >= 0).
  proto::Writer old;
  old.WriteInt(1);
  old.WriteLong(7);
  old.WriteInt(10000);
  old.WriteBuffer(std::string(16, 'c'));
  proto::Writer head;
  head.WriteInt(1);
  head.WriteLong(5);
  head.WriteLong(1);
  head.WriteInt(5);
  Save("snapshot", "image_sessions_v0",
       std::string(1, '\0') + "ZKNS" + head.Take() + old.Take() + tree_bytes);
  Save("snapshot", "tree_only", std::string(1, '\x02') + tree_bytes);
  Save("snapshot", "tree_only_fix_checksum", std::string(1, '\x03') + tree_bytes);
}

// ---- sqlite_snapshot_fuzz: flags byte, then the file --------------------------------------

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void SqliteSnapshotSeeds() {
  const fs::path tmp = fs::temp_directory_path() / "zk_fuzz_seeds_sqlite";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  std::atomic<uint64_t> fsyncs{0};
  Snapshot snap;
  snap.meta.index = 500;
  snap.meta.term = 3;
  snap.meta.configuration = "raft:1=127.0.0.1:2888,2=127.0.0.1:2889,3=127.0.0.1:2890";
  snap.data = state::DataTree().Serialize();
  ZK_CHECK(storage_sqlite::WriteSnapshotFile(tmp.string(), snap, &fsyncs).ok());
  const std::string v1 = ReadAll(storage_sqlite::SnapshotPath(tmp.string(), 500));
  Save("sqlite_snapshot", "v1", std::string(1, '\0') + v1);
  Save("sqlite_snapshot", "v1_fix_crc_lengths", std::string(1, '\x03') + v1);

  storage_sqlite::SnapshotFileWriter w(tmp.string());
  ZK_CHECK(w.Write(snap.data.data(), snap.data.size()).ok());
  snap.meta.index = 501;
  ZK_CHECK(w.Finish(snap.meta, &fsyncs).ok());
  const std::string v2 = ReadAll(storage_sqlite::SnapshotPath(tmp.string(), 501));
  Save("sqlite_snapshot", "v2", std::string(1, '\0') + v2);
  Save("sqlite_snapshot", "v2_fix_crc_lengths", std::string(1, '\x03') + v2);

  Snapshot empty;
  empty.meta.index = 1;
  ZK_CHECK(storage_sqlite::WriteSnapshotFile(tmp.string(), empty, &fsyncs).ok());
  Save("sqlite_snapshot", "v1_empty",
       std::string(1, '\0') + ReadAll(storage_sqlite::SnapshotPath(tmp.string(), 1)));
  fs::remove_all(tmp);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <tests/fuzz/corpus>\n", argv[0]);
    return 2;
  }
  root = argv[1];
  RequestSeeds();
  TxnSeeds();
  SnapshotSeeds();
  SqliteSnapshotSeeds();
  std::printf("seeds written under %s\n", root.c_str());
  return 0;
}
