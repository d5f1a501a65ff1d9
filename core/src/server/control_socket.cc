#include "server/control_socket.h"

#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <istream>

namespace zk::server {

namespace local = boost::asio::local;

namespace {
constexpr size_t kMaxRequestBytes = 1024;
}  // namespace

struct ControlSocket::Session : std::enable_shared_from_this<Session> {
  explicit Session(boost::asio::io_context& io) : socket(io), buffer(kMaxRequestBytes) {}
  local::stream_protocol::socket socket;
  boost::asio::streambuf buffer;
  std::string reply;
};

ControlSocket::ControlSocket(CoreLoop* loop, Handler handler)
    : loop_(loop), handler_(std::move(handler)) {}

ControlSocket::~ControlSocket() { Stop(); }

Status ControlSocket::Start(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    return Status::InvalidArgument("control socket path longer than " +
                                   std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                                   " bytes: " + path);
  }
  // Only a previous zknode of this dataDir leaves one behind: the pidfile and the client
  // port already keep two servers off one dataDir.
  ::unlink(path.c_str());
  boost::system::error_code ec;
  auto acceptor = std::make_unique<local::stream_protocol::acceptor>(loop_->io());
  acceptor->open(local::stream_protocol(), ec);
  if (!ec) acceptor->bind(local::stream_protocol::endpoint(path), ec);
  if (!ec) acceptor->listen(4, ec);
  if (ec) return Status::IoError("control socket " + path + ": " + ec.message());
  path_ = path;
  acceptor_ = std::move(acceptor);
  Accept();
  return Status::OK();
}

void ControlSocket::Stop() {
  if (!acceptor_) return;
  boost::system::error_code ec;
  acceptor_->close(ec);
  acceptor_.reset();
  ::unlink(path_.c_str());
  alive_ = std::make_shared<bool>(true);  // handlers still queued find theirs expired
}

void ControlSocket::Accept() {
  auto session = std::make_shared<Session>(loop_->io());
  std::weak_ptr<bool> alive = alive_;
  acceptor_->async_accept(session->socket, [this, alive, session](boost::system::error_code ec) {
    if (alive.expired() || ec) return;
    Accept();
    boost::asio::async_read_until(
        session->socket, session->buffer, '\n',
        [this, alive, session](boost::system::error_code ec, size_t) {
          if (alive.expired()) return;
          auto send = [session](const std::string& line) {
            session->reply = line + "\n";
            boost::asio::async_write(session->socket, boost::asio::buffer(session->reply),
                                     [session](boost::system::error_code, size_t) {
                                       boost::system::error_code ignored;
                                       session->socket.close(ignored);
                                     });
          };
          if (ec) {
            send("ERROR no request line (at most " + std::to_string(kMaxRequestBytes) +
                 " bytes, ending in a newline)");
            return;
          }
          std::istream in(&session->buffer);
          std::string line;
          std::getline(in, line);
          handler_(line, send);
        });
  });
}

}  // namespace zk::server
