// SPDX-License-Identifier: GPL-2.0-only
// User stacks without a kernel: the wire record, the recording field, the
// process image built from maps text and symbolizing against this very
// test binary, and how stacks read in text and JSON (docs/stacks.md).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "capture/wire_decoder.h"
#include "events.h"
#include "output/json_sink.h"
#include "output/stack_format.h"
#include "output/text_sink.h"
#include "record/recording_format.h"
#include "stack/raw_stack.h"
#include "stack/stack_tracker.h"
#include "stack/symbolizer.h"
#include "stack/unwound_stack.h"

// A function of this binary to find by address.
extern "C" __attribute__((noinline)) int duraudit_stacks_test_marker(int x) { return x * 3 + 1; }

namespace duraudit {
namespace {

std::vector<char> wire_stack(const std::string& bytes, uint16_t arch = DA_ARCH_X86_64) {
  da_stack s{};
  s.head.type = DA_EV_STACK;
  s.head.ts_ns = 777;
  s.head.size = sizeof s + bytes.size();
  s.pid = 10;
  s.tid = 11;
  s.arch = arch;
  s.nregs = 17;
  s.stack_len = bytes.size();
  s.sp = 0x7ffd0000;
  for (int i = 0; i < 17; ++i) s.regs[i] = 100 + i;
  std::vector<char> buf(s.head.size);
  std::memcpy(buf.data(), &s, sizeof s);
  std::memcpy(buf.data() + sizeof s, bytes.data(), bytes.size());
  return buf;
}

TEST(StackWire, DecodesRegistersAndStackBytes) {
  auto buf = wire_stack(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  capture::WireStack w;
  ASSERT_EQ(capture::decode_wire_stack(buf.data(), buf.size(), &w), capture::DecodeStatus::Ok);
  EXPECT_EQ(w.pid, 10);
  EXPECT_EQ(w.tid, 11);
  EXPECT_EQ(w.ts_ns, 777u);
  EXPECT_EQ(w.stack.arch, StackArch::X86_64);
  EXPECT_EQ(w.stack.nregs, 17);
  EXPECT_EQ(w.stack.regs[16], 116u);
  EXPECT_EQ(w.stack.sp, 0x7ffd0000u);
  EXPECT_EQ(w.stack.bytes.size(), 8u);
}

TEST(StackWire, RejectsInconsistentRecords) {
  capture::WireStack w;
  auto buf = wire_stack("abcd");
  EXPECT_EQ(capture::decode_wire_stack(buf.data(), buf.size() - 1, &w), capture::DecodeStatus::TooShort);
  auto bad_arch = wire_stack("abcd", 9);
  EXPECT_EQ(capture::decode_wire_stack(bad_arch.data(), bad_arch.size(), &w), capture::DecodeStatus::BadType);
  EXPECT_EQ(capture::decode_wire_stack(buf.data(), 10, &w), capture::DecodeStatus::TooShort);
}

TEST(StackWire, EventFlagSaysAStackWasSent) {
  da_event e{};
  e.head.flags = DA_F_STACK;
  EXPECT_TRUE(capture::wire_event_has_stack(&e, sizeof e));
  e.head.flags = DA_F_FILE_VALID;
  EXPECT_FALSE(capture::wire_event_has_stack(&e, sizeof e));
}

TEST(StackRecording, RawStackRoundTripsAndIsOptional) {
  Event e;
  e.syscall = Syscall::Close;
  auto st = std::make_shared<RawStack>();
  st->arch = StackArch::X86_64;
  st->nregs = 17;
  st->sp = 0x7fff1000;
  for (int i = 0; i < 17; ++i) st->regs[i] = 0x1000 + i;
  st->bytes = std::string("\0stack\xff", 7);
  e.raw_stack = st;
  std::string payload;
  encode_event_payload(e, payload);
  Event back;
  ASSERT_TRUE(decode_event_payload(payload, &back));
  ASSERT_TRUE(back.raw_stack);
  EXPECT_EQ(back.raw_stack->arch, StackArch::X86_64);
  EXPECT_EQ(back.raw_stack->nregs, 17);
  EXPECT_EQ(back.raw_stack->sp, 0x7fff1000u);
  EXPECT_EQ(back.raw_stack->regs[16], 0x1010u);
  EXPECT_EQ(back.raw_stack->bytes, st->bytes);
  // Without one, and a version 1 payload that ends at duration_ns.
  e.raw_stack.reset();
  payload.clear();
  encode_event_payload(e, payload);
  ASSERT_TRUE(decode_event_payload(payload, &back));
  EXPECT_FALSE(back.raw_stack);
  ASSERT_TRUE(decode_event_payload(payload.substr(0, payload.size() - 1), &back));
  EXPECT_FALSE(back.raw_stack);
  // A stack cut short is corruption.
  e.raw_stack = st;
  payload.clear();
  encode_event_payload(e, payload);
  EXPECT_FALSE(decode_event_payload(payload.substr(0, payload.size() - 3), &back));
}

std::string self_maps() {
  std::ifstream in("/proc/self/maps");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(StackImage, MapsTextPlacesThisBinaryAndSymbolizesItsFunctions) {
  StackTracker tracker(/*seed_missing_from_proc=*/false);
  tracker.seed_from_maps(4242, self_maps());
  const ProcessImage* img = tracker.image(4242);
  ASSERT_TRUE(img);
  auto addr = reinterpret_cast<uint64_t>(&duraudit_stacks_test_marker);
  const CodeMapping* m = img->at(addr);
  ASSERT_TRUE(m);
  EXPECT_NE(m->module->path.find("unit_tests"), std::string::npos) << m->module->path;
  EXPECT_FALSE(m->module->build_id.empty());
  UnwoundFrame f{m->module, addr - m->bias, false, {}};
  StackFrame sf = symbolize_frame(f);
  EXPECT_EQ(sf.function, "duraudit_stacks_test_marker");
  EXPECT_EQ(sf.module, m->module->path);
  // The test binary is built with -g: the file is this one.
  EXPECT_NE(sf.file.find("stacks_test.cpp"), std::string::npos) << sf.file;
  EXPECT_GT(sf.line, 0u);
  // libc is there too, named by its exported symbols.
  auto close_addr = reinterpret_cast<uint64_t>(&::close);
  const CodeMapping* libc = img->at(close_addr);
  ASSERT_TRUE(libc);
  EXPECT_NE(libc->module->name().find("libc.so"), std::string::npos);
  EXPECT_NE(symbolize_frame({libc->module, close_addr - libc->bias, false, {}}).function.find("close"),
            std::string::npos);
}

TEST(StackImage, AStackWithoutMappingsKeepsItsInstructionPointer) {
  StackTracker tracker(/*seed_missing_from_proc=*/false);
  Event ev;
  ev.pid = 99999;
  ev.tid = 99999;
  ev.syscall = Syscall::Close;
  auto st = std::make_shared<RawStack>();
  st->arch = StackArch::X86_64;
  st->nregs = 17;
  st->regs[16] = 0x401000;
  ev.raw_stack = st;
  tracker.observe(ev);
  EXPECT_FALSE(ev.raw_stack) << "the raw copy is dropped once unwound";
  ASSERT_TRUE(ev.stack);
  ASSERT_EQ(ev.stack->frames.size(), 1u);
  EXPECT_FALSE(ev.stack->frames[0].module);
  EXPECT_EQ(ev.stack->frames[0].vaddr, 0x401000u);
  EXPECT_EQ(tracker.stats().without_image, 1u);
}

TEST(StackImage, JitFramesAreNamedFromThePerfMapFile) {
  const int32_t pid = 99998;  // no such process here: nothing but the file is read
  std::string map = "/tmp/perf-" + std::to_string(pid) + ".map";
  std::ofstream(map) << "7f0000001000 200 LazyCompile:*saveState app.js:12\nnot a line\n7f0000000000 10 other\n";
  StackTracker tracker(/*seed_missing_from_proc=*/false);
  Event ev;
  ev.pid = ev.tid = pid;
  ev.syscall = Syscall::Close;
  auto st = std::make_shared<RawStack>();
  st->arch = StackArch::X86_64;
  st->nregs = 17;
  st->regs[16] = 0x7f0000001080;
  ev.raw_stack = st;
  tracker.observe(ev);
  std::remove(map.c_str());
  ASSERT_TRUE(ev.stack);
  ASSERT_EQ(ev.stack->frames.size(), 1u);
  StackFrame f = symbolize_frame(ev.stack->frames[0]);
  EXPECT_EQ(f.function, "LazyCompile:*saveState app.js:12");
  EXPECT_TRUE(f.module.empty());
  EXPECT_EQ(f.offset, 0x7f0000001080u);
}

StackFrame frame(const std::string& fn, const std::string& module, const std::string& file = {}, uint32_t line = 0,
                 uint64_t off = 0x10) {
  return StackFrame{fn, module, file, line, off};
}

TEST(StackFormat, TextSkipsTheCLibraryAndShowsThreeFrames) {
  std::vector<StackFrame> st{frame("__close", "/usr/lib/x86_64-linux-gnu/libc.so.6"),
                             frame("save_state", "/srv/libstate.so", "/src/state.c", 57),
                             frame("", "/srv/saver", "", 0, 0x1406), frame("main", "/srv/saver"),
                             frame("__libc_start_main", "/usr/lib/x86_64-linux-gnu/libc.so.6")};
  EXPECT_EQ(format_stack_line(st), "save_state (state.c:57) \u2190 saver+0x1406 \u2190 main (saver)");
  // All runtime: shown as it is.
  EXPECT_EQ(format_stack_line({frame("__close", "/lib/libc.so.6")}), "__close (libc.so.6)");
  EXPECT_EQ(format_frame(frame("", "", "", 0, 0x7f00)), "0x7f00");
}

TEST(StackFormat, FindingSourceIsTheDecidingCallsInnermostFileLine) {
  Finding f;
  EvidenceEvent open, close;
  open.stack = {frame("__open", "/lib/libc.so.6"), frame("open_state", "/srv/a", "/src/a.c", 10)};
  close.stack = {frame("__close", "/lib/libc.so.6", "close.c", 27), frame("save_state", "/srv/a", "/src/a.c", 57)};
  f.evidence = {open, close, EvidenceEvent{}};
  EXPECT_EQ(deciding_evidence(f), &f.evidence[1]);
  auto src = finding_source(f);
  ASSERT_TRUE(src);
  // libc's own debug info (libc6-dbg) gives __close a file:line: the
  // program's frame is the source.
  EXPECT_EQ(src->function, "save_state");
  EXPECT_EQ(src->line, 57u);
  f.evidence[1].stack[1].file.clear();
  f.evidence[1].stack[1].line = 0;
  EXPECT_EQ(finding_source(f)->function, "save_state") << "the innermost named frame outside the C library";
}

TEST(StackFormat, JsonFramesAndTextLineUnderTheDecidingCall) {
  Finding f;
  f.rule = "close-without-fsync";
  f.path = "/d/f";
  EvidenceEvent close;
  close.syscall = "close";
  close.args = "3</d/f>";
  close.stack = {frame("__close", "/lib/libc.so.6"), frame("save_state", "/srv/a", "/src/a.c", 57, 0x11d1),
                 frame("", "/srv/a", "", 0, 0x1406)};
  f.evidence = {close};
  auto j = finding_to_json(f);
  ASSERT_TRUE(j["evidence"][0].contains("stack"));
  const auto& s = j["evidence"][0]["stack"];
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[1]["function"], "save_state");
  EXPECT_EQ(s[1]["module"], "/srv/a");
  EXPECT_EQ(s[1]["file"], "/src/a.c");
  EXPECT_EQ(s[1]["line"], 57);
  EXPECT_EQ(s[1]["offset"], "0x11d1");
  EXPECT_TRUE(s[2]["function"].is_null());
  EXPECT_TRUE(s[2]["file"].is_null());
  EXPECT_TRUE(s[2]["line"].is_null());
  std::ostringstream out;
  TextSink(out, false).on_finding(f);
  EXPECT_NE(out.str().find("close(3</d/f>) = 0\n                at save_state (a.c:57) \u2190 a+0x1406\n"),
            std::string::npos)
      << out.str();
  // No stack: no key, no line.
  f.evidence[0].stack.clear();
  EXPECT_FALSE(finding_to_json(f)["evidence"][0].contains("stack"));
  std::ostringstream out2;
  TextSink(out2, false).on_finding(f);
  EXPECT_EQ(out2.str().find(" at "), std::string::npos) << out2.str();
}

}  // namespace
}  // namespace duraudit
