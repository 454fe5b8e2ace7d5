#include "engine/dirty_index.h"

#include "engine/durability_model.h"

namespace duraudit {

void DirtyIndex::add(const std::string& path, const InodeState& in) {
  Entry& e = dirs_[parent_path(path)][in.serial];
  e.id = in.id;
  ++e.names_here;
}

void DirtyIndex::remove(const std::string& path, const InodeState& in) {
  auto d = dirs_.find(parent_path(path));
  if (d == dirs_.end()) return;
  auto e = d->second.find(in.serial);
  if (e == d->second.end()) return;
  if (--e->second.names_here == 0) d->second.erase(e);
  if (d->second.empty()) dirs_.erase(d);
}

}  // namespace duraudit
