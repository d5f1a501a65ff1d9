// net/four_letter: the probe against local sockets, and srvr reply classification.
#include "net/four_letter.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace zkops::net {
namespace {

using std::chrono::milliseconds;

// Apache ZooKeeper 3.8 srvr output (StatCommand), as captured from the Debian package.
constexpr const char* kApacheSrvr =
    "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\n"
    "Latency min/avg/max: 2/2.0/2\n"
    "Received: 4\n"
    "Sent: 3\n"
    "Connections: 1\n"
    "Outstanding: 0\n"
    "Zxid: 0x100000009\n"
    "Mode: follower\n"
    "Node count: 6\n";

FourLetterReply Answered(std::string text) {
  FourLetterReply r;
  r.text = std::move(text);
  return r;
}

TEST(ClassifySrvrReply, ServingReplyGivesModeAndFields) {
  SrvrStatus st = ClassifySrvrReply(Answered(kApacheSrvr));
  EXPECT_EQ(st.state, ServerState::kServing);
  EXPECT_EQ(st.mode, "follower");
  EXPECT_EQ(st.fields["Zxid"], "0x100000009");
  EXPECT_EQ(st.fields["Latency min/avg/max"], "2/2.0/2");
  EXPECT_EQ(st.fields["Node count"], "6");
}

TEST(ClassifySrvrReply, NotServingWhitelistEmptyAndForeign) {
  EXPECT_EQ(ClassifySrvrReply(
                Answered("This ZooKeeper instance is not currently serving requests\n"))
                .state,
            ServerState::kNotServing);
  EXPECT_EQ(ClassifySrvrReply(
                Answered("srvr is not executed because it is not in the whitelist.\n"))
                .state,
            ServerState::kWhitelistDenied);
  EXPECT_EQ(ClassifySrvrReply(Answered("")).state, ServerState::kNoAnswer);
  SrvrStatus http = ClassifySrvrReply(Answered("HTTP/1.1 400 Bad Request\r\n\r\n"));
  EXPECT_EQ(http.state, ServerState::kUnrecognised);
  EXPECT_EQ(http.detail, "HTTP/1.1 400 Bad Request");
  // "Mode:" with nothing after it is not a mode.
  EXPECT_EQ(ClassifySrvrReply(Answered("Mode: \n")).state, ServerState::kUnrecognised);
}

TEST(ClassifySrvrReply, Errors) {
  FourLetterReply refused;
  refused.error = ProbeError::kRefused;
  EXPECT_EQ(ClassifySrvrReply(refused).state, ServerState::kRefused);
  FourLetterReply timeout;
  timeout.error = ProbeError::kTimeout;
  EXPECT_EQ(ClassifySrvrReply(timeout).state, ServerState::kNoAnswer);
  timeout.text = "Zookeeper version: x\nMode: leader\n";  // partial but telling
  EXPECT_EQ(ClassifySrvrReply(timeout).mode, "leader");
  EXPECT_STREQ(ServerStateName(ServerState::kNotServing), "not-serving");
}

// A one-shot server that, like fake_zknode.py, answers only after the client half-closes.
class OneShotServer {
 public:
  explicit OneShotServer(std::string answer, bool answer_at_all = true)
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    thread_ = std::thread([this, answer, answer_at_all] {
      Poco::Net::StreamSocket conn = socket_.acceptConnection();
      char buf[64];
      int n;
      while ((n = conn.receiveBytes(buf, sizeof(buf))) > 0) received_.append(buf, n);
      if (answer_at_all) conn.sendBytes(answer.data(), static_cast<int>(answer.size()));
      conn.close();
    });
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return socket_.address().port(); }
  std::string received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  Poco::Net::ServerSocket socket_;
  std::string received_;
  std::thread thread_;
};

TEST(SendFourLetterWord, WritesTheWordHalfClosesAndReadsToEof) {
  // The server answers only after EOF: without the half-close this would time out.
  OneShotServer server(kApacheSrvr);
  SrvrStatus st = ProbeSrvr("127.0.0.1", server.port(), milliseconds(5000));
  ASSERT_EQ(st.state, ServerState::kServing) << st.detail;
  EXPECT_EQ(st.mode, "follower");
}

TEST(SendFourLetterWord, ServerSeesExactlyTheWord) {
  std::string received;
  {
    OneShotServer server("imok");
    FourLetterReply r =
        SendFourLetterWord("localhost", server.port(), "ruok", milliseconds(5000));
    ASSERT_TRUE(r.ok()) << r.error_text;
    EXPECT_EQ(r.text, "imok");
    received = server.received();  // complete: the server saw EOF before answering
  }
  EXPECT_EQ(received, "ruok");
}

TEST(SendFourLetterWord, RefusedWhenNothingListens) {
  // Bound but not listening: connections to it are refused, and nobody else can take it.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  uint16_t port = ntohs(addr.sin_port);
  FourLetterReply r = SendFourLetterWord("127.0.0.1", port, "srvr", milliseconds(5000));
  EXPECT_EQ(r.error, ProbeError::kRefused) << r.error_text;
  EXPECT_EQ(ProbeSrvr("127.0.0.1", port, milliseconds(5000)).state, ServerState::kRefused);
  EXPECT_EQ(TryConnect("127.0.0.1", port, milliseconds(1000)), ProbeError::kRefused);
  ::close(fd);
}

TEST(SendFourLetterWord, TimesOutWhenTheServerNeverAnswers) {
  // Listening but never accepting: the kernel completes the handshake, nobody replies.
  Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
  auto start = std::chrono::steady_clock::now();
  FourLetterReply r =
      SendFourLetterWord("127.0.0.1", silent.address().port(), "srvr", milliseconds(300));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.error, ProbeError::kTimeout) << r.error_text;
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, milliseconds(3000));
  EXPECT_EQ(TryConnect("127.0.0.1", silent.address().port(), milliseconds(1000)),
            ProbeError::kNone);
}

TEST(SendFourLetterWord, UnresolvableHostIsUnreachable) {
  FourLetterReply r = SendFourLetterWord("no-such-host.invalid", 2181, "srvr", milliseconds(2000));
  EXPECT_EQ(r.error, ProbeError::kUnreachable);
  EXPECT_NE(r.error_text.find("no-such-host.invalid"), std::string::npos);
}

}  // namespace
}  // namespace zkops::net
