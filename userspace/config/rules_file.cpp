// SPDX-License-Identifier: GPL-2.0-only
// Loader for rules files; the schema is documented in rules_file.h.
#include "config/rules_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config/filesystem_names.h"
#include "engine/rule_catalogue.h"
#include "util/bounded_read.h"
#include "util/duration.h"
#include "util/glob_check.h"

namespace duraudit {

std::string Diagnostic::to_string() const {
  if (line > 0) return file + ":" + std::to_string(line) + ": " + message;
  return file + ": " + message;
}

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

template <typename Range>
std::string nearest(std::string_view word, const Range& candidates) {
  std::string best;
  size_t best_d = std::string::npos;
  for (std::string_view c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  // Close enough to be a typo: a third of the word, at least 2 edits.
  size_t limit = std::max<size_t>(2, word.size() / 3);
  return best_d <= limit ? best : std::string();
}

std::string quoted_list(const std::vector<std::string_view>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::string(v[i]);
  return s;
}

class Loader {
 public:
  Loader(std::string file, Config& cfg, std::vector<Diagnostic>& errors)
      : file_(std::move(file)), cfg_(cfg), errors_(errors) {}

  void load(const YAML::Node& root) {
    if (!root || root.IsNull()) return;  // an empty file changes nothing
    if (!root.IsMap()) {
      error(root, "a rules file is a YAML mapping (version:, grace:, rules:, ...), not a " + kind(root));
      return;
    }
    static const std::vector<std::string_view> kTop = {"version", "grace",       "state_min_age", "scope",
                                                       "rules",   "paths",       "filesystems",   "suppressions"};
    // filesystems: ignore before track regardless of key order in the file.
    for_each_key(root, kTop, "top-level key", [&](const std::string& key, const YAML::Node& k, const YAML::Node& v) {
      (void)k;
      if (key == "version") version(v);
      else if (key == "grace") duration(v, cfg_.grace_ns, "grace");
      else if (key == "state_min_age") duration(v, cfg_.state_min_age_ns, "state_min_age");
      else if (key == "scope") scope(v);
      else if (key == "rules") rules(v);
      else if (key == "paths") paths(v);
      else if (key == "filesystems") filesystems(v);
      else if (key == "suppressions") suppressions(v);
    });
  }

  void error(const YAML::Node& at, std::string message) { error_at(at.Mark(), std::move(message)); }
  void error_at(const YAML::Mark& m, std::string message) {
    errors_.push_back(Diagnostic{file_, m.line >= 0 ? m.line + 1 : 0, std::move(message)});
  }

 private:
  static std::string kind(const YAML::Node& n) {
    switch (n.Type()) {
      case YAML::NodeType::Map: return "mapping";
      case YAML::NodeType::Sequence: return "list";
      case YAML::NodeType::Scalar: return "single value";
      case YAML::NodeType::Null: return "empty value";
      default: return "undefined value";
    }
  }

  // Iterates a mapping, reporting unknown and duplicate keys.
  template <typename Fn>
  void for_each_key(const YAML::Node& map, const std::vector<std::string_view>& known, std::string_view what,
                    Fn&& fn) {
    std::map<std::string, int> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      // Copies: `it->` is a temporary proxy of yaml-cpp's iterator, and a
      // reference to its members would dangle after this statement.
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      if (!k.IsScalar()) {
        error(k, std::string(what) + " must be a plain word");
        continue;
      }
      std::string key = k.Scalar();
      int line = k.Mark().line + 1;
      if (auto [pos, inserted] = seen.emplace(key, line); !inserted) {
        error(k, "duplicate key `" + key + "` (first given at line " + std::to_string(pos->second) + ")");
        continue;
      }
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string msg = "unknown " + std::string(what) + " `" + key + "`";
        std::string near = nearest(key, known);
        if (!near.empty()) msg += "; did you mean `" + near + "`?";
        msg += " (valid: " + quoted_list(known) + ")";
        error(k, msg);
        continue;
      }
      fn(key, k, v);
    }
  }

  std::optional<std::string> scalar(const YAML::Node& n, std::string_view what) {
    if (!n.IsScalar()) {
      error(n, std::string(what) + " must be a single value, not a " + kind(n));
      return std::nullopt;
    }
    return n.Scalar();
  }

  // A list of scalars; a single scalar is accepted as a list of one.
  std::vector<std::pair<std::string, YAML::Node>> scalar_list(const YAML::Node& n, std::string_view what) {
    std::vector<std::pair<std::string, YAML::Node>> out;
    if (n.IsScalar()) {
      out.emplace_back(n.Scalar(), n);
    } else if (n.IsSequence()) {
      for (const auto& item : n) {
        if (!item.IsScalar()) {
          error(item, std::string(what) + " entries must be single values, not a " + kind(item));
          continue;
        }
        out.emplace_back(item.Scalar(), item);
      }
    } else if (!n.IsNull()) {
      error(n, std::string(what) + " must be a list, not a " + kind(n));
    }
    return out;
  }

