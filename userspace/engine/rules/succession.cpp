// SPDX-License-Identifier: GPL-2.0-only
#include "engine/rules/succession.h"

#include <algorithm>
#include <array>

#include "engine/path_util.h"
#include "resolve/path_view.h"
#include "util/run_specific.h"

namespace duraudit::rules {

namespace {

constexpr size_t kMaxLook = 64;

std::string_view basename_of(std::string_view p) {
  auto slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One table of the names that hold no state of their own.
constexpr std::array kAuxiliarySuffixes = {
    std::string_view(".swp"), std::string_view(".swo"), std::string_view(".swn"), std::string_view(".swx"),
    std::string_view(".lock"), std::string_view(".lck"), std::string_view(".pid"), std::string_view(".log"),
};
constexpr std::array kAuxiliaryNames = {
    std::string_view("LOCK"), std::string_view("lock"), std::string_view("LOG"),
};

bool usable(const InodeState* in, const InodeState* deleted) {
  return in && in != deleted && !in->ignored && !in->names.empty() && !in->is_dir();
}

bool contains(const std::vector<Successor>& v, const InodeState* in) {
  return std::any_of(v.begin(), v.end(), [&](const Successor& s) { return s.inode == in; });
}

// data-flow: a reader of the deleted file, of the deleter's family, began
// writing the successor after its read open: while it still had the file
// open (a copy loop: gzip, cp, mv), or as the first file it wrote after
// reading it (git pack-refs reads every loose ref, then writes packed-refs).
// A file it wrote later, long after closing the one it read, is no evidence.
template <typename Fn>
void for_each_data_flow(const DurabilityModel& model, const InodeState& deleted, int32_t pid, Fn&& fn) {
  for (const auto& r : deleted.readers) {
    if (!model.related(r.pid, pid)) continue;
    // Newest first: the earliest write start after the read comes last.
    // Bounded: a process that wrote thousands of files since is looked at
    // for its newest kMaxLook.
    const InodeState* first_after = nullptr;
    bool go_on = true;
    size_t looked = 0;
    model.for_each_write_start(r.pid, r.ts_ns, [&](const WriteStart& w) {
      if (looked++ >= kMaxLook) return false;
      const InodeState* in = model.find(w.id);
      if (!in || in->serial != w.serial || !usable(in, &deleted) || is_auxiliary_name(in->names.front()))
        return true;
      const bool while_open = r.closed_ns == 0 || w.ts_ns <= r.closed_ns;
      if (while_open) {
        go_on = fn(in);
        return go_on;
      }
      first_after = in;
      return true;
    });
    if (!go_on) return;
    if (first_after && !fn(first_after)) return;
  }
}

// name-pattern: the next generation, in another directory. The index holds
// the dirty files whose names fold to the same pattern, newest first; a
// bounded look at them (the newest generation is what matters). Only in the
// same view (resolve/path_view.h): a name is evidence about the files its
// own container or chroot names, never another's that looks alike.
// fn(inode, name) until it returns false.
template <typename Fn>
void for_each_name_pattern(const DurabilityModel& model, const std::string& path, const InodeState* deleted,
                           Fn&& fn) {
  if (path.find_first_of("0123456789") == std::string::npos) return;  // nothing to fold
  const auto* gen = model.dirty_index().with_pattern(fold_run_specific(path));
  if (!gen) return;
  const ViewId view = view_of_path(path);
  size_t looked = 0;
  for (auto it = gen->rbegin(); it != gen->rend() && looked++ < kMaxLook; ++it) {
    const InodeState* in = model.find(it->second.id);
    if (!usable(in, deleted) || (deleted && in->serial < deleted->serial)) continue;
    for (const auto& n : in->names)
      if (parent_view(n) != parent_view(path) && view_of_path(n) == view && !is_auxiliary_name(n)) {
        if (!fn(in, n)) return;
        break;
      }
  }
}

// directory-swap: the path where another tree now stands in place of an
// ancestor of `path` that was renamed away from it (rename current -> old,
// then next -> current); nullptr if none.
const std::string* swapped_in_tree(const DurabilityModel& model, const std::string& path) {
  for (std::string a = parent_path(path);; a = parent_path(a)) {
    if (const MovedDir* away = model.moved_into(a))
      if (const MovedDir* in_place = model.moved_into(away->from); in_place && in_place->ts_ns >= away->ts_ns)
        return &away->from;
    if (a == "/") return nullptr;
  }
}

}  // namespace

std::string_view successor_evidence_name(SuccessorEvidence e) {
  switch (e) {
    case SuccessorEvidence::SamePath: return "same-path";
    case SuccessorEvidence::DataFlow: return "data-flow";
    case SuccessorEvidence::NamePattern: return "name-pattern";
    case SuccessorEvidence::DirectorySwap: return "directory-swap";
  }
  return "data-flow";
}

bool is_auxiliary_name(std::string_view path) {
  std::string_view base = basename_of(path);
  for (auto n : kAuxiliaryNames)
    if (base == n) return true;
  for (auto s : kAuxiliarySuffixes)
    if (ends_with(base, s)) return true;
  return false;
}

std::vector<Successor> dirty_successors(const DurabilityModel& model, const std::string& path,
                                        const InodeState* deleted, int32_t pid, size_t max) {
  std::vector<Successor> out;
  auto add = [&](const InodeState* in, const std::string& name, SuccessorEvidence kind) {
    if (out.size() >= max) return false;
    if (in->dirty && !contains(out, in)) out.push_back({in, name, kind});
    return out.size() < max;
  };
  if (deleted)
    for_each_data_flow(model, *deleted, pid, [&](const InodeState* in) {
      return add(in, in->names.front(), SuccessorEvidence::DataFlow);
    });
  if (out.size() < max)
    for_each_name_pattern(model, path, deleted, [&](const InodeState* in, const std::string& name) {
      return add(in, name, SuccessorEvidence::NamePattern);
    });
  if (out.size() < max)
    if (const std::string* now = swapped_in_tree(model, path))
      model.dirty_index().for_each_dir_under(*now, [&](const std::string&, const DirtyIndex::DirEntries& d) {
        for (auto it = d.rbegin(); it != d.rend() && out.size() < max; ++it) {
          const InodeState* in = model.find(it->second.id);
          if (!usable(in, deleted) || is_auxiliary_name(in->names.front())) continue;
          std::string name = in->names.front();
          for (const auto& n : in->names)
            if (path_under(n, *now)) name = n;
          add(in, name, SuccessorEvidence::DirectorySwap);
        }
      });
  return out;
}

bool has_successor(const DurabilityModel& model, const std::string& path, const InodeState* deleted,
                   int32_t pid) {
  bool found = false;
  if (deleted)
    for_each_data_flow(model, *deleted, pid, [&](const InodeState*) {
      found = true;
      return false;
    });
  if (found || swapped_in_tree(model, path)) return true;
  // name-pattern candidates are indexed only while dirty.
  for_each_name_pattern(model, path, deleted, [&](const InodeState* in, const std::string&) {
    found = in->dirty;
    return !found;
  });
  return found;
}

}  // namespace duraudit::rules
