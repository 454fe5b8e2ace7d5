#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks duraudit's machine-readable outputs with the tools that consume
them, on a real run of the bundled demo (README quick start):

  sarif  the SARIF multitool's `validate` (no error lines), and the SARIF
         2.1.0 JSON schema shipped inside the multitool's package
  junit  xmllint: well-formed, and valid against tests/data/junit/junit-10.xsd
  html   headless Chromium: the report of the demo is screenshotted
         (build/artifacts/html_report_demo.png) and its timelines measured
         in the browser: every bar the page declares is laid out with a
         non-zero size, each never-durable bar is labelled, each finding
         has its deciding-call marker, and the screenshot has the bars'
         colours; a report of hostile names creates no element of theirs

Each check also runs on a broken copy, and fails unless the tool rejects
it: a validator that accepts anything proves nothing.

usage: check_report_outputs.py MODE --duraudit BIN --demo BIN --source DIR --build DIR
Exit 0 pass, 1 fail, 77 skip (no root outside CI)."""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def demo_run(args, work):
    """duraudit run of the demo's buggy checkpoint with all four outputs."""
    ckpt = os.path.join(work, "ckpt")
    r = run([args.demo, "setup", ckpt])
    if r.returncode != 0:
        fail("demo setup: " + r.stderr)
    out = {k: os.path.join(work, "f." + k) for k in ("jsonl", "sarif", "xml", "html")}
    r = run([args.duraudit, "run", "--fail-on", "error", "-o", os.path.join(work, "main.txt"),
             "--json", out["jsonl"], "--sarif", out["sarif"], "--junit", out["xml"], "--html", out["html"],
             "--", args.demo, "buggy", ckpt])
    if r.returncode != 3:
        fail("duraudit run of the demo exited %d (expected 3, findings at or above error): %s" % (r.returncode, r.stderr))
    findings = [json.loads(l) for l in open(out["jsonl"]) if '"type":"finding"' in l]
    if len(findings) < 2:
        fail("the demo gave %d findings, expected its close-without-fsync and unlink-before-durable" % len(findings))
    return out, findings


def hostile_replay(args, work, flag, ext):
    path = os.path.join(work, "hostile." + ext)
    log = os.path.join(args.source, "tests/data/reports/hostile_names.strace")
    r = run([args.duraudit, "replay", "--strace", log, "--fail-on", "warning", flag, path])
    if r.returncode != 3:
        fail("replay of the hostile log exited %d: %s" % (r.returncode, r.stderr))
    return path


# ---- SARIF -----------------------------------------------------------------

def multitool_errors(tool, path):
    r = run([tool, "validate", path])
    text = r.stdout + r.stderr
    if "Analysis completed successfully" not in text:
        fail("sarif-multitool did not complete (exit %d): %s" % (r.returncode, text))
    # It exits 0 even when it reports errors: the lines say it.
    return [l for l in text.splitlines() if re.search(r": error [A-Z]+[0-9]+:", l)]


def schema_errors(schema, path):
    import jsonschema  # python3-jsonschema (scripts/setup.sh)
    validator = jsonschema.validators.validator_for(schema)
    return [e.message for e in validator(schema).iter_errors(json.load(open(path)))]


def check_sarif(args, work):
    tool = os.path.join(args.source, "tools/node_modules/.bin/sarif-multitool")
    schema_path = os.path.join(args.source, "tools/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json")
    if not os.access(tool, os.X_OK) or not os.path.exists(schema_path):
        fail("the SARIF multitool is not installed in tools/node_modules: run scripts/setup.sh")
    schema = json.load(open(schema_path))
    out, findings = demo_run(args, work)
    hostile = hostile_replay(args, work, "--sarif", "sarif")
    for path in (out["sarif"], hostile):
        errors = multitool_errors(tool, path)
        if errors:
            fail("sarif-multitool validate %s:\n%s" % (path, "\n".join(errors)))
        errors = schema_errors(schema, path)
        if errors:
            fail("%s does not match the SARIF 2.1.0 schema:\n%s" % (path, "\n".join(errors[:20])))
    log = json.load(open(out["sarif"]))
    results = log["runs"][0]["results"]
    if len(results) != len(findings):
        fail("%d SARIF results for %d findings" % (len(results), len(findings)))
    # The checkers catch what they should: a result without a message is a
    # multitool error, an unknown level a schema error.
    broken = json.loads(json.dumps(log))
    del broken["runs"][0]["results"][0]["message"]
    bad = os.path.join(work, "broken.sarif")
    json.dump(broken, open(bad, "w"))
    if not multitool_errors(tool, bad):
        fail("sarif-multitool accepted a result without a message")
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    json.dump(broken, open(bad, "w"))
    if not schema_errors(schema, bad):
        fail("the SARIF schema accepted level 'fatal'")
    print("SARIF: %d results validate (multitool and schema)" % len(results))