  void version(const YAML::Node& v) {
    auto s = scalar(v, "version");
    if (s && *s != "1") error(v, "unsupported version `" + *s + "`; this duraudit reads rules files of version 1");
  }

  void duration(const YAML::Node& v, uint64_t& into, std::string_view what) {
    auto s = scalar(v, what);
    if (!s) return;
    std::string why;
    auto ns = parse_duration_ns(*s, &why);
    if (!ns) {
      error(v, std::string(what) + ": " + why);
      return;
    }
    into = *ns;
  }

  void scope(const YAML::Node& v) {
    auto s = scalar(v, "scope");
    if (!s) return;
    if (*s == "directory") cfg_.scope = ReplacementScope::Directory;
    else if (*s == "siblings") cfg_.scope = ReplacementScope::Siblings;
    else if (*s == "filesystem") cfg_.scope = ReplacementScope::Filesystem;
    else error(v, "unknown scope `" + *s + "` (valid: directory, siblings, filesystem)");
  }

  std::optional<Severity> severity(const YAML::Node& v) {
    auto s = scalar(v, "severity");
    if (!s) return std::nullopt;
    auto sev = severity_from_name(*s);
    if (!sev || *sev == Severity::None) {
      error(v, "unknown severity `" + *s + "` (valid: notice, warning, error; use `enabled: false` or `off` to "
               "disable a rule)");
      return std::nullopt;
    }
    return sev;
  }

  std::optional<bool> boolean(const YAML::Node& v, std::string_view what) {
    auto s = scalar(v, what);
    if (!s) return std::nullopt;
    if (*s == "true" || *s == "yes" || *s == "on") return true;
    if (*s == "false" || *s == "no" || *s == "off") return false;
    error(v, std::string(what) + " must be true or false, not `" + *s + "`");
    return std::nullopt;
  }

  void rules(const YAML::Node& v) {
    if (v.IsNull()) return;
    if (!v.IsMap()) {
      error(v, "rules must be a mapping of rule id to settings, not a " + kind(v));
      return;
    }
    std::vector<std::string_view> ids;
    for (const auto& r : rule_catalogue()) ids.push_back(r.id);
    for_each_key(v, ids, "rule id", [&](const std::string& id, const YAML::Node&, const YAML::Node& body) {
      RuleSettings s = cfg_.rules.count(id) ? cfg_.rules.at(id) : RuleSettings{};
      if (body.IsScalar()) {
        const std::string& w = body.Scalar();
        if (w == "off" || w == "false" || w == "no" || w == "disabled") {
          s.enabled = false;
        } else if (w == "on" || w == "true" || w == "yes" || w == "enabled") {
          s.enabled = true;
        } else if (auto sev = severity_from_name(w); sev && *sev != Severity::None) {
          s.enabled = true;
          s.severity = *sev;
        } else {
          error(body, "rule `" + id + "`: `" + w + "` is neither on/off nor a severity (notice, warning, error)");
          return;
        }
      } else if (body.IsMap()) {
        size_t before = errors_.size();
        for_each_key(body, {"enabled", "severity"}, "rule setting",
                     [&](const std::string& key, const YAML::Node&, const YAML::Node& val) {
                       if (key == "enabled") {
                         if (auto b = boolean(val, "enabled")) s.enabled = *b;
                       } else if (auto sev = severity(val)) {
                         s.severity = *sev;
                       }
                     });
        if (errors_.size() != before) return;
      } else {
        error(body, "rule `" + id + "` needs settings: `{ enabled: true, severity: warning }`, `off`, or a severity");
        return;
      }
      cfg_.rules[id] = s;
    });
  }

  void globs(const YAML::Node& v, std::vector<std::string>& into, std::string_view what) {
    for (auto& [g, node] : scalar_list(v, what)) {
      if (auto why = glob_error(g)) {
        error(node, "bad glob \"" + g + "\" in " + std::string(what) + ": " + *why);
        continue;
      }
      into.push_back(g);
    }
  }

  void paths(const YAML::Node& v) {
    if (v.IsNull()) return;
    if (!v.IsMap()) {
      error(v, "paths must be a mapping with include: and/or exclude: lists, not a " + kind(v));
      return;
    }
    for_each_key(v, {"include", "exclude"}, "paths key", [&](const std::string& key, const YAML::Node&, const YAML::Node& val) {
      globs(val, key == "include" ? cfg_.include_paths : cfg_.exclude_paths, "paths." + key);
    });
  }

  std::vector<uint64_t> fs_list(const YAML::Node& v, std::string_view what) {
    std::vector<uint64_t> out;
    for (auto& [name, node] : scalar_list(v, what)) {
      if (auto magic = fs_magic_from_name(name)) {
        out.push_back(*magic);
        continue;
      }
      std::vector<std::string_view> names;
      for (const auto& n : filesystem_names()) names.push_back(n.name);
      std::string msg = "unknown filesystem `" + name + "` in " + std::string(what);
      std::string near = nearest(name, names);
      if (!near.empty()) msg += "; did you mean `" + near + "`?";
      msg += " (use a name such as tmpfs, ext4, xfs, or a superblock magic like \"0x01021994\")";
      error(node, msg);
    }
    return out;
  }

