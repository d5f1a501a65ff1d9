// A whole zknode in-process (tcp transport on port 0, each storage plugin), driven over a
// raw socket with our codec: handshake, writes, reads, watches, re-attach, four-letter words,
// and a restart that must keep what was acknowledged.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "config/zoo_cfg.h"
#include "proto/codec.h"
#include "server/node.h"

namespace zk {
namespace {

using proto::ErrorCode;
using proto::OpCode;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/zknode-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A blocking client speaking the wire protocol directly.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }

  void SendAll(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += n;
    }
  }
  // Next frame payload, or "" on EOF/timeout.
  std::string ReadFrame() {
    std::string frame;
    while (true) {
      if (decoder_.Next(&frame)) return frame;
      uint8_t buf[65536];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return "";
      decoder_.Feed(buf, n);
    }
  }
  std::string ReadAll() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd_, buf, sizeof(buf), 0)) > 0) out.append(buf, n);
    return out;
  }

  proto::ConnectResponse Handshake(int64_t session = 0, std::string passwd = std::string(16, 0)) {
    proto::Writer w;
    size_t b = w.BeginFrame();
    w.WriteInt(0);
    w.WriteLong(0);
    w.WriteInt(30000);
    w.WriteLong(session);
    w.WriteBuffer(passwd);
    w.WriteBool(false);
    w.EndFrame(b);
    SendAll(w.data());
    std::string frame = ReadFrame();
    proto::ConnectResponse r;
    proto::Reader rd(frame);
    rd.ReadInt(&r.protocol_version);
    rd.ReadInt(&r.timeout_ms);
    rd.ReadLong(&r.session_id);
    rd.ReadBuffer(&r.passwd);
    frame_size_ = frame.size();
    return r;
  }
  size_t last_handshake_size() const { return frame_size_; }

  // Sends a request and returns the reply for it (notifications before it are collected).
  proto::ReplyHeader Call(OpCode op, proto::RequestBody body, proto::ResponseBody* resp) {
    proto::Request req;
    req.header = {++xid_, static_cast<int32_t>(op)};
    req.body = std::move(body);
    SendAll(proto::EncodeRequest(req));
    while (true) {
      std::string frame = ReadFrame();
      proto::ReplyHeader h;
      if (frame.empty()) return {0, 0, -999};
      proto::ReplyHeader peek;
      proto::Reader rd(frame);
      rd.ReadInt(&peek.xid);
      if (peek.xid == proto::kNotificationXid) {
        notifications.push_back(frame);
        continue;
      }
      EXPECT_TRUE(proto::DecodeReply(frame, op, &h, resp).ok());
      return h;
    }
  }
  std::vector<std::string> notifications;

 private:
  int fd_;
  bool connected_ = false;
  int32_t xid_ = 0;
  size_t frame_size_ = 0;
  proto::FrameDecoder decoder_{1 << 22};
};

class NodeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void StartNode(bool admin = false, int max_cnxns = 60) {
    std::string text = "tickTime=100\ndataDir=" + dir_.path() +
                       (admin ? "\nadmin.serverAddress=127.0.0.1\nadmin.serverPort=0\n"
                              : "\nadmin.enableServer=false\n") +
                       "4lw.commands.whitelist=*\nplugin.dir=" ZK_PLUGIN_DIR "\nplugin.storage=" +
                       GetParam() + "\n";
    config::ZooConfig cfg;
    Status parsed = config::ParseZooConfig(text, "test.cfg", &cfg);
    ASSERT_TRUE(parsed.ok()) << parsed.ToString();
    cfg.max_client_cnxns = max_cnxns;
    cfg.client_port = 0;  // any free port
    cfg.client_port_address = "127.0.0.1";
    cfg.min_session_timeout = 200;
    cfg.max_session_timeout = 30000;
    cfg.data_log_dir = cfg.data_dir;
    int code = 0;
    Status s = server::Node::Create(cfg, &node_, &code);
    ASSERT_TRUE(s.ok()) << s.ToString();
    node_->RunInThread();
    port_ = node_->client_port();
  }
  void TearDown() override {
    if (node_) node_->Stop();
  }

  TempDir dir_;
  std::unique_ptr<server::Node> node_;
  uint16_t port_ = 0;
};

