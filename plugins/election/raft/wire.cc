#include "wire.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

namespace zk::election_raft {

namespace {

// Big-endian writer that leaves room for the length prefix and fills it in Finish().
class Writer {
 public:
  explicit Writer(FrameType type) {
    out_.assign(4, '\0');
    U8(static_cast<uint8_t>(type));
  }
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Be(v, 2); }
  void U32(uint32_t v) { Be(v, 4); }
  void U64(uint64_t v) { Be(v, 8); }
  void Bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string Finish() {
    const uint32_t len = static_cast<uint32_t>(out_.size() - 4);
    for (int i = 0; i < 4; ++i) out_[i] = static_cast<char>(len >> (24 - 8 * i));
    return std::move(out_);
  }
  void Reserve(size_t n) { out_.reserve(n); }

 private:
  void Be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  std::string out_;
};

// Bounded reader: every read checks what is left; the first failure sticks.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  size_t left() const { return in_.size() - pos_; }
  bool done() const { return ok_ && pos_ == in_.size(); }
  uint8_t U8() { return static_cast<uint8_t>(Be(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Be(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Be(4)); }
  uint64_t U64() { return Be(8); }
  // Returns a view of the next n bytes (empty and failed if fewer are left).
  std::string_view Bytes(uint64_t n) {
    if (!ok_ || n > left()) {
      ok_ = false;
      return {};
    }
    std::string_view v = in_.substr(pos_, n);
    pos_ += n;
    return v;
  }

 private:
  uint64_t Be(int n) {
    if (!ok_ || left() < static_cast<size_t>(n)) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(in_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

Status Malformed(const char* what) {
  return Status::Corruption(std::string("raft wire: malformed ") + what);
}

void* AllocAtLeastOne(size_t n) { return raft_malloc(n == 0 ? 1 : n); }

void WriteConfiguration(Writer& w, const raft_configuration& c) {
  w.U32(c.n);
  for (unsigned i = 0; i < c.n; ++i) {
    const raft_server& s = c.servers[i];
    const size_t len = std::strlen(s.address);
    w.U64(s.id);
    w.U8(static_cast<uint8_t>(s.role));
    w.U16(static_cast<uint16_t>(len));
    w.Bytes(s.address, len);
  }
}

Status ReadConfiguration(Reader& r, raft_configuration* out) {
  const uint32_t n = r.U32();
  // id + role + length: 11 bytes at least per server.
  if (!r.ok() || n == 0 || n > r.left() / 11) return Malformed("configuration size");
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t id = r.U64();
    const uint8_t role = r.U8();
    const uint16_t len = r.U16();
    std::string address(r.Bytes(len));
    if (!r.ok()) return Malformed("configuration server");
    if (id == 0 || (role != RAFT_STANDBY && role != RAFT_VOTER && role != RAFT_SPARE) ||
        address.empty() || address.find('\0') != std::string::npos) {
      return Malformed("configuration server fields");
    }
    if (raft_configuration_add(out, id, address.c_str(), role) != 0) {
      return Malformed("configuration (duplicate server)");
    }
  }
  return Status::OK();
}

}  // namespace

const char* ChannelName(Channel c) { return c == Channel::kElection ? "election" : "quorum"; }

bool IsRaftFrame(FrameType t) {
  const auto v = static_cast<uint8_t>(t);
  return v >= RAFT_IO_APPEND_ENTRIES && v <= RAFT_IO_TIMEOUT_NOW;
}

Channel ChannelOf(FrameType t) {
  return (t == FrameType::kRequestVote || t == FrameType::kRequestVoteResult) ? Channel::kElection
                                                                              : Channel::kQuorum;
}

std::string EncodeHello(const Hello& h) {
  Writer w(FrameType::kHello);
  w.U32(kHelloMagic);
  w.U16(h.version);
  w.U8(static_cast<uint8_t>(h.channel));
  w.U64(h.from);
  w.U64(h.to);
  return w.Finish();
}

std::string EncodeRaftMessage(const raft_message& m) {
  Writer w(static_cast<FrameType>(m.type));
  switch (m.type) {
    case RAFT_IO_APPEND_ENTRIES: {
      const raft_append_entries& a = m.append_entries;
      size_t total = 0;
      for (unsigned i = 0; i < a.n_entries; ++i) total += a.entries[i].buf.len + 13;
      w.Reserve(total + 48);
      w.U64(a.term);
      w.U64(a.prev_log_index);
      w.U64(a.prev_log_term);
      w.U64(a.leader_commit);
      w.U32(a.n_entries);
      for (unsigned i = 0; i < a.n_entries; ++i) {
        const raft_entry& e = a.entries[i];
        w.U64(e.term);
        w.U8(static_cast<uint8_t>(e.type));
        w.U32(static_cast<uint32_t>(e.buf.len));
        w.Bytes(e.buf.base, e.buf.len);
      }
      break;
    }
    case RAFT_IO_APPEND_ENTRIES_RESULT:
      w.U64(m.append_entries_result.term);
      w.U64(m.append_entries_result.rejected);
      w.U64(m.append_entries_result.last_log_index);
      break;
    case RAFT_IO_REQUEST_VOTE:
      w.U64(m.request_vote.term);
      w.U64(m.request_vote.candidate_id);
      w.U64(m.request_vote.last_log_index);
      w.U64(m.request_vote.last_log_term);
      w.U8(static_cast<uint8_t>((m.request_vote.disrupt_leader ? 1 : 0) |
                                (m.request_vote.pre_vote ? 2 : 0)));
      break;
    case RAFT_IO_REQUEST_VOTE_RESULT:
      w.U64(m.request_vote_result.term);
      w.U8(m.request_vote_result.vote_granted ? 1 : 0);
      w.U8(static_cast<uint8_t>(m.request_vote_result.pre_vote));
      break;
    case RAFT_IO_INSTALL_SNAPSHOT: {
      const raft_install_snapshot& s = m.install_snapshot;
      w.Reserve(s.data.len + 256);
      w.U64(s.term);
      w.U64(s.last_index);
      w.U64(s.last_term);
      w.U64(s.conf_index);
      WriteConfiguration(w, s.conf);
      w.U64(s.data.len);
      w.Bytes(s.data.base, s.data.len);
      break;
    }
    case RAFT_IO_TIMEOUT_NOW:
      w.U64(m.timeout_now.term);
      w.U64(m.timeout_now.last_log_index);
      w.U64(m.timeout_now.last_log_term);
      break;
    default:
      break;  // not reached: libraft sends only the types above
  }
  return w.Finish();
}

std::string EncodePropose(uint64_t request_id, std::string_view data) {
  Writer w(FrameType::kPropose);
  w.Reserve(data.size() + 24);
  w.U64(request_id);
  w.U32(static_cast<uint32_t>(data.size()));
  w.Bytes(data.data(), data.size());
  return w.Finish();
}

std::string EncodeProposeResult(uint64_t request_id, const Status& status) {
  Writer w(FrameType::kProposeResult);
  w.U64(request_id);
  w.U8(static_cast<uint8_t>(status.code()));
  const std::string& msg = status.message();
  const size_t len = std::min<size_t>(msg.size(), 4096);
  w.U16(static_cast<uint16_t>(len));
  w.Bytes(msg.data(), len);
  return w.Finish();
}

std::string EncodeFollowerMessage(std::string_view payload) {
  Writer w(FrameType::kFollowerMessage);
  w.U32(static_cast<uint32_t>(payload.size()));
  w.Bytes(payload.data(), payload.size());
  return w.Finish();
}

Status FrameSplitter::Feed(const uint8_t* data, size_t len, std::vector<std::string>* out) {
  buf_.append(reinterpret_cast<const char*>(data), len);
  while (buf_.size() - pos_ >= 4) {
    const auto* p = reinterpret_cast<const uint8_t*>(buf_.data() + pos_);
    const uint32_t n =
        (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
    if (n == 0 || n > kMaxFrameBytes) {
      return Status::Corruption("raft wire: frame length " + std::to_string(n) +
                                " out of range (1.." + std::to_string(kMaxFrameBytes) + ")");
    }
    if (buf_.size() - pos_ - 4 < n) break;
    out->emplace_back(buf_, pos_ + 4, n);
    pos_ += 4 + size_t{n};
  }
  // Compact once the consumed prefix dominates, so a long-lived link does not grow.
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 65536 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return Status::OK();
}

Status DecodeHello(std::string_view payload, Hello* out) {
  Reader r(payload.substr(1));
  const uint32_t magic = r.U32();
  out->version = r.U16();
  const uint8_t channel = r.U8();
  out->from = r.U64();
  out->to = r.U64();
  if (!r.ok() || magic != kHelloMagic) return Malformed("hello (not a zkops raft link)");
  if (out->version != kWireVersion) {
    return Status::NotSupported("raft wire: peer speaks version " + std::to_string(out->version) +
                                ", this server speaks " + std::to_string(kWireVersion));
  }
  if (!r.done() || (channel != 1 && channel != 2) || out->from == 0 || out->to == 0) {
    return Malformed("hello fields");
  }
  out->channel = static_cast<Channel>(channel);
  return Status::OK();
}

void FreeRaftMessage(raft_message* m) {
  if (m->type == RAFT_IO_APPEND_ENTRIES && m->append_entries.entries != nullptr) {
    if (m->append_entries.n_entries > 0) raft_free(m->append_entries.entries[0].batch);
    raft_free(m->append_entries.entries);
    m->append_entries.entries = nullptr;
    m->append_entries.n_entries = 0;
  } else if (m->type == RAFT_IO_INSTALL_SNAPSHOT) {
    raft_configuration_close(&m->install_snapshot.conf);
    raft_free(m->install_snapshot.data.base);
    m->install_snapshot.data.base = nullptr;
  }
}

namespace {

Status DecodeAppendEntries(Reader& r, raft_append_entries* a) {
  a->term = r.U64();
  a->prev_log_index = r.U64();
  a->prev_log_term = r.U64();
  a->leader_commit = r.U64();
  const uint32_t n = r.U32();
  a->entries = nullptr;
  a->n_entries = 0;
  // term + type + length: 13 bytes at least per entry.
  if (!r.ok() || n > r.left() / 13 || a->term == 0) return Malformed("AppendEntries header");
  if (n == 0) return r.done() ? Status::OK() : Malformed("AppendEntries (trailing bytes)");
  // First pass: validate and size the batch; second: copy into one raft_malloc'd batch,
  // the layout libraft expects of received entries (entryBatchesDestroy).
  Reader probe = r;
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t term = probe.U64();
    const uint8_t type = probe.U8();
    const uint32_t len = probe.U32();
    probe.Bytes(len);
    if (!probe.ok() || term == 0 || type < RAFT_COMMAND || type > RAFT_CHANGE) {
      return Malformed("AppendEntries entry");
    }
    total += len;
  }
  if (!probe.done()) return Malformed("AppendEntries (trailing bytes)");
  auto* entries = static_cast<raft_entry*>(raft_malloc(n * sizeof(raft_entry)));
  auto* batch = static_cast<uint8_t*>(AllocAtLeastOne(total));
  if (entries == nullptr || batch == nullptr) {
    raft_free(entries);
    raft_free(batch);
    return Status::IoError("raft wire: out of memory for " + std::to_string(n) + " entries");
  }
  uint8_t* cursor = batch;
  for (uint32_t i = 0; i < n; ++i) {
    raft_entry& e = entries[i];
    e.term = r.U64();
    e.type = r.U8();
    const std::string_view data = r.Bytes(r.U32());
    std::memcpy(cursor, data.data(), data.size());
    e.buf.base = cursor;
    e.buf.len = data.size();
    e.batch = batch;
    cursor += data.size();
  }
  a->entries = entries;
  a->n_entries = n;
  return Status::OK();
}

Status DecodeInstallSnapshot(Reader& r, raft_install_snapshot* s) {
  raft_configuration_init(&s->conf);
  s->data.base = nullptr;
  s->data.len = 0;
  s->term = r.U64();
  s->last_index = r.U64();
  s->last_term = r.U64();
  s->conf_index = r.U64();
  if (!r.ok() || s->term == 0 || s->last_index == 0 || s->last_term == 0) {
    return Malformed("InstallSnapshot header");
  }
  Status st = ReadConfiguration(r, &s->conf);
  const uint64_t len = st.ok() ? r.U64() : 0;
  const std::string_view data = st.ok() ? r.Bytes(len) : std::string_view();
  if (st.ok() && !r.done()) st = Malformed("InstallSnapshot data");
  if (!st.ok()) {
    raft_configuration_close(&s->conf);
    raft_configuration_init(&s->conf);
    return st;
  }
  s->data.base = AllocAtLeastOne(data.size());
  if (s->data.base == nullptr) {
    raft_configuration_close(&s->conf);
    raft_configuration_init(&s->conf);
    return Status::IoError("raft wire: out of memory for a snapshot");
  }
  std::memcpy(s->data.base, data.data(), data.size());
  s->data.len = data.size();
  return Status::OK();
}

}  // namespace

Status DecodeRaftMessage(std::string_view payload, raft_message* out) {
  std::memset(out, 0, sizeof(*out));
  const FrameType type = TypeOf(payload);
  if (!IsRaftFrame(type)) return Malformed("raft message type");
  out->type = static_cast<unsigned short>(type);
  Reader r(payload.substr(1));
  switch (out->type) {
    case RAFT_IO_APPEND_ENTRIES:
      return DecodeAppendEntries(r, &out->append_entries);
    case RAFT_IO_APPEND_ENTRIES_RESULT: {
      auto& a = out->append_entries_result;
      a.term = r.U64();
      a.rejected = r.U64();
      a.last_log_index = r.U64();
      return r.done() && a.term != 0 ? Status::OK() : Malformed("AppendEntriesResult");
    }
    case RAFT_IO_REQUEST_VOTE: {
      auto& v = out->request_vote;
      v.term = r.U64();
      v.candidate_id = r.U64();
      v.last_log_index = r.U64();
      v.last_log_term = r.U64();
      const uint8_t flags = r.U8();
      v.disrupt_leader = (flags & 1) != 0;
      v.pre_vote = (flags & 2) != 0;
      return r.done() && (flags & ~3) == 0 && v.term != 0 && v.candidate_id != 0
                 ? Status::OK()
                 : Malformed("RequestVote");
    }
    case RAFT_IO_REQUEST_VOTE_RESULT: {
      auto& v = out->request_vote_result;
      v.term = r.U64();
      const uint8_t granted = r.U8();
      const uint8_t pre_vote = r.U8();
      v.vote_granted = granted == 1;
      v.pre_vote = static_cast<raft_tribool>(pre_vote);
      return r.done() && granted <= 1 && pre_vote <= raft_tribool_false && v.term != 0
                 ? Status::OK()
                 : Malformed("RequestVoteResult");
    }
    case RAFT_IO_INSTALL_SNAPSHOT:
      return DecodeInstallSnapshot(r, &out->install_snapshot);
    case RAFT_IO_TIMEOUT_NOW: {
      auto& t = out->timeout_now;
      t.term = r.U64();
      t.last_log_index = r.U64();
      t.last_log_term = r.U64();
      return r.done() && t.term != 0 ? Status::OK() : Malformed("TimeoutNow");
    }
  }
  return Malformed("raft message type");
}

Status DecodePropose(std::string_view payload, uint64_t* request_id, std::string* data) {
  Reader r(payload.substr(1));
  *request_id = r.U64();
  const std::string_view d = r.Bytes(r.U32());
  if (!r.done() || *request_id == 0) return Malformed("Propose");
  data->assign(d);
  return Status::OK();
}

Status DecodeProposeResult(std::string_view payload, uint64_t* request_id, Status* status) {
  Reader r(payload.substr(1));
  *request_id = r.U64();
  const uint8_t code = r.U8();
  const std::string msg(r.Bytes(r.U16()));
  if (!r.done() || code > static_cast<uint8_t>(Status::Code::kNotSupported)) {
    return Malformed("ProposeResult");
  }
  switch (static_cast<Status::Code>(code)) {
    case Status::Code::kOk:
      *status = Status::OK();
      break;
    case Status::Code::kAborted:
      *status = Status::Aborted(msg);
      break;
    case Status::Code::kInvalidArgument:
      *status = Status::InvalidArgument(msg);
      break;
    case Status::Code::kNotSupported:
      *status = Status::NotSupported(msg);
      break;
    case Status::Code::kIoError:
      *status = Status::IoError(msg);
      break;
    default:
      *status = Status::Unavailable(msg);
      break;
  }
  return Status::OK();
}

Status DecodeFollowerMessage(std::string_view payload, std::string* data) {
  Reader r(payload.substr(1));
  const std::string_view d = r.Bytes(r.U32());
  if (!r.done()) return Malformed("FollowerMessage");
  data->assign(d);
  return Status::OK();
}

std::string EncodeConfiguration(const raft_configuration& c, uint64_t configuration_index) {
  // Reuses the frame writer; the 4-byte length and the type byte are cut off below.
  Writer w(FrameType::kHello);
  w.Bytes("ZKRC", 4);
  w.U8(1);
  w.U64(configuration_index);
  WriteConfiguration(w, c);
  return w.Finish().substr(5);
}

Status DecodeConfiguration(std::string_view data, raft_configuration* out,
                           uint64_t* configuration_index) {
  Reader r(data);
  const std::string_view magic = r.Bytes(4);
  const uint8_t version = r.U8();
  *configuration_index = r.U64();
  if (!r.ok() || magic != "ZKRC" || version != 1) return Malformed("snapshot configuration");
  Status s = ReadConfiguration(r, out);
  if (s.ok() && !r.done()) s = Malformed("snapshot configuration (trailing bytes)");
  if (!s.ok()) {
    raft_configuration_close(out);
    raft_configuration_init(out);
  }
  return s;
}

}  // namespace zk::election_raft