  void filesystems(const YAML::Node& v) {
    if (v.IsNull()) return;
    if (!v.IsMap()) {
      error(v, "filesystems must be a mapping with ignore: and/or track: lists, not a " + kind(v));
      return;
    }
    std::vector<uint64_t> ignore, track;
    for_each_key(v, {"ignore", "track"}, "filesystems key", [&](const std::string& key, const YAML::Node&, const YAML::Node& val) {
      (key == "ignore" ? ignore : track) = fs_list(val, "filesystems." + key);
    });
    cfg_.ignored_fs_magic.insert(ignore.begin(), ignore.end());
    for (uint64_t m : track) cfg_.ignored_fs_magic.erase(m);
  }

  void suppressions(const YAML::Node& v) {
    if (v.IsNull()) return;
    if (!v.IsSequence()) {
      error(v, "suppressions must be a list of { rule:, path:, comm:, reason: } entries, not a " + kind(v));
      return;
    }
    std::vector<std::string_view> ids;
    for (const auto& r : rule_catalogue()) ids.push_back(r.id);
    for (const auto& item : v) {
      if (!item.IsMap()) {
        error(item, "each suppression is a mapping { rule:, path:, comm:, reason: }, not a " + kind(item));
        continue;
      }
      Suppression s;
      s.origin = file_ + ":" + std::to_string(item.Mark().line + 1);
      size_t before = errors_.size();
      bool has_rule = false;
      for_each_key(item, {"rule", "path", "comm", "reason"}, "suppression key",
                   [&](const std::string& key, const YAML::Node&, const YAML::Node& val) {
                     auto str = scalar(val, "suppression " + key);
                     if (!str) return;
                     if (key == "rule") {
                       has_rule = true;
                       if (*str != "*" && !find_rule(*str)) {
                         std::string msg = "unknown rule id `" + *str + "` in suppression";
                         std::string near = nearest(*str, ids);
                         if (!near.empty()) msg += "; did you mean `" + near + "`?";
                         msg += " (use \"*\" for every rule)";
                         error(val, msg);
                       }
                       s.rule = *str;
                     } else if (key == "path") {
                       if (auto why = glob_error(*str)) error(val, "bad glob \"" + *str + "\" in suppression path: " + *why);
                       s.path_glob = *str;
                     } else if (key == "comm") {
                       // TASK_COMM_LEN is 16 with the NUL: a longer comm never matches.
                       if (str->empty() || str->size() > 15)
                         error(val, "suppression comm `" + *str + "` must be 1 to 15 characters (the kernel truncates "
                                    "process names to 15)");
                       s.comm = *str;
                     } else {
                       s.reason = *str;
                     }
                   });
      if (!has_rule)
        error(item, "suppression needs `rule:` (a rule id, or \"*\" for every rule)");
      if (s.reason.find_first_not_of(" \t") == std::string::npos)
        error(item, "suppression needs a non-empty `reason:` saying why this finding is accepted");
      if (errors_.size() == before) cfg_.suppressions.push_back(std::move(s));
    }
  }

  std::string file_;
  Config& cfg_;
  std::vector<Diagnostic>& errors_;
};

bool load_node(const std::string& name, const std::function<YAML::Node()>& parse, Config& into,
               std::vector<Diagnostic>& errors) {
  size_t before = errors.size();
  Config work = into;
  Loader loader(name, work, errors);
  try {
    loader.load(parse());
  } catch (const YAML::ParserException& e) {
    // e.msg is yaml-cpp's sentence without the position prefix of e.what().
    loader.error_at(e.mark, "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    loader.error_at(e.mark, std::string("cannot read rules: ") + e.msg);
  }
  if (errors.size() != before) return false;
  into = std::move(work);
  return true;
}

}  // namespace

bool load_rules_text(std::string_view text, const std::string& name, Config& into, std::vector<Diagnostic>& errors) {
  std::string copy(text);
  return load_node(name, [&] { return YAML::Load(copy); }, into, errors);
}

bool load_rules_file(const std::string& path, Config& into, std::vector<Diagnostic>& errors) {
  std::string text, why;
  if (!read_bounded_regular_file(path, kMaxRulesFileBytes, "rules file", text, why)) {
    errors.push_back(Diagnostic{path, 0, why});
    return false;
  }
  return load_rules_text(text, path, into, errors);
}

bool load_rules_files(const std::vector<std::string>& paths, Config& into, std::vector<Diagnostic>& errors) {
  bool ok = true;
  for (const auto& p : paths) {
    if (ok) {
      ok = load_rules_file(p, into, errors);
    } else {
      Config scratch = into;  // still report this file's problems
      load_rules_file(p, scratch, errors);
    }
  }
  return ok;
}

std::string nearest_rule_id(std::string_view word) {
  std::vector<std::string_view> ids;
  for (const auto& r : rule_catalogue()) ids.push_back(r.id);
  return nearest(word, ids);
}

}  // namespace duraudit