TEST_P(NodeTest, CreateGetAndStat) {
  ASSERT_NO_FATAL_FAILURE(StartNode());
  RawClient c(port_);
  ASSERT_TRUE(c.connected());
  auto hs = c.Handshake();
  EXPECT_NE(hs.session_id, 0);
  EXPECT_EQ(hs.timeout_ms, 30000);
  EXPECT_EQ(hs.passwd.size(), 16u);
  EXPECT_EQ(c.last_handshake_size(), 37u) << "readOnly byte echoed for a 45-byte request";

  proto::ResponseBody r;
  auto h = c.Call(OpCode::kCreate, proto::CreateRequest{"/defg", "defg", {{31, {"world", "anyone"}}}, 0}, &r);
  ASSERT_EQ(h.err, 0);
  EXPECT_EQ(std::get<proto::CreateResponse>(r).path, "/defg");
  int64_t create_zxid = h.zxid;

  h = c.Call(OpCode::kGetData, proto::PathWatchRequest{"/defg", true}, &r);
  ASSERT_EQ(h.err, 0);
  const auto& gd = std::get<proto::GetDataResponse>(r);
  EXPECT_EQ(gd.data, "defg");
  EXPECT_EQ(gd.stat.czxid, create_zxid);
  EXPECT_EQ(gd.stat.data_length, 4);

  h = c.Call(OpCode::kCreate, proto::CreateRequest{"/defg", "x", {{31, {"world", "anyone"}}}, 0}, &r);
  EXPECT_EQ(h.err, int32_t(ErrorCode::kNodeExists));

  // A watch set by getData fires before the reply to the write that triggers it.
  h = c.Call(OpCode::kSetData, proto::SetDataRequest{"/defg", "v2", -1}, &r);
  ASSERT_EQ(h.err, 0);
  ASSERT_EQ(c.notifications.size(), 1u);
  EXPECT_EQ(std::get<proto::StatResponse>(r).stat.version, 1);

  h = c.Call(OpCode::kGetChildren, proto::PathWatchRequest{"/", false}, &r);
  ASSERT_EQ(h.err, 0);
  auto kids = std::get<proto::GetChildrenResponse>(r).children;
  std::sort(kids.begin(), kids.end());
  EXPECT_EQ(kids, (std::vector<std::string>{"defg", "zookeeper"}));
}

TEST_P(NodeTest, ReattachKeepsTheSessionAndWrongPasswordIsRefused) {
  ASSERT_NO_FATAL_FAILURE(StartNode());
  proto::ConnectResponse first;
  {
    RawClient c(port_);
    first = c.Handshake();
    proto::ResponseBody r;
    auto h = c.Call(OpCode::kCreate,
                    proto::CreateRequest{"/eph", "", {{31, {"world", "anyone"}}}, 1}, &r);
    ASSERT_EQ(h.err, 0);
  }
  RawClient again(port_);
  auto hs = again.Handshake(first.session_id, first.passwd);
  EXPECT_EQ(hs.session_id, first.session_id);
  proto::ResponseBody r;
  auto h = again.Call(OpCode::kExists, proto::PathWatchRequest{"/eph", false}, &r);
  ASSERT_EQ(h.err, 0);
  EXPECT_EQ(std::get<proto::StatResponse>(r).stat.ephemeral_owner, first.session_id);

  RawClient bad(port_);
  auto refused = bad.Handshake(first.session_id, std::string(16, 'x'));
  EXPECT_EQ(refused.session_id, 0);
  EXPECT_EQ(refused.timeout_ms, 0);
  EXPECT_EQ(refused.passwd, std::string(16, '\0'));
}

TEST_P(NodeTest, FourLetterWords) {
  ASSERT_NO_FATAL_FAILURE(StartNode());
  {
    RawClient c(port_);
    c.SendAll("ruok");
    EXPECT_EQ(c.ReadAll(), "imok");
  }
  RawClient c(port_);
  c.SendAll("srvr");
  std::string srvr = c.ReadAll();
  EXPECT_NE(srvr.find("Mode: standalone\n"), std::string::npos) << srvr;
  EXPECT_NE(srvr.find("Zookeeper version: 3.8.0"), std::string::npos) << srvr;
  // conf and mntr name the loaded plugins and their versions.
  RawClient m(port_);
  m.SendAll("mntr");
  std::string mntr = m.ReadAll();
  EXPECT_NE(mntr.find("zk_server_state\tstandalone\n"), std::string::npos) << mntr;
  EXPECT_NE(mntr.find("zk_plugin_storage\t" + GetParam() + " "), std::string::npos) << mntr;
  RawClient f(port_);
  f.SendAll("conf");
  std::string conf = f.ReadAll();
  EXPECT_NE(conf.find("plugin.election=standalone "), std::string::npos) << conf;
  EXPECT_NE(conf.find("plugin.transport=tcp "), std::string::npos) << conf;
}

TEST_P(NodeTest, MaxClientCnxnsPerIp) {
  ASSERT_NO_FATAL_FAILURE(StartNode(false, /*max_cnxns=*/2));
  auto a = std::make_unique<RawClient>(port_);
  RawClient b(port_);
  EXPECT_NE(a->Handshake().session_id, 0);
  EXPECT_NE(b.Handshake().session_id, 0);
  RawClient third(port_);
  EXPECT_EQ(third.ReadFrame(), "") << "the third connection from one IP is closed";
  proto::ResponseBody r;
  EXPECT_EQ(b.Call(OpCode::kExists, proto::PathWatchRequest{"/", false}, &r).err, 0);
}

