#include "deploy/sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace zkops::deploy {
namespace {

namespace fs = std::filesystem;

zk::Status CopyAtomically(const std::string& src, const std::string& dest) {
  std::error_code ec;
  fs::create_directories(fs::path(dest).parent_path(), ec);
  if (ec) return zk::Status::IoError("mkdir " + fs::path(dest).parent_path().string() + ": " +
                                     ec.message());
  struct stat st {};
  if (stat(src.c_str(), &st) != 0) {
    return zk::Status::IoError("stat " + src + ": " + std::strerror(errno));
  }
  const std::string tmp = dest + ".zkops-deploy.tmp";
  fs::remove(tmp, ec);
  if (!fs::copy_file(src, tmp, fs::copy_options::overwrite_existing, ec)) {
    return zk::Status::IoError("copy " + src + " to " + tmp + ": " + ec.message());
  }
  int fd = open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    fchmod(fd, st.st_mode & 07777);
    const timespec times[2] = {st.st_atim, st.st_mtim};  // keep the mtime, as rsync -a does
    futimens(fd, times);
    fsync(fd);
    close(fd);
  }
  if (rename(tmp.c_str(), dest.c_str()) != 0) {
    zk::Status s = zk::Status::IoError("rename " + tmp + " to " + dest + ": " +
                                       std::strerror(errno));
    fs::remove(tmp, ec);
    return s;
  }
  return zk::Status::OK();
}

}  // namespace

bool SameContent(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (!fs::is_regular_file(a, ec) || !fs::is_regular_file(b, ec)) return false;
  if (fs::file_size(a, ec) != fs::file_size(b, ec) || ec) return false;
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  if (!fa || !fb) return false;
  char ba[65536], bb[65536];
  while (fa && fb) {
    fa.read(ba, sizeof ba);
    fb.read(bb, sizeof bb);
    if (fa.gcount() != fb.gcount()) return false;
    if (std::memcmp(ba, bb, static_cast<size_t>(fa.gcount())) != 0) return false;
  }
  return fa.eof() && fb.eof();
}

zk::Status SyncLocal(const std::string& src_root, const std::vector<std::string>& files,
                     const std::string& dest_root, bool dry_run,
                     std::vector<std::string>* changed) {
  for (const std::string& f : files) {
    const std::string src = src_root + "/" + f;
    const std::string dest = dest_root + "/" + f;
    if (SameContent(src, dest)) continue;
    if (!dry_run) {
      if (zk::Status s = CopyAtomically(src, dest); !s.ok()) return s;
    }
    changed->push_back(f);
  }
  return zk::Status::OK();
}

std::vector<std::string> RsyncArgv(const std::string& src_root, const std::string& files_from,
                                   const std::string& target, const std::string& dest_root,
                                   bool dry_run) {
  std::vector<std::string> argv = {"rsync", "-a", "--checksum", "--itemize-changes", "--mkpath",
                                   "--files-from=" + files_from};
  if (dry_run) argv.push_back("--dry-run");
  // -e takes one string that rsync splits on blanks: the ssh options must not contain any.
  std::string e = "ssh";
  for (const std::string& o : SshOptions()) e += " " + o;
  argv.push_back("-e");
  argv.push_back(e);
  argv.push_back(src_root + "/");
  argv.push_back(target + ":" + dest_root + "/");
  return argv;
}

std::vector<std::string> ParseItemizedChanges(const std::string& output) {
  // YXcstpoguax path: Y '<' sent / '>' received / 'c' created locally; X 'f' file, 'd' dir.
  // With --checksum a file is listed with '>' or '<' only when its content is sent.
  std::vector<std::string> changed;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() < 13 || line[11] != ' ') continue;
    if ((line[0] == '<' || line[0] == '>') && line[1] == 'f') {
      changed.push_back(line.substr(12));
    }
  }
  return changed;
}

zk::Status SyncRemote(const std::string& src_root, const std::vector<std::string>& files,
                      const std::string& target, const std::string& dest_root, bool dry_run,
                      std::vector<std::string>* changed) {
  char list_path[] = "/tmp/zkops-deploy-files-XXXXXX";
  int fd = mkstemp(list_path);
  if (fd < 0) return zk::Status::IoError(std::string("mkstemp: ") + std::strerror(errno));
  std::string list;
  for (const std::string& f : files) list += f + "\n";
  bool written = write(fd, list.data(), list.size()) == static_cast<ssize_t>(list.size());
  close(fd);
  if (!written) {
    unlink(list_path);
    return zk::Status::IoError(std::string("write ") + list_path);
  }
  ExecResult r = RunProcess(RsyncArgv(src_root, list_path, target, dest_root, dry_run), 300);
  unlink(list_path);
  if (r.exit_code != 0) {
    return zk::Status::Unavailable("rsync to " + target + ":" + dest_root + " failed (exit " +
                                   std::to_string(r.exit_code) + "): " + r.output);
  }
  *changed = ParseItemizedChanges(r.output);
  return zk::Status::OK();
}

}  // namespace zkops::deploy
