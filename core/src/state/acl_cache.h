// Interned ACL lists (ZooKeeper's ReferenceCountedACLCache idea): most znodes share a handful
// of ACLs, so each node stores a 4-byte id instead of a vector. One thread, like DataTree.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "proto/records.h"

namespace zk::state {

class AclCache {
 public:
  // Returns the id of `acl`, adding one reference (an existing id if an equal list is cached).
  uint32_t Intern(const std::vector<proto::Acl>& acl);
  void AddRef(uint32_t id);
  // Drops one reference; the list is freed when none remain. REQUIRES: a reference is held.
  void Release(uint32_t id);
  // REQUIRES: id is live.
  const std::vector<proto::Acl>& Get(uint32_t id) const;
  // Number of distinct live lists.
  size_t size() const { return by_hash_.size(); }

 private:
  struct Slot {
    std::vector<proto::Acl> acl;
    uint64_t hash = 0;
    uint32_t refs = 0;
  };
  static uint64_t HashOf(const std::vector<proto::Acl>& acl);

  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  std::unordered_multimap<uint64_t, uint32_t> by_hash_;
};

}  // namespace zk::state
