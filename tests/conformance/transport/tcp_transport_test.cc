// tcp-only checks: real sockets that do not go through the plugin can talk to it, IPv6, the
// wildcard address, and the 4lw pattern (the client half-closes; the server still answers).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "transport_test_util.h"

namespace zk::test {
namespace {

// A blocking POSIX client with a receive timeout so a broken server fails the test quickly.
class RawClient {
 public:
  // Connects to `addr` (IPv4 or IPv6 literal). ok() says whether it worked.
  RawClient(const std::string& addr, uint16_t port) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (addr.find(':') != std::string::npos) {
      auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
      sa->sin6_family = AF_INET6;
      sa->sin6_port = htons(port);
      if (inet_pton(AF_INET6, addr.c_str(), &sa->sin6_addr) != 1) return;
      len = sizeof(*sa);
    } else {
      auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
      sa->sin_family = AF_INET;
      sa->sin_port = htons(port);
      if (inet_pton(AF_INET, addr.c_str(), &sa->sin_addr) != 1) return;
      len = sizeof(*sa);
    }
    fd_ = ::socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    timeval tv{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  bool Write(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }
  // Closes with RST instead of FIN (SO_LINGER with a zero timeout).
  void Reset() {
    linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    ::close(fd_);
    fd_ = -1;
  }
  // Reads exactly n bytes (or less on EOF/timeout).
  std::string ReadN(size_t n) {
    std::string out;
    char buf[65536];
    while (out.size() < n) {
      ssize_t r = ::recv(fd_, buf, std::min(sizeof(buf), n - out.size()), 0);
      if (r <= 0) break;
      out.append(buf, static_cast<size_t>(r));
    }
    return out;
  }
  // Reads until EOF; `eof` says whether it was an orderly EOF (not a timeout or reset).
  std::string ReadToEof(bool* eof) {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t r = ::recv(fd_, buf, sizeof(buf), 0);
      if (r == 0) {
        *eof = true;
        return out;
      }
      if (r < 0) {
        *eof = false;
        return out;
      }
      out.append(buf, static_cast<size_t>(r));
    }
  }

 private:
  int fd_ = -1;
};

class TcpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TransportFactory* factory = LoadTransportFactory("tcp");
    ASSERT_NE(factory, nullptr);
    Status status;
    server_ = factory->Create(PluginConfig(), &host_, &status);
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_TRUE(server_->Start().ok());
    handler_.on_data = [this](ConnId id, const uint8_t* data, size_t len) {
      server_->Send(id, std::string(reinterpret_cast<const char*>(data), len));
    };
  }
  void TearDown() override {
    if (server_) server_->Stop();
    EXPECT_EQ(handler_.violations(), "");
  }

  uint16_t Listen(const std::string& host) {
    uint16_t port = 0;
    Status s = server_->Listen({host, 0}, &handler_, &port);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return port;
  }

  TestHost host_;
  RecordingHandler handler_;
  std::unique_ptr<Transport> server_;
};

TEST_F(TcpTransportTest, RawPosixClientEcho) {
  uint16_t port = Listen("127.0.0.1");
  RawClient client("127.0.0.1", port);
  ASSERT_TRUE(client.ok());
  const std::string payload = RandomBytes(300000, 3);
  ASSERT_TRUE(client.Write(payload));
  EXPECT_TRUE(client.ReadN(payload.size()) == payload);
  std::vector<ConnId> ids = handler_.OpenOrder();
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(handler_.Get(ids[0]).peer.rfind("127.0.0.1:", 0), 0u) << handler_.Get(ids[0]).peer;
}

TEST_F(TcpTransportTest, ManySmallSendsArriveAsOneOrderedStream) {
  handler_.on_data = nullptr;
  handler_.on_open = [this](ConnId id, const std::string&) {
    for (int i = 0; i < 20000; ++i) server_->Send(id, std::to_string(i) + ",");
    server_->Close(id);
  };
  uint16_t port = Listen("127.0.0.1");
  RawClient client("127.0.0.1", port);
  ASSERT_TRUE(client.ok());
  std::string want;
  for (int i = 0; i < 20000; ++i) want += std::to_string(i) + ",";
  bool eof = false;
  EXPECT_EQ(client.ReadToEof(&eof), want);
  EXPECT_TRUE(eof) << "Close must end with FIN after the data, not a reset";
}

// `echo ruok | nc -N host 2181`: the client sends 4 bytes and half-closes. The server pauses
// reading inside OnData (as core does for a 4lw), answers and closes: the reply arrives.
TEST_F(TcpTransportTest, HalfClosedClientStillGetsTheReply) {
  handler_.on_data = [this](ConnId id, const uint8_t* data, size_t len) {
    server_->SetReading(id, false);
    server_->Send(id, "imok");
    server_->Close(id);
  };
  uint16_t port = Listen("127.0.0.1");
  RawClient client("127.0.0.1", port);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client.Write("ruok"));
  client.ShutdownWrite();
  bool eof = false;
  EXPECT_EQ(client.ReadToEof(&eof), "imok");
  EXPECT_TRUE(eof);
  std::vector<ConnId> ids = handler_.OpenOrder();
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(handler_.WaitUntil([&] { return handler_.ClosedLocked(ids[0]); }));
  EXPECT_EQ(handler_.Get(ids[0]).data, "ruok");
  EXPECT_EQ(handler_.Get(ids[0]).error, "");
}

