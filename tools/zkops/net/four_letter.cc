#include "net/four_letter.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <sys/socket.h>

#include <algorithm>

namespace zkops::net {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxReply = 16 << 20;

Poco::Timespan Remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
  // Poco treats a zero timeout as "block forever"; keep at least 1 ms.
  return Poco::Timespan(std::max<int64_t>(left.count(), 1000));
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

FourLetterReply SendFourLetterWord(const std::string& host, uint16_t port, std::string_view word,
                                   std::chrono::milliseconds timeout) {
  FourLetterReply out;
  const Clock::time_point deadline = Clock::now() + timeout;
  const std::string where = host + ":" + std::to_string(port);
  try {
    Poco::Net::SocketAddress address(host, port);
    Poco::Net::StreamSocket socket;
    socket.connect(address, Remaining(deadline));
    // MSG_NOSIGNAL: a server that closes early must not kill us with SIGPIPE.
    socket.sendBytes(word.data(), static_cast<int>(word.size()), MSG_NOSIGNAL);
    socket.shutdownSend();
    char buf[4096];
    while (true) {
      if (Clock::now() >= deadline) throw Poco::TimeoutException("read");
      socket.setReceiveTimeout(Remaining(deadline));
      int n = socket.receiveBytes(buf, sizeof(buf));
      if (n <= 0) break;
      out.text.append(buf, static_cast<size_t>(n));
      if (out.text.size() >= kMaxReply) break;
    }
  } catch (const Poco::Net::ConnectionRefusedException&) {
    out.error = ProbeError::kRefused;
    out.error_text = "connection refused by " + where;
  } catch (const Poco::TimeoutException&) {
    out.error = ProbeError::kTimeout;
    out.error_text = "no answer from " + where + " within " + std::to_string(timeout.count()) +
                     " ms";
  } catch (const Poco::Exception& e) {
    out.error = ProbeError::kUnreachable;
    out.error_text = where + ": " + e.displayText();
  } catch (const std::exception& e) {
    out.error = ProbeError::kUnreachable;
    out.error_text = where + ": " + e.what();
  }
  return out;
}

ProbeError TryConnect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  try {
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(host, port),
                   Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::max(timeout, std::chrono::milliseconds(1)))
                                      .count()));
    return ProbeError::kNone;
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return ProbeError::kRefused;
  } catch (const Poco::TimeoutException&) {
    return ProbeError::kTimeout;
  } catch (const std::exception&) {
    return ProbeError::kUnreachable;
  }
}

const char* ServerStateName(ServerState state) {
  switch (state) {
    case ServerState::kServing: return "serving";
    case ServerState::kNotServing: return "not-serving";
    case ServerState::kWhitelistDenied: return "whitelist-denied";
    case ServerState::kNoAnswer: return "no-answer";
    case ServerState::kUnrecognised: return "unrecognised";
    case ServerState::kRefused: return "refused";
    case ServerState::kUnreachable: return "unreachable";
  }
  return "?";
}

SrvrStatus ClassifySrvrReply(const FourLetterReply& reply) {
  SrvrStatus st;
  switch (reply.error) {
    case ProbeError::kNone: break;
    case ProbeError::kRefused:
      st.state = ServerState::kRefused;
      st.detail = reply.error_text;
      return st;
    case ProbeError::kUnreachable:
      st.state = ServerState::kUnreachable;
      st.detail = reply.error_text;
      return st;
    case ProbeError::kTimeout:
      // A partial answer is still judged below; an empty one means the server never spoke.
      if (reply.text.empty()) {
        st.state = ServerState::kNoAnswer;
        st.detail = reply.error_text;
        return st;
      }
      break;
  }
  const std::string& text = reply.text;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos || colon == 0) continue;
    st.fields[Trim(line.substr(0, colon))] = Trim(line.substr(colon + 2));
  }
  std::string first_line = Trim(text.substr(0, text.find('\n')));
  st.detail = first_line;
  auto mode = st.fields.find("Mode");
  if (mode != st.fields.end() && !mode->second.empty()) {
    st.state = ServerState::kServing;
    st.mode = mode->second;
  } else if (text.find(kNotServingText) != std::string::npos) {
    st.state = ServerState::kNotServing;
  } else if (text.find(kWhitelistText) != std::string::npos) {
    st.state = ServerState::kWhitelistDenied;
  } else if (Trim(text).empty()) {
    // Apache ZooKeeper closes without a word when the first 4 bytes are not a known 4lw.
    st.state = ServerState::kNoAnswer;
    st.detail = reply.ok() ? "connection closed without an answer" : reply.error_text;
  } else {
    st.state = ServerState::kUnrecognised;
  }
  return st;
}

SrvrStatus ProbeSrvr(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  return ClassifySrvrReply(SendFourLetterWord(host, port, "srvr", timeout));
}

}  // namespace zkops::net
