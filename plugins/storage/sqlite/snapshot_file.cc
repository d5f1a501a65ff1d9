#include "snapshot_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace zk::storage_sqlite {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'Z', 'K', 'S', 'N', 'A', 'P', '\0', '\0'};
constexpr uint32_t kVersion = 1;          // WriteSnapshotFile
constexpr uint32_t kStreamVersion = 2;    // SnapshotFileWriter
// magic 8 + version 4 + index 8 + term 8 + config_len 4 + data_len 8
constexpr size_t kHeaderSize = 40;
constexpr size_t kCrcSize = 4;
constexpr size_t kChunk = 1 << 20;  // write() size: keeps each syscall short
std::atomic<uint64_t> next_stream_id{1};

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetLe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

uint32_t Crc(uint32_t crc, const char* p, size_t n) {
  // zlib's crc32 takes uInt lengths; feed large buffers in pieces.
  while (n > 0) {
    uInt piece = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    crc = static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(p), piece));
    p += piece;
    n -= piece;
  }
  return crc;
}

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

Status WriteAll(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, std::min(n, kChunk));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(Errno("write", path));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::OK();
}

std::string Header(uint32_t version, const SnapshotMeta& meta, uint64_t data_len) {
  std::string header(kMagic, sizeof(kMagic));
  PutLe(&header, version, 4);
  PutLe(&header, meta.index, 8);
  PutLe(&header, meta.term, 8);
  PutLe(&header, meta.configuration.size(), 4);
  PutLe(&header, data_len, 8);
  return header;
}

// Parses "snapshot.<digits>" exactly; false for temp files and anything else.
bool ParseName(const std::string& name, uint64_t* index) {
  const size_t prefix = sizeof(kSnapshotPrefix) - 1;
  if (name.size() <= prefix || name.compare(0, prefix, kSnapshotPrefix) != 0) return false;
  uint64_t v = 0;
  for (size_t i = prefix; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || i - prefix >= 20) return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *index = v;
  return true;
}

}  // namespace

std::string SnapshotPath(const std::string& dir, uint64_t index) {
  return (fs::path(dir) / (kSnapshotPrefix + std::to_string(index))).string();
}

Status ListSnapshots(const std::string& dir, std::vector<uint64_t>* indexes) {
  indexes->clear();
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    uint64_t index = 0;
    if (it->is_regular_file(ec) && ParseName(it->path().filename().string(), &index)) {
      indexes->push_back(index);
    }
  }
  if (ec) return Status::IoError("list " + dir + ": " + ec.message());
  std::sort(indexes->rbegin(), indexes->rend());
  return Status::OK();
}

Status WriteSnapshotFile(const std::string& dir, const Snapshot& snapshot,
                         std::atomic<uint64_t>* fsyncs) {
  const std::string path = SnapshotPath(dir, snapshot.meta.index);
  const std::string tmp = path + kTempSuffix;
  const std::string header = Header(kVersion, snapshot.meta, snapshot.data.size());
  uint32_t crc = Crc(0, header.data(), header.size());
  crc = Crc(crc, snapshot.meta.configuration.data(), snapshot.meta.configuration.size());
  crc = Crc(crc, snapshot.data.data(), snapshot.data.size());
  std::string trailer;
  PutLe(&trailer, crc, 4);

  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(Errno("create", tmp));
  Status s = WriteAll(fd, header.data(), header.size(), tmp);
  if (s.ok()) {
    s = WriteAll(fd, snapshot.meta.configuration.data(), snapshot.meta.configuration.size(), tmp);
  }
  if (s.ok()) s = WriteAll(fd, snapshot.data.data(), snapshot.data.size(), tmp);
  if (s.ok()) s = WriteAll(fd, trailer.data(), trailer.size(), tmp);
  if (s.ok()) {
    if (::fsync(fd) != 0) s = Status::IoError(Errno("fsync", tmp));
    fsyncs->fetch_add(1, std::memory_order_relaxed);
  }
  if (::close(fd) != 0 && s.ok()) s = Status::IoError(Errno("close", tmp));
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status::IoError(Errno("rename " + tmp + " to", path));
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  s = SyncDir(dir);
  fsyncs->fetch_add(1, std::memory_order_relaxed);
  return s;
}

