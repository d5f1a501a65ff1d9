#include "server/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace zkops::server {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

zk::Status ReadPidFile(const std::string& path, pid_t* pid) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return zk::Status::NotFound(path);
    return zk::Status::IoError("cannot read " + path + ": " + ErrnoText());
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  size_t b = text.find_first_not_of(" \t\r\n");
  size_t e = text.find_last_not_of(" \t\r\n");
  std::string digits = b == std::string::npos ? "" : text.substr(b, e - b + 1);
  bool numeric = !digits.empty() && digits.size() <= 9 &&
                 digits.find_first_not_of("0123456789") == std::string::npos;
  if (!numeric || std::stol(digits) <= 0) {
    return zk::Status::Corruption(path + " does not hold a process id: '" + digits + "'");
  }
  *pid = static_cast<pid_t>(std::stol(digits));
  return zk::Status::OK();
}

zk::Status WritePidFile(const std::string& path, pid_t pid) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return zk::Status::IoError("cannot create " + tmp + ": " + ErrnoText());
  const std::string text = std::to_string(pid) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  std::string why = ok ? "" : ErrnoText();
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    why = ErrnoText();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return zk::Status::IoError("cannot write " + path + ": " + why);
  }
  return zk::Status::OK();
}

zk::Status RemovePidFileIf(const std::string& path, pid_t pid) {
  pid_t current = 0;
  zk::Status s = ReadPidFile(path, &current);
  if (s.code() == zk::Status::Code::kNotFound) return zk::Status::OK();
  if (s.ok() && current != pid) return zk::Status::OK();  // someone else's now
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return zk::Status::IoError("cannot remove " + path + ": " + ErrnoText());
  }
  return zk::Status::OK();
}

zk::Status MakeDirs(const std::string& path) {
  if (path.empty()) return zk::Status::InvalidArgument("empty directory name");
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return zk::Status::IoError("cannot create directory " + path + ": " + ec.message());
  if (!std::filesystem::is_directory(path, ec)) {
    return zk::Status::IoError(path + " is not a directory");
  }
  return zk::Status::OK();
}

std::vector<std::string> TailLines(const std::string& path, uint64_t from_offset,
                                   size_t max_lines) {
  constexpr uint64_t kMaxRead = 64 * 1024;
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  if (!in) return lines;
  in.seekg(0, std::ios::end);
  uint64_t size = static_cast<uint64_t>(in.tellg());
  uint64_t start = from_offset;
  bool cut = false;
  if (size > start + kMaxRead) {
    start = size - kMaxRead;
    cut = true;  // the first line read is probably partial
  }
  if (start >= size) return lines;
  in.seekg(static_cast<std::streamoff>(start));
  std::string text(size - start, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  std::istringstream stream(text);
  std::string line;
  bool first = true;
  while (std::getline(stream, line)) {
    if (first && cut) {
      first = false;
      continue;
    }
    first = false;
    lines.push_back(line);
    if (lines.size() > max_lines) lines.erase(lines.begin());
  }
  return lines;
}

}  // namespace zkops::server
