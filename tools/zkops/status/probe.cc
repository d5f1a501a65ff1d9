#include "status/probe.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <future>
#include <sstream>

namespace zkops::status {
namespace {

// JettyAdminServer.DEFAULT_COMMAND_URL.
constexpr const char* kCommandUrl = "/commands";
constexpr size_t kMaxBody = 16 << 20;

bool ServingReply(const net::FourLetterReply& reply) {
  return net::ClassifySrvrReply(reply).state == net::ServerState::kServing;
}

}  // namespace

HttpReply HttpGet(const std::string& host, uint16_t port, const std::string& path,
                  std::chrono::milliseconds timeout) {
  HttpReply out;
  try {
    Poco::Net::HTTPClientSession session(host, port);
    session.setTimeout(Poco::Timespan(
        std::chrono::duration_cast<std::chrono::microseconds>(std::max(
            timeout, std::chrono::milliseconds(1))).count()));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(false);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& body = session.receiveResponse(response);
    out.status = static_cast<int>(response.getStatus());
    std::ostringstream text;
    Poco::StreamCopier::copyStream(body, text);
    out.body = text.str().substr(0, kMaxBody);
    out.ok = true;
  } catch (const Poco::Exception& e) {
    out.error = host + ":" + std::to_string(port) + ": " + e.displayText();
  } catch (const std::exception& e) {
    out.error = host + ":" + std::to_string(port) + ": " + e.what();
  }
  return out;
}

RawProbe ProbeServer(const Target& target, const ProbeOptions& options) {
  RawProbe raw;
  raw.srvr = net::SendFourLetterWord(target.host, target.client_port, "srvr", options.timeout);
  const bool serving = ServingReply(raw.srvr);
  if (serving && options.ask_mntr) {
    raw.mntr = net::SendFourLetterWord(target.host, target.client_port, "mntr", options.timeout);
  }
  const bool port_ok = !raw.mntr || raw.mntr->error != net::ProbeError::kTimeout;
  if (serving && options.ask_conf && port_ok) {
    raw.conf = net::SendFourLetterWord(target.host, target.client_port, "conf", options.timeout);
  }
  if (!target.admin_port) return raw;
  // The AdminServer fills what the client port did not tell: the state when srvr failed
  // (other than a clear "not serving"), mntr when it is not whitelisted.
  const net::ServerState srvr_state = net::ClassifySrvrReply(raw.srvr).state;
  if (!serving && srvr_state != net::ServerState::kNotServing) {
    raw.admin_srvr = HttpGet(target.host, *target.admin_port,
                             std::string(kCommandUrl) + "/srvr", options.timeout);
  }
  const bool have_admin = !raw.admin_srvr || raw.admin_srvr->ok;
  const bool mntr_missing = !raw.mntr || raw.mntr->text.find(net::kWhitelistText) !=
                                             std::string::npos;
  if (options.ask_mntr && have_admin && mntr_missing &&
      (serving || (raw.admin_srvr && raw.admin_srvr->ok))) {
    raw.admin_mntr = HttpGet(target.host, *target.admin_port,
                             std::string(kCommandUrl) + "/mntr", options.timeout);
  }
  return raw;
}

std::vector<ServerReport> ProbeAll(const std::vector<Target>& targets,
                                   const ProbeOptions& options) {
  std::vector<std::future<RawProbe>> pending;
  pending.reserve(targets.size());
  for (const Target& t : targets) {
    pending.push_back(std::async(std::launch::async, [&t, &options] {
      return ProbeServer(t, options);
    }));
  }
  std::vector<ServerReport> reports;
  reports.reserve(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    reports.push_back(Interpret(targets[i], i, pending[i].get()));
  }
  return reports;
}

}  // namespace zkops::status