SnapshotFileWriter::SnapshotFileWriter(const std::string& dir) : dir_(dir) {
  tmp_ = (fs::path(dir) / (std::string(kSnapshotPrefix) + "stream-" +
                           std::to_string(next_stream_id.fetch_add(1)) + kTempSuffix))
             .string();
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    status_ = Status::IoError(Errno("create", tmp_));
    return;
  }
  // Room for the header, written by Finish once index, term and lengths are known.
  const std::string placeholder(kHeaderSize, '\0');
  status_ = WriteAll(fd_, placeholder.data(), placeholder.size(), tmp_);
}

SnapshotFileWriter::~SnapshotFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!finished_ && !tmp_.empty()) ::unlink(tmp_.c_str());
}

Status SnapshotFileWriter::Write(const char* data, size_t size) {
  if (!status_.ok()) return status_;
  if (finished_) return Status::InvalidArgument("snapshot " + tmp_ + ": written after Finish");
  status_ = WriteAll(fd_, data, size, tmp_);
  if (status_.ok()) {
    data_crc_ = Crc(data_crc_, data, size);
    data_len_ += size;
  }
  return status_;
}

Status SnapshotFileWriter::Finish(const SnapshotMeta& meta, std::atomic<uint64_t>* fsyncs) {
  if (!status_.ok()) return status_;
  if (finished_) return Status::InvalidArgument("snapshot " + tmp_ + ": finished twice");
  const std::string path = SnapshotPath(dir_, meta.index);
  const std::string header = Header(kStreamVersion, meta, data_len_);
  // crc32 over header, data, config in file order; the data's crc was computed as it came.
  uint32_t crc = Crc(0, header.data(), header.size());
  crc = static_cast<uint32_t>(crc32_combine(crc, data_crc_, static_cast<z_off_t>(data_len_)));
  crc = Crc(crc, meta.configuration.data(), meta.configuration.size());
  std::string tail = meta.configuration;
  PutLe(&tail, crc, 4);
  Status s = WriteAll(fd_, tail.data(), tail.size(), tmp_);
  if (s.ok()) {
    const char* p = header.data();
    size_t n = header.size();
    off_t at = 0;
    while (s.ok() && n > 0) {
      ssize_t w = ::pwrite(fd_, p, n, at);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        s = Status::IoError(Errno("write", tmp_));
        break;
      }
      p += w;
      n -= static_cast<size_t>(w);
      at += w;
    }
  }
  if (s.ok()) {
    if (::fsync(fd_) != 0) s = Status::IoError(Errno("fsync", tmp_));
    fsyncs->fetch_add(1, std::memory_order_relaxed);
  }
  if (::close(fd_) != 0 && s.ok()) s = Status::IoError(Errno("close", tmp_));
  fd_ = -1;
  if (s.ok() && ::rename(tmp_.c_str(), path.c_str()) != 0) {
    s = Status::IoError(Errno("rename " + tmp_ + " to", path));
  }
  if (!s.ok()) {
    status_ = s;
    return s;  // the destructor deletes the temp file
  }
  finished_ = true;
  s = SyncDir(dir_);
  fsyncs->fetch_add(1, std::memory_order_relaxed);
  return s;
}

