// SPDX-License-Identifier: GPL-2.0-only
#include "stack/elf_module.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>
#include <tuple>

namespace duraudit {

namespace {

constexpr uint64_t kPage = 4096;

// Mappings are page-granular, whatever p_align says.
uint64_t page_down(uint64_t v) { return v & ~(kPage - 1); }

std::string hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    s.push_back(d[p[i] >> 4]);
    s.push_back(d[p[i] & 15]);
  }
  return s;
}

// NT_GNU_BUILD_ID from the PT_NOTE segments.
std::string read_build_id(Elf* elf, size_t phnum) {
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf, static_cast<int>(i), &ph) || ph.p_type != PT_NOTE) continue;
    Elf_Data* data = elf_getdata_rawchunk(elf, static_cast<int64_t>(ph.p_offset), ph.p_filesz, ELF_T_NHDR);
    if (!data) continue;
    size_t off = 0, name_off = 0, desc_off = 0;
    GElf_Nhdr nh;
    while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
          std::string_view(static_cast<const char*>(data->d_buf) + name_off, 3) == "GNU")
        return hex(static_cast<const unsigned char*>(data->d_buf) + desc_off, nh.n_descsz);
    }
  }
  return {};
}

ElfModuleRef read_module(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  ElfModuleRef out;
  GElf_Ehdr eh;
  size_t phnum = 0;
  if (elf && elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh) && elf_getphdrnum(elf, &phnum) == 0 &&
      gelf_getclass(elf) == (sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32) &&
      (eh.e_type == ET_EXEC || eh.e_type == ET_DYN)) {
    auto m = std::make_shared<ElfModule>();
    m->path = path;
    m->fixed_address = eh.e_type == ET_EXEC;
    bool first = true;
    for (size_t i = 0; i < phnum; ++i) {
      GElf_Phdr ph;
      if (!gelf_getphdr(elf, static_cast<int>(i), &ph)) continue;
      if (ph.p_type == PT_LOAD) {
        m->loads.push_back({ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_align});
        uint64_t lo = page_down(ph.p_vaddr), hi = ph.p_vaddr + ph.p_memsz;
        if (first || lo < m->low) m->low = lo;
        if (first || hi > m->high) m->high = hi;
        first = false;
      } else if (ph.p_type == PT_PHDR) {
        m->phdr_vaddr = ph.p_vaddr;
      } else if (ph.p_type == PT_INTERP) {
        Elf_Data* d = elf_getdata_rawchunk(elf, static_cast<int64_t>(ph.p_offset), ph.p_filesz, ELF_T_BYTE);
        if (d && d->d_size) m->interp.assign(static_cast<const char*>(d->d_buf), strnlen(static_cast<const char*>(d->d_buf), d->d_size));
      }
    }
    // No PT_PHDR: the headers are where the segment holding e_phoff puts them.
    if (!m->phdr_vaddr)
      for (const auto& l : m->loads)
        if (eh.e_phoff >= l.offset && eh.e_phoff < l.offset + l.filesz) {
          m->phdr_vaddr = l.vaddr + (eh.e_phoff - l.offset);
          break;
        }
    m->build_id = read_build_id(elf, phnum);
    if (!m->loads.empty()) out = std::move(m);
  }
  if (elf) elf_end(elf);
  ::close(fd);
  return out;
}

}  // namespace

std::optional<uint64_t> ElfModule::bias_for_mapping(uint64_t start, uint64_t pgoff) const {
  for (const auto& l : loads) {
    uint64_t off = page_down(l.offset);
    if (off == pgoff) return start - page_down(l.vaddr);
  }
  return std::nullopt;
}

std::string ElfModule::name() const {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

ElfModuleRef load_elf_module(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  using Key = std::tuple<std::string, dev_t, ino_t, int64_t>;
  static std::mutex mu;
  static std::map<Key, ElfModuleRef> cache;
  Key key{path, st.st_dev, st.st_ino, static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  ElfModuleRef m = read_module(path);
  // Bounded: a long attach session sees many binaries, but not unboundedly many.
  if (cache.size() >= 4096) cache.clear();
  cache.emplace(std::move(key), m);
  return m;
}

}  // namespace duraudit
