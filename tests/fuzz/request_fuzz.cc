// Fuzz target: every request body decoder, directly. frame_decoder_fuzz reaches DecodeRequest
// only through whatever op codes the mutator happens to write into a frame's header; here the
// first input byte picks the op code (every op DecodeRequest supports, and a few it must
// refuse), the second picks jute.maxbuffer, and the rest is the body after the 8-byte
// RequestHeader. Seeds (corpus/request, written by fuzz_seeds.cc) hold one valid request per
// op and a multi/multiRead with every allowed sub-op.
// Checked: a decoded request re-encodes to bytes that decode and re-encode identically, keeps
// its op, and a multi holds only ops allowed there; refusals are NotSupported exactly for the
// unsupported ops.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <variant>

#include "common/check.h"
#include "proto/codec.h"
#include "proto/jute.h"

namespace {

using namespace zk::proto;

struct OpChoice {
  int32_t code;
  bool supported;
};

// Indexed by the first byte (modulo the size); keep in sync with fuzz_seeds.cc, whose seeds
// start with the index of their op.
constexpr OpChoice kOps[] = {
    {1, true},     {2, true},     {3, true},    {4, true},     {5, true},     {6, true},
    {7, true},     {8, true},     {9, true},    {11, true},    {12, true},    {13, true},
    {14, true},    {15, true},    {16, true},   {17, true},    {18, true},    {19, true},
    {20, true},    {21, true},    {22, true},   {100, true},   {101, true},   {103, true},
    {104, true},   {105, true},   {106, true},  {107, true},   {-11, true},   {0, false},
    {10, false},   {102, false},  {-10, false}, {-1, false},   {108, false},
};

constexpr int32_t kMaxLens[] = {0x100000, 0xfffff, 64, 8, 0};

bool AllowedIn(OpCode multi, OpCode sub) {
  if (multi == OpCode::kMultiRead) return sub == OpCode::kGetData || sub == OpCode::kGetChildren;
  switch (sub) {
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateTtl:
    case OpCode::kCreateContainer:
    case OpCode::kDelete:
    case OpCode::kSetData:
    case OpCode::kCheck:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const OpChoice op = kOps[data[0] % std::size(kOps)];
  const int32_t max_len = kMaxLens[data[1] % std::size(kMaxLens)];
  Writer head;
  head.WriteInt(static_cast<int32_t>(data[1]) - 8);  // xid: some special (negative) ones too
  head.WriteInt(op.code);
  std::string payload = head.Take();
  payload.append(reinterpret_cast<const char*>(data + 2), size - 2);

  Request r;
  zk::Status s = DecodeRequest(payload, &r, max_len);
  ZK_CHECK(r.header.type == op.code);  // the header arrived, so it is filled either way
  if (!op.supported) {
    ZK_CHECK(s.code() == zk::Status::Code::kNotSupported);
    return 0;
  }
  if (!s.ok()) {
    ZK_CHECK(s.code() == zk::Status::Code::kInvalidArgument);
    return 0;
  }
  if (const auto* m = std::get_if<MultiRequest>(&r.body)) {
    ZK_CHECK(r.op() == OpCode::kMulti || r.op() == OpCode::kMultiRead);
    for (const MultiOp& o : m->ops) ZK_CHECK(AllowedIn(r.op(), o.type));
  }
  const std::string enc = EncodeRequest(r);
  Request again;
  ZK_CHECK(DecodeRequest(std::string_view(enc).substr(4), &again, max_len).ok());
  ZK_CHECK(again.header.xid == r.header.xid && again.header.type == r.header.type);
  ZK_CHECK(again.body.index() == r.body.index());
  ZK_CHECK(EncodeRequest(again) == enc);
  return 0;
}