# ---- JUnit -----------------------------------------------------------------

def xmllint(path, xsd=None):
    argv = ["xmllint", "--noout"] + (["--schema", xsd] if xsd else []) + [path]
    try:
        return run(argv)
    except FileNotFoundError:
        fail("xmllint is missing: run scripts/setup.sh (libxml2-utils)")


def check_junit(args, work):
    xsd = os.path.join(args.source, "tests/data/junit/junit-10.xsd")
    out, findings = demo_run(args, work)
    hostile = hostile_replay(args, work, "--junit", "xml")
    for path in (out["xml"], hostile):
        for schema in (None, xsd):
            r = xmllint(path, schema)
            if r.returncode != 0:
                fail("xmllint %s %s: %s" % ("--schema " + schema if schema else "", path, r.stderr))
    text = open(out["xml"]).read()
    cases = set(re.findall(r'<testcase name="[^"]*\[([0-9a-f]{16})\]"', text))
    if cases != {f["fingerprint"] for f in findings}:
        fail("JUnit test cases %s differ from the findings' fingerprints" % sorted(cases))
    bad = os.path.join(work, "broken.xml")
    open(bad, "w").write(text.replace(' tests="', ' t="', 1))
    if xmllint(bad, xsd).returncode == 0:
        fail("the JUnit schema accepted <testsuites> without tests=")
    print("JUnit: %d test cases, well-formed and schema-valid" % len(cases))


# ---- HTML ------------------------------------------------------------------

