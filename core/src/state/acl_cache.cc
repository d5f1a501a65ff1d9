#include "state/acl_cache.h"

#include "common/check.h"
#include "state/hash.h"

namespace zk::state {

uint64_t AclCache::HashOf(const std::vector<proto::Acl>& acl) {
  Hasher h;
  h.AddU64(acl.size());
  for (const proto::Acl& a : acl) {
    h.AddI64(a.perms);
    h.AddBytes(a.id.scheme);
    h.AddBytes(a.id.id);
  }
  return h.Finish();
}

uint32_t AclCache::Intern(const std::vector<proto::Acl>& acl) {
  const uint64_t hash = HashOf(acl);
  auto [it, end] = by_hash_.equal_range(hash);
  for (; it != end; ++it) {
    Slot& slot = slots_[it->second];
    if (slot.acl == acl) {
      ++slot.refs;
      return it->second;
    }
  }
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  slots_[id] = Slot{acl, hash, 1};
  by_hash_.emplace(hash, id);
  return id;
}

void AclCache::AddRef(uint32_t id) {
  ZK_DCHECK(id < slots_.size() && slots_[id].refs > 0);
  ++slots_[id].refs;
}

void AclCache::Release(uint32_t id) {
  ZK_CHECK(id < slots_.size() && slots_[id].refs > 0);
  Slot& slot = slots_[id];
  if (--slot.refs > 0) return;
  auto [it, end] = by_hash_.equal_range(slot.hash);
  for (; it != end; ++it) {
    if (it->second == id) {
      by_hash_.erase(it);
      break;
    }
  }
  slot.acl.clear();
  slot.acl.shrink_to_fit();
  free_.push_back(id);
}

const std::vector<proto::Acl>& AclCache::Get(uint32_t id) const {
  ZK_DCHECK(id < slots_.size() && slots_[id].refs > 0);
  return slots_[id].acl;
}

}  // namespace zk::state
