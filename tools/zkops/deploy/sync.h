// Installing the build's files into a server's installDir: on this machine by copying only
// files whose content differs, on another host with `rsync -a --checksum --itemize-changes`
// over ssh (which transfers only files whose content differs, and says which).
#pragma once

#include <string>
#include <vector>

#include "deploy/remote.h"
#include "zk/status.h"

namespace zkops::deploy {

// True when `a` and `b` are both regular files with the same size and bytes.
bool SameContent(const std::string& a, const std::string& b);

// For each relative path in `files`: if <dest_root>/<f> is missing or differs in content from
// <src_root>/<f>, copies it (unless dry_run) and appends f to *changed. A copy goes to a temp
// file next to the target, takes the source's mode and mtime, and is renamed over the target,
// so a running zknode keeps its old (unlinked) binary and a crash never leaves half a file.
zk::Status SyncLocal(const std::string& src_root, const std::vector<std::string>& files,
                     const std::string& dest_root, bool dry_run, std::vector<std::string>* changed);

// The rsync command that sends `files` (relative to src_root, listed in `files_from`, a file
// the caller wrote) to <target>:<dest_root>/, creating directories as needed.
std::vector<std::string> RsyncArgv(const std::string& src_root, const std::string& files_from,
                                   const std::string& target, const std::string& dest_root,
                                   bool dry_run);

// The files rsync --itemize-changes reports as sent (">f..." lines; directories and
// attribute-only changes are not content changes), in its order.
std::vector<std::string> ParseItemizedChanges(const std::string& output);

// Sends `files` under src_root to target:dest_root with rsync; *changed gets what changed.
// Unavailable with rsync's output when it fails.
zk::Status SyncRemote(const std::string& src_root, const std::vector<std::string>& files,
                      const std::string& target, const std::string& dest_root, bool dry_run,
                      std::vector<std::string>* changed);

}  // namespace zkops::deploy
