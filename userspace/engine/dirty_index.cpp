#include "engine/dirty_index.h"

#include "engine/durability_model.h"

namespace duraudit {

void DirtyIndex::add(const std::string& path, const InodeState& in) {
  // Called on every dirty transition and rename: no string is built unless
  // the directory is new to the index.
  std::string_view dir = parent_view(path);
  auto d = dirs_.find(dir);
  if (d == dirs_.end()) d = dirs_.emplace(std::string(dir), DirEntries{}).first;
  Entry& e = d->second[in.serial];
  e.id = in.id;
  ++e.names_here;
}

void DirtyIndex::remove(const std::string& path, const InodeState& in) {
  auto d = dirs_.find(parent_view(path));
  if (d == dirs_.end()) return;
  auto e = d->second.find(in.serial);
  if (e == d->second.end()) return;
  if (--e->second.names_here == 0) d->second.erase(e);
  if (d->second.empty()) dirs_.erase(d);
}

}  // namespace duraudit