PROBE = r"""<script>
addEventListener('load', () => {
  const box = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const tall = e => e.getBoundingClientRect().height > 0;  // a vertical line has no width
  const svgs = [...document.querySelectorAll('svg.timeline')];
  const out = {
    svgs: svgs.length,
    declared: svgs.reduce((n, s) => n + Number(s.dataset.windows), 0),
    declared_never: svgs.reduce((n, s) => n + Number(s.dataset.neverDurable), 0),
    bars: [...document.querySelectorAll('svg.timeline rect.window')].filter(box).length,
    never_bars: [...document.querySelectorAll('svg.timeline rect.window.never-durable')].filter(box).length,
    never_labels: [...document.querySelectorAll('svg.timeline text.never-label')].filter(box).length,
    decided: [...document.querySelectorAll('svg.timeline line.decided')].filter(tall).length,
    findings: document.querySelectorAll('section.finding').length,
    foreign: document.querySelectorAll('img, iframe, object, embed, script:not(#probe-script)').length,
  };
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def chromium():
    for c in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if c and os.access(c, os.X_OK):
            return c
    fail("chromium is missing: run scripts/setup.sh")


def browser(args_list):
    # As root Chromium needs --no-sandbox; no GPU, no network on this page.
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=" + tempfile.mkdtemp(prefix="chromium-")]
    return run(base + args_list, timeout=120)


def probe(html_path, work):
    """The page's layout as Chromium computes it."""
    page = open(html_path, encoding="utf-8").read()
    # The report forbids scripts (CSP); the probe copy lets its own one run.
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    page = page.replace("</body>", PROBE.replace("<script>", '<script id="probe-script">') + "</body>")
    copy = os.path.join(work, "probe-" + os.path.basename(html_path))
    open(copy, "w", encoding="utf-8").write(page)
    r = browser(["--virtual-time-budget=5000", "--window-size=1100,1000", "--dump-dom", "file://" + copy])
    m = re.search(r'<pre id="probe">(.*?)</pre>', r.stdout)
    if not m:
        fail("chromium --dump-dom gave no probe result (exit %d): %s" % (r.returncode, r.stderr[-2000:]))
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def png_pixels(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB/RGBA PNG."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    pos, idat, w, h, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                fail("unexpected PNG format (depth %d, colour type %d)" % (depth, ctype))
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def colour_count(path, targets, tolerance=24):
    w, h, bpp, rows = png_pixels(path)
    counts = {name: 0 for name in targets}
    for line in rows:
        for x in range(0, w * bpp, bpp):
            r, g, b = line[x], line[x + 1], line[x + 2]
            for name, (tr, tg, tb) in targets.items():
                if abs(r - tr) <= tolerance and abs(g - tg) <= tolerance and abs(b - tb) <= tolerance:
                    counts[name] += 1
    return counts


def check_html(args, work):
    out, findings = demo_run(args, work)
    # A saved run renders into the same page.
    again = os.path.join(work, "report.html")
    r = run([args.duraudit, "report", out["jsonl"], "-o", again])
    if r.returncode != 0 or open(again, "rb").read() != open(out["html"], "rb").read():
        fail("duraudit report of the saved run differs from --html (exit %d): %s" % (r.returncode, r.stderr))
    page = open(out["html"], encoding="utf-8").read()
    if "default-src 'none'" not in page or re.search(r'(src|href)="(https?:)?//', page):
        fail("the report is not self-contained")

    p = probe(out["html"], work)
    print("demo report, measured in Chromium: %s" % json.dumps(p))
    if p["findings"] != len(findings) or p["svgs"] != len(findings):
        fail("%d findings, %d sections, %d timelines" % (len(findings), p["findings"], p["svgs"]))
    if p["declared"] < len(findings) or p["bars"] != p["declared"]:
        fail("%d bars laid out of %d declared (at least one per finding)" % (p["bars"], p["declared"]))
    if p["never_bars"] != p["declared_never"] or p["never_labels"] != p["declared_never"] or not p["declared_never"]:
        fail("never-durable bars %d, labels %d, declared %d" % (p["never_bars"], p["never_labels"], p["declared_never"]))
    if p["decided"] != len(findings):
        fail("%d deciding-call markers for %d findings" % (p["decided"], len(findings)))
    if p["foreign"]:
        fail("the demo report has %d img/script/iframe elements" % p["foreign"])

    # The screenshot, kept as a test artifact, shows the bars.
    artifacts = os.path.join(args.build, "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    shot = os.path.join(artifacts, "html_report_demo.png")
    if os.path.exists(shot):
        os.remove(shot)
    height = 320 + 560 * len(findings)
    r = browser(["--screenshot=" + shot, "--window-size=1100,%d" % height, "file://" + out["html"]])
    if not os.path.exists(shot):
        fail("no screenshot (exit %d): %s" % (r.returncode, r.stderr[-2000:]))
    colours = colour_count(shot, {"hatch-dark": (0xc6, 0x28, 0x28), "hatch-light": (0xef, 0x9a, 0x9a),
                                  "marker": (0x6a, 0x1b, 0x9a)})
    print("screenshot %s: pixels %s" % (shot, colours))
    if min(colours.values()) < 200:
        fail("the screenshot lacks the timeline's colours: %s" % colours)

    # Hostile names: text, never elements.
    hostile = hostile_replay(args, work, "--html", "html")
    h = probe(hostile, work)
    if h["foreign"] or h["findings"] != 4:
        fail("hostile report: %s" % json.dumps(h))
    print("HTML: %d timelines, %d bars (%d never durable), screenshot %s" %
          (p["svgs"], p["bars"], p["never_bars"], shot))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("sarif", "junit", "html"))
    ap.add_argument("--duraudit", required=True)
    ap.add_argument("--demo", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    args = ap.parse_args()
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            fail("needs root to run the demo under duraudit, and CI=true")
        print("skipped: needs root (or CAP_BPF+CAP_PERFMON) to run the demo under duraudit")
        sys.exit(77)
    base = os.path.join(args.build, "e2e-scratch")
    os.makedirs(base, exist_ok=True)  # on disk: duraudit ignores tmpfs
    work = tempfile.mkdtemp(prefix="outputs-" + args.mode + ".", dir=base)
    try:
        {"sarif": check_sarif, "junit": check_junit, "html": check_html}[args.mode](args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
