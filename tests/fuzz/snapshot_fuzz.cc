// Fuzz target: the stored snapshot image a server restores from (ZkServer::Restore): "ZKNS",
// i32 version 1, i64 last zxid, i64 zxid term, i32 zxid counter, the session table
// (SessionTable::Deserialize, server/sessions.cc), then the DataTree snapshot
// (DataTree::Deserialize, state/snapshot.cc). The header is parsed here as Restore does
// (keep in sync with server_apply.cc); the two decoders are the real ones.
// The first input byte holds flags:
//   bit 0: overwrite the tree snapshot's last 8 bytes with the right checksum, so mutated
//          snapshots get past the checksum and their decoded trees are exercised;
//   bit 1: the rest is the tree snapshot alone (no header, no session table).
// Checked: failures are Corruption and leave the tree as it was; a decoded session table and
// tree re-encode to bytes that decode to the same thing (same digest, same bytes), and the
// restored tree stays consistent under KillSession, CollectExpired, create and delete.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "proto/jute.h"
#include "server/sessions.h"
#include "state/data_tree.h"
#include "state/hash.h"

namespace {

using namespace zk;

// snapshot.cc's checksum: Hasher with this seed over every byte before the last 8.
void FixChecksum(std::string* snap) {
  if (snap->size() < 8) return;
  state::Hasher h(0x5A4B4F50534E4150ULL);
  h.AddBytes(std::string_view(*snap).substr(0, snap->size() - 8));
  uint64_t sum = h.Finish();
  for (int i = 0; i < 8; ++i) {
    (*snap)[snap->size() - 1 - i] = static_cast<char>(sum >> (8 * i));
  }
}

void CheckSessions(std::string_view in) {
  server::SessionTable table;
  size_t consumed = 0;
  Status s = table.Deserialize(in, &consumed);
  if (!s.ok()) {
    ZK_CHECK(s.code() == Status::Code::kCorruption);
    return;
  }
  ZK_CHECK(consumed <= in.size());
  std::string enc;
  table.Serialize(&enc);
  server::SessionTable again;
  size_t consumed2 = 0;
  ZK_CHECK(again.Deserialize(enc, &consumed2).ok());
  ZK_CHECK(consumed2 == enc.size());
  ZK_CHECK(again.size() == table.size());
  std::string enc2;
  again.Serialize(&enc2);
  ZK_CHECK(enc2 == enc);
}

void Exercise(state::DataTree* tree) {
  const int64_t zxid = tree->last_zxid() + 1;
  std::vector<state::Trigger> triggers;
  for (const auto& [session, paths] : tree->EphemeralsBySession()) {
    for (const std::string& p : paths) ZK_CHECK(tree->Exists(p));
    tree->KillSession(session, zxid, 0, &triggers);
  }
  ZK_CHECK(tree->ephemeral_count() == 0);
  tree->set_skip_acl(true);  // whatever ACLs the snapshot holds, the writes below may run
  state::AuthContext auth;
  const std::string super_digest;
  state::TxnContext ctx;
  ctx.zxid = zxid;
  ctx.auth = &auth;
  ctx.super_digest = &super_digest;
  ctx.extended_types_enabled = true;
  for (const std::string& path : tree->CollectExpired(int64_t{1} << 40, 1)) {
    proto::Request req;
    req.header.type = static_cast<int32_t>(proto::OpCode::kDeleteContainer);
    req.body = proto::DeleteRequest{path, -1};
    proto::ResponseBody resp;
    tree->ApplyWrite(req, ctx, &resp, &triggers);
  }
  proto::Request create;
  create.header.type = static_cast<int32_t>(proto::OpCode::kCreate);
  proto::CreateRequest c;
  c.path = "/zookeeper/fuzz";
  c.acl = {{proto::kPermAll, {"world", "anyone"}}};
  create.body = c;
  proto::ResponseBody resp;
  if (tree->ApplyWrite(create, ctx, &resp, &triggers) == proto::ErrorCode::kOk) {
    proto::Request del;
    del.header.type = static_cast<int32_t>(proto::OpCode::kDelete);
    del.body = proto::DeleteRequest{"/zookeeper/fuzz", -1};
    ZK_CHECK(tree->ApplyWrite(del, ctx, &resp, &triggers) == proto::ErrorCode::kOk);
  }
  // What is left must still be a valid snapshot.
  state::DataTree again;
  ZK_CHECK(again.Deserialize(tree->Serialize()).ok());
  ZK_CHECK(again.Digest() == tree->Digest());
}

void CheckTree(std::string_view in, bool fix_checksum) {
  std::string bytes(in);
  if (fix_checksum) FixChecksum(&bytes);
  state::DataTree tree;
  const uint64_t fresh_digest = tree.Digest();
  const size_t fresh_nodes = tree.node_count();
  Status s = tree.Deserialize(bytes);
  if (!s.ok()) {
    ZK_CHECK(s.code() == Status::Code::kCorruption);
    ZK_CHECK(tree.Digest() == fresh_digest && tree.node_count() == fresh_nodes);
    return;
  }
  const std::string enc = tree.Serialize();
  state::DataTree again;
  ZK_CHECK(again.Deserialize(enc).ok());
  ZK_CHECK(again.Digest() == tree.Digest());
  ZK_CHECK(again.last_zxid() == tree.last_zxid());
  ZK_CHECK(again.node_count() == tree.node_count());
  ZK_CHECK(again.ephemeral_count() == tree.ephemeral_count());
  ZK_CHECK(again.approximate_data_size() == tree.approximate_data_size());
  ZK_CHECK(again.Serialize() == enc);
  Exercise(&tree);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool fix_checksum = (data[0] & 1) != 0;
  const bool tree_only = (data[0] & 2) != 0;
  const std::string_view image(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (tree_only) {
    CheckTree(image, fix_checksum);
    return 0;
  }
  // ZkServer::Restore's header.
  if (image.size() < 4 || image.substr(0, 4) != "ZKNS") return 0;
  proto::Reader r(image.substr(4), 0x7fffffff);
  int32_t version = 0, counter = 0;
  int64_t zxid = 0, term = 0;
  if (!r.ReadInt(&version) || version != 1 || !r.ReadLong(&zxid) || !r.ReadLong(&term) ||
      !r.ReadInt(&counter)) {
    return 0;
  }
  size_t offset = 4 + r.position();
  CheckSessions(image.substr(offset));
  server::SessionTable table;
  size_t consumed = 0;
  if (!table.Deserialize(image.substr(offset), &consumed).ok()) return 0;
  CheckTree(image.substr(offset + consumed), fix_checksum);
  return 0;
}