Status ReadSnapshotFile(const std::string& dir, uint64_t index, Snapshot* out) {
  const std::string path = SnapshotPath(dir, index);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return Status::NotFound(Errno("open", path));
  if (fd < 0) return Status::IoError(Errno("open", path));
  std::string bytes;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) bytes.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      Status s = Status::IoError(Errno("read", path));
      ::close(fd);
      return s;
    }
    if (r == 0) break;
    bytes.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);

  const std::string where = "snapshot " + path + ": ";
  if (bytes.size() < kHeaderSize + kCrcSize) {
    return Status::Corruption(where + "truncated at byte " + std::to_string(bytes.size()) +
                              ", shorter than the " + std::to_string(kHeaderSize + kCrcSize) +
                              "-byte header and checksum");
  }
  const char* p = bytes.data();
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0) {
    return Status::Corruption(where + "bad magic at byte 0");
  }
  uint32_t version = static_cast<uint32_t>(GetLe(p + 8, 4));
  if (version != kVersion && version != kStreamVersion) {
    return Status::Corruption(where + "unknown format version " + std::to_string(version) +
                              " at byte 8 (this plugin reads versions 1 and 2)");
  }
  uint64_t file_index = GetLe(p + 12, 8);
  uint64_t term = GetLe(p + 20, 8);
  uint64_t config_len = GetLe(p + 28, 4);
  uint64_t data_len = GetLe(p + 32, 8);
  if (file_index != index) {
    return Status::Corruption(where + "header at byte 12 says index " + std::to_string(file_index) +
                              ", the file name says " + std::to_string(index));
  }
  const uint64_t expected = kHeaderSize + config_len + data_len + kCrcSize;
  if (data_len > bytes.size() || expected != bytes.size()) {
    return Status::Corruption(where + "truncated at byte " + std::to_string(bytes.size()) +
                              ": the header promises " + std::to_string(expected) + " bytes");
  }
  const size_t body = bytes.size() - kCrcSize;
  uint32_t stored = static_cast<uint32_t>(GetLe(p + body, 4));
  uint32_t computed = Crc(0, p, body);
  if (stored != computed) {
    return Status::Corruption(where + "checksum mismatch over bytes 0.." + std::to_string(body) +
                              " (stored " + std::to_string(stored) + ", computed " +
                              std::to_string(computed) + ")");
  }
  out->meta.index = index;
  out->meta.term = term;
  if (version == kVersion) {  // config, then data
    out->meta.configuration.assign(p + kHeaderSize, config_len);
    bytes.resize(body);
    bytes.erase(0, kHeaderSize + config_len);
  } else {  // data, then config
    out->meta.configuration.assign(p + kHeaderSize + data_len, config_len);
    bytes.resize(kHeaderSize + data_len);
    bytes.erase(0, kHeaderSize);
  }
  out->data = std::move(bytes);
  return Status::OK();
}

size_t PurgeSnapshots(const std::string& dir, int retain, std::vector<std::string>* warnings) {
  std::vector<uint64_t> indexes;
  Status s = ListSnapshots(dir, &indexes);
  if (!s.ok()) {
    warnings->push_back(s.ToString());
    return 0;
  }
  const size_t keep = static_cast<size_t>(std::max(retain, 1));
  size_t remaining = indexes.size();
  for (size_t i = keep; i < indexes.size(); ++i) {
    const std::string path = SnapshotPath(dir, indexes[i]);
    if (::unlink(path.c_str()) == 0) {
      --remaining;
    } else {
      warnings->push_back(Errno("cannot delete old snapshot", path));
    }
  }
  return remaining;
}

void RemoveTempSnapshots(const std::string& dir, std::vector<std::string>* warnings) {
  std::error_code ec;
  std::vector<fs::path> temps;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kSnapshotPrefix, 0) == 0 && name.size() > sizeof(kTempSuffix) &&
        name.compare(name.size() - (sizeof(kTempSuffix) - 1), std::string::npos, kTempSuffix) ==
            0) {
      temps.push_back(it->path());
    }
  }
  for (const fs::path& p : temps) {
    std::error_code rm;
    fs::remove(p, rm);
    warnings->push_back("removed " + p.string() +
                        ": an unfinished snapshot from a previous run (never acknowledged)");
  }
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(Errno("open directory", dir));
  Status s;
  if (::fsync(fd) != 0) s = Status::IoError(Errno("fsync directory", dir));
  ::close(fd);
  return s;
}

}  // namespace zk::storage_sqlite
