// SPDX-License-Identifier: GPL-2.0-only
// Subtree operations on ordered containers keyed by normalized absolute path
// (std::map / std::multimap with std::less<>). A rename of a directory must
// move every key under it; in lexicographic order the keys "/d/..." are
// contiguous, but "/d" itself is not adjacent to them ("/d-x", "/d.txt" sort
// in between because '-' and '.' sort before '/'), hence two ranges. Cost is
// O(log n + moved keys), never a scan of the whole container.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resolve/path_normalize.h"

namespace duraudit {

// Removes `root` and every key below it from `m`, returning the nodes.
template <class Map>
std::vector<typename Map::node_type> extract_subtree(Map& m, std::string_view root) {
  std::vector<typename Map::node_type> nodes;
  if (m.empty()) return nodes;
  auto [lo, hi] = m.equal_range(root);
  while (lo != hi) nodes.push_back(m.extract(lo++));
  std::string prefix(root);
  if (prefix != "/") prefix.push_back('/');
  for (auto it = m.lower_bound(prefix); it != m.end() && it->first.compare(0, prefix.size(), prefix) == 0;)
    nodes.push_back(m.extract(it++));
  return nodes;
}

// Re-inserts nodes taken from under `from` with their keys moved under `to`.
// `on_insert(iterator)` runs for each reinserted element (to refresh back
// pointers held by the values).
template <class Map, class OnInsert>
void insert_rebased(Map& m, std::vector<typename Map::node_type>& nodes, std::string_view from,
                    std::string_view to, OnInsert on_insert) {
  for (auto& nh : nodes) {
    nh.key() = rebase_path(nh.key(), from, to);
    if constexpr (requires { m.insert(std::move(nh)).position; }) {
      auto r = m.insert(std::move(nh));
      if (r.inserted) on_insert(r.position);
    } else {
      on_insert(m.insert(std::move(nh)));
    }
  }
}

}  // namespace duraudit