TEST_F(TcpTransportTest, ClientResetIsReportedWithAnError) {
  uint16_t port = Listen("127.0.0.1");
  RawClient client("127.0.0.1", port);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client.Write("x"));
  ASSERT_EQ(client.ReadN(1), "x");
  client.Reset();
  std::vector<ConnId> ids = handler_.OpenOrder();
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(handler_.WaitUntil([&] { return handler_.ClosedLocked(ids[0]); }));
  EXPECT_EQ(handler_.Get(ids[0]).closed, 1);
  EXPECT_NE(handler_.Get(ids[0]).error, "") << "a reset is not an orderly close";
}

TEST_F(TcpTransportTest, ListenOnEveryAddress) {
  uint16_t port = Listen("");
  RawClient client("127.0.0.1", port);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client.Write("any"));
  EXPECT_EQ(client.ReadN(3), "any");
}

TEST_F(TcpTransportTest, Ipv6Loopback) {
  {
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    bool usable = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
    if (fd >= 0) ::close(fd);
    if (!usable) GTEST_SKIP() << "no IPv6 loopback on this machine (::1 cannot be bound)";
  }
  uint16_t port = Listen("::1");
  ASSERT_NE(port, 0);
  RawClient client("::1", port);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(client.Write("six"));
  EXPECT_EQ(client.ReadN(3), "six");
  std::vector<ConnId> ids = handler_.OpenOrder();
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(handler_.Get(ids[0]).peer.rfind("[::1]:", 0), 0u) << handler_.Get(ids[0]).peer;

  // The plugin's own outgoing connect works over IPv6 too.
  RecordingHandler client_handler;
  TransportFactory* factory = LoadTransportFactory("tcp");
  Status status;
  std::unique_ptr<Transport> client_transport = factory->Create(PluginConfig(), &host_, &status);
  ASSERT_TRUE(client_transport->Start().ok());
  ConnId id = client_transport->Connect({"::1", port}, &client_handler);
  client_transport->Send(id, "v6");
  EXPECT_TRUE(client_handler.WaitUntil([&] { return client_handler.DataSizeLocked(id) >= 2; }));
  EXPECT_EQ(client_handler.Get(id).data, "v6");
  client_transport->Stop();
}

TEST_F(TcpTransportTest, DualStackListenerShowsIpv4PeersPlainly) {
  uint16_t port = 0;
  Status s = server_->Listen({"::", 0}, &handler_, &port);
  if (!s.ok()) GTEST_SKIP() << "cannot listen on [::]: " << s.ToString();
  RawClient client("127.0.0.1", port);
  if (!client.ok()) GTEST_SKIP() << "[::] is IPv6-only here (net.ipv6.bindv6only=1)";
  ASSERT_TRUE(client.Write("46"));
  EXPECT_EQ(client.ReadN(2), "46");
  std::vector<ConnId> ids = handler_.OpenOrder();
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(handler_.Get(ids[0]).peer.rfind("127.0.0.1:", 0), 0u) << handler_.Get(ids[0]).peer;
}

TEST_F(TcpTransportTest, ConnectResolvesHostNames) {
  uint16_t port = Listen("127.0.0.1");
  RecordingHandler client_handler;
  TransportFactory* factory = LoadTransportFactory("tcp");
  Status status;
  std::unique_ptr<Transport> client_transport = factory->Create(PluginConfig(), &host_, &status);
  ASSERT_TRUE(client_transport->Start().ok());
  ConnId id = client_transport->Connect({"localhost", port}, &client_handler);
  ASSERT_TRUE(client_handler.WaitUntil(
      [&] { return client_handler.OpenedLocked(id) || client_handler.ClosedLocked(id); }));
  if (!client_handler.Get(id).opened) {
    // localhost may resolve to ::1 first on some machines; the listener is IPv4 only.
    EXPECT_NE(client_handler.Get(id).error, "");
  } else {
    client_transport->Send(id, "name");
    EXPECT_TRUE(client_handler.WaitUntil([&] { return client_handler.DataSizeLocked(id) >= 4; }));
  }
  client_transport->Stop();
}

TEST_F(TcpTransportTest, FactoryRejectsBadKeys) {
  TransportFactory* factory = LoadTransportFactory("tcp");
  ASSERT_NE(factory, nullptr);
  std::vector<KeySpec> keys = factory->Keys();
  ASSERT_EQ(keys.size(), 2u);
  Status status;
  auto t = factory->Create(Config({{"listenBacklog", "0"}}), &host_, &status);
  EXPECT_EQ(t, nullptr);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  t = factory->Create(Config({{"readBufferBytes", "12"}}), &host_, &status);
  EXPECT_EQ(t, nullptr);
  EXPECT_NE(status.message().find("readBufferBytes"), std::string::npos);
  t = factory->Create(Config({{"readBufferBytes", "4096"}}), &host_, &status);
  EXPECT_NE(t, nullptr);
  EXPECT_TRUE(status.ok());
}

// A small read buffer splits what arrives into many OnData calls; the stream stays intact.
TEST_F(TcpTransportTest, SmallReadBufferKeepsTheStream) {
  server_->Stop();
  TransportFactory* factory = LoadTransportFactory("tcp");
  Status status;
  server_ = factory->Create(Config({{"readBufferBytes", "4096"}}), &host_, &status);
  ASSERT_TRUE(server_->Start().ok());
  uint16_t port = Listen("127.0.0.1");
  RawClient client("127.0.0.1", port);
  ASSERT_TRUE(client.ok());
  const std::string payload = RandomBytes(1 << 20, 5);
  ASSERT_TRUE(client.Write(payload));
  EXPECT_TRUE(client.ReadN(payload.size()) == payload);
}

}  // namespace
}  // namespace zk::test
