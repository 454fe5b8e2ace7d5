// SPDX-License-Identifier: GPL-2.0-only
#include "resolve/synthetic_inodes.h"

#include "resolve/path_tree.h"

namespace duraudit {

namespace {
constexpr auto kNoRefresh = [](auto) {};
}

const SyntheticInodes::Binding* SyntheticInodes::find(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : &it->second;
}

const SyntheticInodes::Binding& SyntheticInodes::bind_new(std::string_view path, uint32_t mode) {
  Binding b{fresh(), mode};
  auto it = by_path_.find(path);
  if (it == by_path_.end()) return by_path_.emplace(std::string(path), b).first->second;
  // A directory replaced by a new file at the same name leaves no children.
  if ((it->second.mode & 0170000) == 0040000) unbind(path, true);
  return by_path_.insert_or_assign(std::string(path), b).first->second;
}

void SyntheticInodes::bind(std::string_view path, const Binding& b) {
  by_path_.insert_or_assign(std::string(path), b);
}

void SyntheticInodes::set_mode(std::string_view path, uint32_t mode) {
  auto it = by_path_.find(path);
  if (it != by_path_.end() && it->second.mode == 0) it->second.mode = mode;
}

void SyntheticInodes::rename(std::string_view from, std::string_view to) {
  if (by_path_.empty() || from == to) return;
  auto moving = extract_subtree(by_path_, from);
  extract_subtree(by_path_, to);  // the replaced target loses its name
  insert_rebased(by_path_, moving, from, to, kNoRefresh);
}

void SyntheticInodes::exchange(std::string_view a, std::string_view b) {
  if (by_path_.empty() || a == b) return;
  auto from_a = extract_subtree(by_path_, a);
  auto from_b = extract_subtree(by_path_, b);
  insert_rebased(by_path_, from_a, a, b, kNoRefresh);
  insert_rebased(by_path_, from_b, b, a, kNoRefresh);
}

void SyntheticInodes::unbind(std::string_view path, bool subtree) {
  if (subtree) {
    extract_subtree(by_path_, path);
  } else if (auto it = by_path_.find(path); it != by_path_.end()) {
    by_path_.erase(it);
  }
}

}  // namespace duraudit