TEST_P(NodeTest, MalformedFrameClosesOnlyThatConnection) {
  ASSERT_NO_FATAL_FAILURE(StartNode());
  RawClient good(port_);
  good.Handshake();
  RawClient bad(port_);
  bad.Handshake();
  bad.SendAll(std::string("\x00\x00\x00\x05\x00\x00\x00\x01\x00", 9));  // truncated header
  EXPECT_EQ(bad.ReadFrame(), "");
  RawClient huge(port_);
  huge.SendAll(std::string("\x7f\xff\xff\xff", 4));
  EXPECT_EQ(huge.ReadFrame(), "");
  proto::ResponseBody r;
  EXPECT_EQ(good.Call(OpCode::kExists, proto::PathWatchRequest{"/", false}, &r).err, 0);
}

TEST_P(NodeTest, AcknowledgedWritesSurviveARestart) {
  if (GetParam() == "memory") GTEST_SKIP() << "memory storage is volatile by design";
  ASSERT_NO_FATAL_FAILURE(StartNode());
  {
    RawClient c(port_);
    c.Handshake();
    proto::ResponseBody r;
    for (int i = 0; i < 50; ++i) {
      ASSERT_EQ(c.Call(OpCode::kCreate,
                       proto::CreateRequest{"/n" + std::to_string(i), "d",
                                            {{31, {"world", "anyone"}}}, 0},
                       &r).err,
                0);
    }
  }
  node_->Stop();
  node_.reset();
  ASSERT_NO_FATAL_FAILURE(StartNode());
  RawClient c(port_);
  c.Handshake();
  proto::ResponseBody r;
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(c.Call(OpCode::kExists, proto::PathWatchRequest{"/n" + std::to_string(i), false}, &r).err, 0);
  }
}

// Random bytes, truncated and oversized frames on many connections while a well-behaved
// client keeps working: every bad connection is answered or closed, nobody else notices.
TEST_P(NodeTest, GarbageOnOtherConnectionsHarmsNoOne) {
  ASSERT_NO_FATAL_FAILURE(StartNode());
  RawClient good(port_);
  good.Handshake();
  std::mt19937 rng(20261125);
  for (int round = 0; round < 60; ++round) {
    RawClient bad(port_);
    std::string junk(1 + rng() % 300, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    if (round % 3 == 1) {  // a valid handshake first, garbage after it
      bad.Handshake();
      junk.insert(0, std::string("\x00\x00\x00\x30", 4));
    }
    bad.SendAll(junk);
    proto::ResponseBody r;
    ASSERT_EQ(good.Call(OpCode::kExists, proto::PathWatchRequest{"/", false}, &r).err, 0)
        << "round " << round;
  }
  proto::ResponseBody r;
  EXPECT_EQ(good.Call(OpCode::kCreate,
                      proto::CreateRequest{"/still-here", "", {{31, {"world", "anyone"}}}, 0}, &r)
                .err,
            0);
}

// A request body that cannot be read gets MarshallingError in order; the connection stays.
TEST_P(NodeTest, MalformedBodyIsAnsweredWithMarshallingError) {
  ASSERT_NO_FATAL_FAILURE(StartNode());
  RawClient c(port_);
  c.Handshake();
  // getData (4) with xid 7 and a path length that runs past the frame.
  c.SendAll(std::string("\x00\x00\x00\x0c\x00\x00\x00\x07\x00\x00\x00\x04\x00\x00\x10\x00", 16));
  std::string frame = c.ReadFrame();
  proto::Reader rd(frame);
  proto::ReplyHeader h;
  rd.ReadInt(&h.xid);
  rd.ReadLong(&h.zxid);
  rd.ReadInt(&h.err);
  EXPECT_EQ(h.xid, 7);
  EXPECT_EQ(h.err, int32_t(ErrorCode::kMarshallingError));
  proto::ResponseBody r;
  EXPECT_EQ(c.Call(OpCode::kExists, proto::PathWatchRequest{"/", false}, &r).err, 0);
}

std::string HttpGet(uint16_t port, const std::string& path) {
  RawClient c(port);
  c.SendAll("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n");
  return c.ReadAll();
}

TEST_P(NodeTest, AdminServerAnswersCommandsAndMetrics) {
  ASSERT_NO_FATAL_FAILURE(StartNode(/*admin=*/true));
  ASSERT_NE(node_->admin_port(), 0);
  std::string ruok = HttpGet(node_->admin_port(), "/commands/ruok");
  EXPECT_NE(ruok.find("200 OK"), std::string::npos) << ruok;
  EXPECT_NE(ruok.find("\"command\": \"ruok\""), std::string::npos) << ruok;
  EXPECT_NE(ruok.find("\"error\": null"), std::string::npos) << ruok;
  std::string mntr = HttpGet(node_->admin_port(), "/commands/monitor");
  EXPECT_NE(mntr.find("\"server_state\": \"standalone\""), std::string::npos) << mntr;
  std::string unknown = HttpGet(node_->admin_port(), "/commands/nope");
  EXPECT_NE(unknown.find("Unknown command: nope"), std::string::npos) << unknown;
  std::string metrics = HttpGet(node_->admin_port(), "/metrics");
  EXPECT_NE(metrics.find("\nznode_count 5\n"), std::string::npos) << metrics;
}

INSTANTIATE_TEST_SUITE_P(Storage, NodeTest, ::testing::Values("sqlite", "memory"));

}  // namespace
}  // namespace zk
