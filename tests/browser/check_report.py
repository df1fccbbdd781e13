#!/usr/bin/env python3
"""Open a trailwarden HTML report in headless Chromium and check it as a reader would.

Talks the Chrome DevTools Protocol over a WebSocket (websocket-client, installed by
scripts/setup-browser.sh). Loads the report from a file:// URL with no network, then:

- collects console errors, uncaught exceptions and browser log errors (CSP violations,
  failed loads): there must be none;
- checks that no hostile payload ran (`window.__pwned` stays undefined) and that the page
  has only its own two <script> elements and no <img>/<iframe>/<object>/<embed>;
- checks that given texts appear literally in the page text (hostile strings shown as text);
- exercises the filters: status (default FAIL) -> every visible outcome row has that status
  (and, with --expect-status-count, exactly that many); search text -> every visible row
  matches; then clears them;
- with --scope ou=ID=SCORE / a=ID=SCORE, chooses that OU (a click on its row of the OU table)
  or account (the filter bar): the verdict's and the tile's score must then be SCORE (the
  JSON report's), the count tiles must count exactly the rows then shown, and the address
  fragment must name the scope; with --region R, the tiles must count the rows of that region
  and differ from the unfiltered counts while the score stays, with the note saying why;
  with --fragment F, the page loaded at `#F` must restore every filter F names (and keep F),
  its tiles counting the rows shown;
- with --json PATH (the JSON report the page was rendered from), for every --scope the scope's
  view must match the JSON findings of the scope's accounts: the verdict's not-scanned
  callout lists exactly its unscanned accounts (or says none of the selected accounts is), its
  failing checks by severity carry their FAIL counts, every check of the framework table its
  pass / fail / error / n/a / suppressed counts, and the score table and the coverage map show
  exactly its accounts; the incomplete-evidence callout (accounts not scanned, ERROR outcomes),
  the coverage legend's cell counts (and each trail's), the per-region coverage chart and the
  score histogram are those of its accounts (CT103 findings, `scores.accounts`), and the OU
  tree marks the chosen OU or the chosen account's OU path, hiding nothing; unfiltered, these
  are the organization's, and with --region the callout's ERROR count is the region's while
  the coverage and the histogram stay;
- with --expect-ou-score ID=SCORE, the OU table shows SCORE for that OU;
- opens one evidence drawn on demand and checks it is JSON;
- takes a PNG screenshot (--screenshot), optionally prints to PDF (--pdf) and reads the
  text of its first page (--pdf-first-page-text: a small reader of Chromium's PDFs);
- with --print-first-page-text, lays the page out at print media at the width of an A4
  page and checks that the verdict block ends on the first page and holds the texts;
- with --timing-runs N, reloads N times and reports median load / script-ready times.

Prints one JSON object; exits 0 when every check passed, 1 otherwise, 2 on setup failure.

  .venv/bin/python tests/browser/check_report.py --report out/demo/report.html \
      --screenshot /tmp/report.png --search sandbox
"""

import argparse
import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import re
import zlib
from pathlib import Path

try:
    import websocket  # websocket-client
except ImportError:  # pragma: no cover - reported as a setup failure
    print(json.dumps({"ok": False, "problems": ["websocket-client is not installed: run `bash scripts/setup-browser.sh`"]}))
    sys.exit(2)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
]


class CDP:
    def __init__(self, ws_url, timeout):
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True, enable_multithread=False)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, event, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["method"] == event:
                    del self.events[i]
                    return e
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {event} within {timeout}s")
            self.ws.settimeout(left)
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)

    def drain(self, seconds=0.0):
        """Read whatever events arrive in `seconds` (pending console messages)."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            self.ws.settimeout(max(left, 0.01))
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                return
            if "method" in msg:
                self.events.append(msg)
            if left <= 0:
                return

    def eval(self, expression, await_promise=False):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluation failed: {r['exceptionDetails'].get('exception', {}).get('description') or r['exceptionDetails'].get('text')}")
        return r.get("result", {}).get("value")


def launch(chromium, width, height):
    profile = tempfile.mkdtemp(prefix="tw-chromium-")
    log = open(os.path.join(profile, "chromium.log"), "wb")
    proc = subprocess.Popen(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", f"--window-size={width},{height}", "about:blank"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    port_file = Path(profile) / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            raise RuntimeError(f"chromium did not start: {Path(profile, 'chromium.log').read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
    port = int(port_file.read_text().splitlines()[0])
    targets = []
    for _ in range(100):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = [t for t in json.load(r) if t.get("type") == "page"]
        if targets:
            break
        time.sleep(0.05)
    if not targets:
        raise RuntimeError("chromium has no page target")
    return proc, profile, log, targets[0]["webSocketDebuggerUrl"]


def pdf_page_texts(pdf):
    """The text of each page of a PDF written by Chromium (Skia): objects uncompressed, content
    streams and CMaps Flate-compressed, Type0 fonts with a ToUnicode CMap. Enough to read
    what a page says; not a general PDF parser."""
    objs = {}
    for m in re.finditer(rb"(?s)(\d+) 0 obj\s*(.*?)endobj", pdf):
        objs[int(m.group(1))] = m.group(2)

    def stream(n):
        body = objs[n]
        m = re.search(rb"(?s)stream\r?\n(.*)\r?\nendstream", body)
        data = m.group(1)
        return zlib.decompress(data) if b"/FlateDecode" in body[:m.start()] else data

    def cmap(n):
        table, text = {}, stream(n)
        for block in re.findall(rb"(?s)beginbfchar(.*?)endbfchar", text):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
        for block in re.findall(rb"(?s)beginbfrange(.*?)endbfrange", text):
            for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                base = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
                for i, g in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    table[g] = base[:-1] + chr(ord(base[-1]) + i)
        return table

    cmaps = {}
    pages = []
    leaves = [n for n, b in objs.items() if re.search(rb"/Type /Page(?!s)", b)]
    # Page order: the page tree's /Kids, depth first.
    root = next(n for n, b in objs.items() if b"/Type /Pages" in b and b"/Parent" not in b)
    def walk(n):
        b = objs[n]
        if re.search(rb"/Type /Page(?!s)", b):
            yield n
        else:
            for k in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[(.*?)\]", b, re.S).group(1)):
                yield from walk(int(k))
    for p in walk(root):
        b = objs[p]
        fonts = {}
        fm = re.search(rb"/Font <<(.*?)>>", b, re.S)
        if fm:
            for name, ref in re.findall(rb"/(\w+) (\d+) 0 R", fm.group(1)):
                fb = objs[int(ref)]
                tu = re.search(rb"/ToUnicode (\d+) 0 R", fb)
                if tu:
                    t = int(tu.group(1))
                    if t not in cmaps:
                        cmaps[t] = cmap(t)
                    fonts[name] = cmaps[t]
        out, font = [], {}
        for c in re.findall(rb"/Contents (\d+) 0 R", b):
            content = stream(int(c))
            for tok in re.finditer(rb"/(\w+) [\d.]+ Tf|<([0-9A-Fa-f]*)>|\bT[*dDJj]\b|\bET\b", content):
                if tok.group(1):
                    font = fonts.get(tok.group(1), {})
                elif tok.group(2) is not None:
                    h = tok.group(2)
                    out.append("".join(font.get(int(h[i:i + 4], 16), "") for i in range(0, len(h), 4)))
                elif tok.group(0) in (b"ET", b"Td", b"TD", b"T*"):
                    out.append(" ")
        pages.append("".join(out))
    assert len(pages) == len(leaves)
    return pages


def squash(text):
    """Text compared as printed: no whitespace (the PDF places glyph runs, not words), no
    case (text-transform), ligatures undone."""
    return re.sub(r"\s+", "", text.replace("\ufb01", "fi").replace("\ufb02", "fl")).casefold()


def collect_errors(cdp):
    errors, warnings = [], []
    keep = []
    for e in cdp.events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            (errors if p.get("type") in ("error", "assert") else warnings if p.get("type") == "warning" else []).append(f"console.{p.get('type')}: {text}")
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            errors.append(f"exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif m == "Log.entryAdded":
            entry = p.get("entry", {})
            line = f"log.{entry.get('level')} [{entry.get('source')}]: {entry.get('text')} {entry.get('url', '')}".strip()
            if entry.get("level") == "error":
                errors.append(line)
            elif entry.get("level") == "warning":
                warnings.append(line)
        else:
            keep.append(e)
    cdp.events = keep
    return errors, warnings


def navigate(cdp, url, timeout):
    cdp.events = [e for e in cdp.events if e["method"] != "Page.loadEventFired"]
    cdp.call("Page.navigate", url=url)
    cdp.wait_for("Page.loadEventFired", timeout)
    return cdp.eval(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {load_ms: n ? n.loadEventEnd || n.loadEventStart : null, dcl_ms: n ? n.domContentLoadedEventEnd : null,"
        " ready_ms: window.__twReady === undefined ? null : window.__twReady}; })()"
    )


STRUCTURE = r"""(() => ({
  title: document.title,
  sections: [...document.querySelectorAll('main > section')].map(s => s.id),
  h2: document.querySelectorAll('main h2').length,
  checks: document.querySelectorAll('article.chk').length,
  scripts: document.scripts.length,
  script_ids: [...document.scripts].map(s => s.id || s.type || 'inline'),
  foreign: document.querySelectorAll('img, iframe, object, embed, frame, video, audio, link[rel=stylesheet], base, meta[http-equiv=refresh]').length,
  handlers: [...document.querySelectorAll('*')].filter(el => [...el.attributes].some(a => /^on/i.test(a.name))).length,
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
  toolbar: !!document.getElementById('tw-filters') && !document.getElementById('tw-filters').hidden,
  rows: document.querySelectorAll('#checks tr.f').length,
  count_text: (document.getElementById('tw-count') || {}).textContent || null,
  external: [...document.querySelectorAll('[src], [href]')].map(el => el.getAttribute('src') || el.getAttribute('href'))
     .filter(u => /^(https?:)?\/\//i.test(u) && !document.querySelector('ul.refs a[href="' + CSS.escape(u) + '"]')),
}))()"""

VISIBLE_ROWS = r"""(() => [...document.querySelectorAll('#checks tr.f')]
  .filter(r => !r.hidden && !r.closest('article').hidden && !r.closest('table').hidden && !(r.closest('details.pg') && (r.closest('details.pg').hidden)))"""


# Every count tile, and the rows shown counted the same way (status; suppressed apart).
TILES_AND_ROWS = VISIBLE_ROWS.replace("(() => [...", "(() => { const rows = [...", 1) + r""";
  const shown = {pass: 0, fail: 0, error: 0, na: 0, suppressed: 0};
  const key = {PASS: 'pass', FAIL: 'fail', ERROR: 'error', NOT_APPLICABLE: 'na'};
  rows.forEach(r => { shown[key[r.dataset.s]]++; if (r.hasAttribute('data-sup')) shown.suppressed++; });
  const tiles = {};
  document.querySelectorAll('.tiles [data-n]').forEach(e => { tiles[e.dataset.n] = +e.textContent; });
  const score = [...document.querySelectorAll('[data-k="score"], .org-score')].map(e => e.textContent);
  const note = document.getElementById('tw-scope-note');
  return {shown, tiles, score, scope: document.documentElement.dataset.scope || '', hash: location.hash,
          note: note && !note.hidden ? note.textContent : null,
          form: Object.fromEntries([...document.getElementById('tw-filters').elements].filter(e => e.name).map(e => [e.name, e.value]))};
})()"""


# What a chosen scope narrows outside the tiles: the verdict block, the framework table's
# per-check counts, the score table and the heat map (innerText: what is shown).
SCOPE_VIEW = r"""(() => {
  const shown = e => !!e && !e.closest('[hidden]');
  const uns = document.querySelector('.v-unscanned');
  const failing = {};
  document.querySelectorAll('.v-sevl a[data-fc]').forEach(a => {
    const m = /^\u00a0×(\d+)/.exec(a.nextSibling ? a.nextSibling.textContent : '');
    failing[a.textContent] = m ? +m[1] : null;
  });
  const checks = {};
  document.querySelectorAll('.ctl-checks li[data-kc]').forEach(li => {
    const c = {};
    ['pass', 'fail', 'error', 'na', 'sup'].forEach(k => { const e = li.querySelector('.cnt .n-' + k); c[k === 'sup' ? 'suppressed' : k] = e ? parseInt(e.textContent, 10) : 0; });
    c.badge = (li.querySelector(':scope > .st') || {}).textContent || null;
    checks[li.dataset.kc] = c;
  });
  return {
    unscanned: uns ? [...uns.querySelectorAll('.v-ns')].map(e => e.dataset.a) : null,
    unscanned_text: uns ? uns.innerText : null,
    failing,
    controls: shown(document.querySelector('.v-ctl')) ? [...document.querySelectorAll('.v-ctl .v-fc')].map(e => e.dataset.ctl) : [],
    checks,
    score_rows: [...document.querySelectorAll('table.scores tbody tr')].filter(r => !r.hidden).map(r => r.dataset.a),
    heatmap_rows: [...document.querySelectorAll('table.heatmap tbody tr')].filter(r => !r.hidden).map(r => r.dataset.a),
  };
})()"""


# What a chosen scope narrows outside the verdict block: the incomplete-evidence callout (its
# numbers as shown), the coverage legend's cell counts and each trail's, the per-region chart
# (each bar's segments, from their titles, and its label), the score histogram (each band's
# count label and bar height) and the OU tree's marks.
SCOPE_EXTRAS = r"""(() => {
  const ie = document.querySelector('.ov-incomplete');
  let incomplete = null;
  if (ie) {
    const t = ie.querySelector('.ie-t').textContent;
    const ns = /(\d+) accounts? could not be scanned/.exec(t), err = /(\d+) outcomes?[^;]*could not be evaluated/.exec(t);
    incomplete = {strong: ie.querySelector('strong').textContent, not_scanned: ns ? +ns[1] : 0, error: err ? +err[1] : 0, warn: ie.classList.contains('warn'), text: ie.textContent.replace(/\s+/g, ' ').trim()};
  }
  const legend = {}, trails = {}, regions = {}, hist = {}, heights = {};
  document.querySelectorAll('.legend-box [data-lg]').forEach(e => { legend[e.dataset.lg] = +e.textContent; });
  document.querySelectorAll('.legend-box table.trails tr[data-key]').forEach(tr => { trails[tr.dataset.key] = +tr.querySelector('td.numc').textContent; });
  document.querySelectorAll('#tw-ch-reg g.reg-row').forEach(g => {
    const seg = {logged: 0, not_logged: 0, unreadable: 0, total: null};
    const kind = {'s-pass': 'logged', 's-fail': 'not_logged', 's-error': 'unreadable'};
    g.querySelectorAll('g.segs rect:not(.track)').forEach(r => {
      const m = /: (\d+) of (\d+)$/.exec(r.querySelector('title').textContent);
      seg[kind[r.getAttribute('class')]] = m ? +m[1] : null;
      seg.total = m ? +m[2] : null;
    });
    seg.label = g.querySelector('text.val').textContent;
    regions[g.querySelector('text.lbl').textContent] = seg;
  });
  document.querySelectorAll('#tw-ch-hist g.hb').forEach(g => {
    const v = g.querySelector('text.val');
    hist[g.dataset.label] = v ? +v.textContent : 0;
    heights[g.dataset.label] = +g.querySelector('rect').getAttribute('height');
  });
  const ou = sel => [...document.querySelectorAll('table.ou-tree ' + sel)];
  return {incomplete, legend, trails, regions, hist, heights,
          hist_caption: (document.querySelector('#tw-ch-hist figcaption') || {}).textContent || null,
          tree: {sel: ou('tr.ou.sel').map(r => r.dataset.ou), path: ou('tr.ou.path').map(r => r.dataset.ou),
                 chips: ou('a.sel[data-sa]').map(a => a.dataset.sa), rows: ou('tr.ou').length, hidden: ou('tr.ou').filter(r => r.hidden).length,
                 current: ou('[aria-current]').map(e => e.dataset.ou || e.dataset.sa)}};
})()"""


def scope_accounts(report, kind, ident):
    if kind == "ou":
        unit = next((u for u in report["scores"]["units"] if u["id"] == ident), None)
        return set(unit["accounts"]) if unit else set()
    return {ident}


def coverage_grid(report):
    """The heat map's cells as src/emit/html/coverage.rs fills them from the CT103 findings:
    {account: {region: kind}}, with the regions in column order and each trail's key."""
    ct = [f for f in report["findings"] if f["check"] == "CT103"]
    regions = sorted(set(report["scan"]["regions"]) | {f["region"] for f in ct if f.get("region")})
    accounts = [a["id"] for a in report["scan"]["accounts"]]
    accounts += [a for a in dict.fromkeys(f["account"] for f in ct) if a not in accounts]
    grid = {a: {r: "ne" for r in regions} for a in accounts}
    trail_of, per_trail = {}, {}
    kind = {"PASS": "ok", "FAIL": "no", "ERROR": "err", "NOT_APPLICABLE": "ne"}
    for f in ct:
        row = grid[f["account"]]
        if not f.get("region"):
            if f["status"] == "ERROR":
                for r in row:
                    row[r] = "err"
            continue
        k = kind[f["status"]]
        if k == "no" and f.get("suppression"):
            k = "nos"
        row[f["region"]] = k
        if k == "ok":
            arn = (f.get("evidence") or {}).get("recording_trail") or "unknown trail"
            trail_of[(f["account"], f["region"])] = arn
            per_trail[arn] = per_trail.get(arn, 0) + 1
    for a in report["scan"]["accounts"]:
        if a["status"] != "scanned" and all(k == "ne" for k in grid[a["id"]].values()):
            grid[a["id"]] = {r: "err" for r in regions}
    keys = {arn: f"T{i + 1}" for i, (arn, _) in enumerate(sorted(per_trail.items(), key=lambda t: (-t[1], t[0])))}
    return regions, grid, {cell: keys[arn] for cell, arn in trail_of.items() if grid[cell[0]][cell[1]] == "ok"}


def expected_extras(report, accounts, region=None, check=None):
    """The incomplete-evidence numbers, coverage legend and per-region chart, and histogram of
    `accounts` (None: the organization's), computed from the JSON report; the ERROR count
    narrowed to `region` / `check` when given."""
    every = [a["id"] for a in report["scan"]["accounts"]]
    every += [a for a in dict.fromkeys(f["account"] for f in report["findings"]) if a not in every]
    inside = (lambda a: True) if accounts is None else (lambda a: a in accounts)
    errors = [f for f in report["findings"] if f["status"] == "ERROR" and inside(f["account"])
              and (region is None or (f.get("region") or "global") == region) and (check is None or f["check"] == check)]
    out = {
        "not_scanned": sum(1 for a in report["scan"]["accounts"] if a["status"] != "scanned" and inside(a["id"])),
        "error": len(errors),
    }
    regions, grid, keyed = coverage_grid(report)
    rows = {a: cells for a, cells in grid.items() if inside(a)}
    cells = [k for r in rows.values() for k in r.values()]
    out["legend"] = {"ok": cells.count("ok"), "no": cells.count("no") + cells.count("nos"), "err": cells.count("err"), "ne": cells.count("ne")}
    trails = {}
    for (a, _), key in keyed.items():
        if inside(a):
            trails[key] = trails.get(key, 0) + 1
    out["trails"] = trails
    chart = {}
    for r in regions:
        ks = [row[r] for row in rows.values()]
        c = {"logged": ks.count("ok"), "not_logged": ks.count("no") + ks.count("nos"), "unreadable": ks.count("err")}
        total = sum(c.values())
        c["label"] = (f"{100 * c['logged'] // total}%" if total else "—") + f" of {total}"
        chart[r] = c
    out["regions"] = chart
    scores = {a["id"]: a.get("score") for a in report["scores"]["accounts"]}
    labels = [f"{i * 10}–{i * 10 + 9}" for i in range(9)] + ["90–100"]
    buckets, unscored = [0] * 10, 0
    for a in every:
        if not inside(a):
            continue
        if scores.get(a) is None:
            unscored += 1
        else:
            buckets[min(9, int(scores[a] // 10))] += 1
    out["hist"] = dict(zip(labels, buckets))
    top = max(buckets + [1])
    out["heights"] = {l: round(120 * n / top, 2) for l, n in zip(labels, buckets)}
    out["unscored"] = unscored
    return out


def expected_tree(report, kind, ident):
    """The OU tree's marks for a scope: the chosen OU, and the units above it or holding the
    chosen account (with theirs)."""
    units = {u["id"]: u for u in ((report["scan"].get("organization_tree") or {}).get("units") or [])}
    path = set()
    def up(uid):
        while uid in units and uid not in path:
            path.add(uid)
            uid = units[uid].get("parent")
    if kind == "ou":
        up(units.get(ident, {}).get("parent"))
        return {"sel": [ident], "path": path, "chips": []}
    for u in units.values():
        if ident in (u.get("accounts") or []):
            up(u["id"])
    return {"sel": [], "path": path, "chips": [ident]}


def compare_extras(spec, got, want, tree=None):
    """Problems of a view's callout, coverage legend and chart, histogram (and OU tree marks)
    against the numbers computed from the JSON report."""
    out = []
    inc = got["incomplete"]
    if inc is not None and (inc["not_scanned"], inc["error"]) != (want["not_scanned"], want["error"]):
        out.append(f"{spec}: the incomplete-evidence callout says {inc['text']!r}: {inc['not_scanned']} not scanned, {inc['error']} ERROR; the JSON: {want['not_scanned']}, {want['error']}")
    if inc is not None and inc["warn"] != bool(want["not_scanned"] or want["error"]):
        out.append(f"{spec}: the incomplete-evidence callout is {'' if inc['warn'] else 'not '}a warning: {inc['text']!r}")
    if got["legend"] and got["legend"] != want["legend"]:
        out.append(f"{spec}: the coverage legend counts {got['legend']}, the JSON's CT103 cells {want['legend']}")
    if got["trails"] and {k: v for k, v in got["trails"].items() if v} != want["trails"]:
        out.append(f"{spec}: the trails' cells {got['trails']}, the JSON's {want['trails']}")
    for r, w in want["regions"].items():
        g = got["regions"].get(r)
        if g is None or {k: g[k] for k in w} != w:
            out.append(f"{spec}: region {r} chart {g}, the JSON's CT103 cells {w}")
    if got["hist"] != want["hist"]:
        out.append(f"{spec}: the histogram {got['hist']}, the JSON's account scores {want['hist']}")
    off = {l: (h, want["heights"][l]) for l, h in got["heights"].items() if abs(h - want["heights"].get(l, -1)) > 0.011}
    if off:
        out.append(f"{spec}: histogram bar heights (shown, expected) {off}")
    if tree is not None:
        t = got["tree"]
        if t["sel"] != tree["sel"] or set(t["path"]) != tree["path"] or t["chips"] != tree["chips"]:
            out.append(f"{spec}: the OU tree marks {t['sel']} chosen, {t['path']} on the path, chips {t['chips']}; expected {tree['sel']}, {sorted(tree['path'])}, {tree['chips']}")
        if t["hidden"]:
            out.append(f"{spec}: {t['hidden']} OU rows hidden: the tree is marked, never hidden")
    return out


def expected_view(report, kind, ident):
    """The scope's view computed from the JSON report's findings (counting, as the page does)."""
    if kind == "ou":
        unit = next((u for u in report["scores"]["units"] if u["id"] == ident), None)
        accounts = set(unit["accounts"]) if unit else set()
    else:
        accounts = {ident}
    key = {"PASS": "pass", "FAIL": "fail", "ERROR": "error", "NOT_APPLICABLE": "na"}
    checks = {}
    for f in report["findings"]:
        if f["account"] not in accounts:
            continue
        c = checks.setdefault(f["check"], {"pass": 0, "fail": 0, "error": 0, "na": 0, "suppressed": 0})
        c[key[f["status"]]] += 1
        if f.get("suppression"):
            c["suppressed"] += 1
    return {
        "accounts": accounts,
        "unscanned": [a["id"] for a in report["scan"]["accounts"] if a["status"] == "not_scanned" and a["id"] in accounts],
        "failing": {k: c["fail"] for k, c in checks.items() if c["fail"]},
        "checks": checks,
    }


def compare_view(spec, got, want, unfiltered_view):
    """Problems of a scope's view against the counts from the JSON report."""
    out = []
    if got["unscanned"] is not None:
        if want["unscanned"]:
            if got["unscanned"] != want["unscanned"]:
                out.append(f"scope {spec}: the not-scanned callout lists {got['unscanned']}, the scope's unscanned accounts are {want['unscanned']}")
        elif got["unscanned"] or "none of the selected accounts" not in got["unscanned_text"]:
            out.append(f"scope {spec}: no account of the scope is unscanned, yet the callout says {got['unscanned_text']!r}")
    if got["failing"] != want["failing"]:
        out.append(f"scope {spec}: failing checks by severity {got['failing']}, the JSON findings of its accounts {want['failing']}")
    zero = {"pass": 0, "fail": 0, "error": 0, "na": 0, "suppressed": 0}
    for code, c in got["checks"].items():
        w = want["checks"].get(code, zero)
        if {k: c[k] for k in zero} != w:
            out.append(f"scope {spec}: framework table {code} counts {c}, the JSON findings of its accounts {w}")
    expected_rows = [a for a in unfiltered_view["score_rows"] if a in want["accounts"]]
    if got["score_rows"] != expected_rows:
        out.append(f"scope {spec}: the score table shows {got['score_rows']}, the scope's accounts are {expected_rows}")
    expected_hm = [a for a in unfiltered_view["heatmap_rows"] if a in want["accounts"]]
    if got["heatmap_rows"] != expected_hm:
        out.append(f"scope {spec}: the heat map shows {got['heatmap_rows']}, the scope's accounts are {expected_hm}")
    return out


def tiles_match_rows(t):
    return all(t["tiles"].get(k) == t["shown"][k] for k in ("pass", "fail", "error", "na", "suppressed"))


def set_filter(cdp, name, value, event):
    return cdp.eval(
        "(() => { const f = document.getElementById('tw-filters'); const t0 = performance.now();"
        f" f.elements[{json.dumps(name)}].value = {json.dumps(value)};"
        f" f.elements[{json.dumps(name)}].dispatchEvent(new Event({json.dumps(event)}, {{bubbles: true}}));"
        " return performance.now() - t0; })()"
    )


# Text of the text nodes laid out (non-empty client rect) within the viewport, in document order.
FIRST_SCREEN = """(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    range.selectNodeContents(n);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight);
    if (rects.length) out.push(n.textContent);
  }
  return out.join(' ');
})()"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--report", required=True)
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--screenshot")
    ap.add_argument("--shot-height", type=int, default=0, help="screenshot height in CSS pixels (default: the viewport)")
    ap.add_argument("--shot-y", type=int, default=0, help="screenshot from this vertical offset, or from the element --shot-at names")
    ap.add_argument("--shot-at", help="CSS selector of the element the screenshot starts at")
    ap.add_argument("--pdf", help="also print the page to this PDF (print CSS)")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=900)
    ap.add_argument("--filter-status", default="FAIL")
    ap.add_argument("--expect-status-count", type=int)
    ap.add_argument("--search")
    ap.add_argument("--expect-text", action="append", default=[])
    ap.add_argument("--first-screen-text", action="append", default=[], help="text that must be visible in the first viewport, unscrolled (repeatable)")
    ap.add_argument("--pdf-first-page-text", action="append", default=[], help="text that must be in the text of the PDF's first page (with --pdf; repeatable)")
    ap.add_argument("--print-first-page-text", action="append", default=[], help="text that must be on the first printed A4 page, inside the verdict block (repeatable)")
    ap.add_argument("--scope", action="append", default=[], help="ou=ID=SCORE or a=ID=SCORE: choose that scope and expect that score (repeatable)")
    ap.add_argument("--region", help="a region filter that must narrow the count tiles")
    ap.add_argument("--fragment", help="load the page at #FRAGMENT and expect its filters restored")
    ap.add_argument("--json", help="the JSON report the page was rendered from: each --scope's view must match its findings")
    ap.add_argument("--expect-ou-score", action="append", default=[], help="ID=SCORE: the OU table shows that score (repeatable)")
    ap.add_argument("--timing-runs", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()

    result = {"ok": False, "problems": [], "report": os.path.abspath(args.report)}
    problems = result["problems"]
    if not os.path.exists(args.chromium):
        result["problems"].append(f"{args.chromium} not found: run `bash scripts/setup-browser.sh`")
        print(json.dumps(result))
        return 2
    try:
        proc, profile, log, ws_url = launch(args.chromium, args.width, args.height)
    except Exception as e:  # noqa: BLE001 - reported
        result["problems"].append(f"cannot start chromium: {e}")
        print(json.dumps(result))
        return 2
    try:
        cdp = CDP(ws_url, args.timeout)
        for domain in ("Page", "Runtime", "Log"):
            cdp.call(f"{domain}.enable")
        cdp.call("Emulation.setDeviceMetricsOverride", width=args.width, height=args.height, deviceScaleFactor=1, mobile=False)
        url = Path(args.report).resolve().as_uri()
        t0 = time.monotonic()
        first = navigate(cdp, url, args.timeout)
        result["wall_load_ms"] = round((time.monotonic() - t0) * 1000)
        result["first_load"] = first

        s = cdp.eval(STRUCTURE)
        result["structure"] = {k: v for k, v in s.items() if k not in ("external",)}
        if s["pwned"] is not None:
            problems.append(f"a hostile payload ran: window.__pwned = {s['pwned']}")
        if s["scripts"] != 2:
            problems.append(f"expected the page's 2 script elements, found {s['scripts']}: {s['script_ids']}")
        if s["foreign"]:
            problems.append(f"{s['foreign']} img/iframe/object/embed/link/base elements found")
        if s["handlers"]:
            problems.append(f"{s['handlers']} elements carry on* event handler attributes")
        if s["external"]:
            problems.append(f"external URLs outside check references: {s['external'][:5]}")
        if not s["toolbar"]:
            problems.append("the filter toolbar is not shown (script did not run?)")
        for text in args.expect_text:
            if not cdp.eval(f"document.body.textContent.includes({json.dumps(text)})"):
                problems.append(f"text not shown literally: {text!r}")

        # The first screen: the text of every rendered text node inside the unscrolled viewport.
        if args.first_screen_text:
            cdp.eval("window.scrollTo(0, 0)")
            shown = cdp.eval(FIRST_SCREEN)
            result["first_screen"] = {"chars": len(shown), "missing": [t for t in args.first_screen_text if t not in shown]}
            for t in result["first_screen"]["missing"]:
                problems.append(f"not on the first screen ({args.width}x{args.height}): {t!r}")

        # Status filter.
        f = {"status": args.filter_status, "ms": round(set_filter(cdp, "s", args.filter_status, "change"), 1)}
        v = cdp.eval(VISIBLE_ROWS + ".map(r => [r.dataset.s, r.offsetParent !== null]))()")
        f["visible_rows"] = len(v)
        f["non_matching"] = sum(1 for st, _ in v if st != args.filter_status)
        f["not_displayed"] = sum(1 for _, shown in v if not shown and args.filter_status in ("FAIL", "ERROR"))
        f["count_text"] = cdp.eval("document.getElementById('tw-count').textContent")
        f["sections_visible"] = cdp.eval("[...document.querySelectorAll('article.chk')].filter(a => !a.hidden).length")
        result["filter"] = f
        if f["visible_rows"] == 0:
            problems.append(f"status filter {args.filter_status}: no row visible")
        if f["non_matching"]:
            problems.append(f"status filter {args.filter_status}: {f['non_matching']} rows of another status still visible")
        if f["not_displayed"]:
            problems.append(f"status filter {args.filter_status}: {f['not_displayed']} matching rows are not displayed")
        if args.expect_status_count is not None and f["visible_rows"] != args.expect_status_count:
            problems.append(f"status filter {args.filter_status}: {f['visible_rows']} rows visible, expected {args.expect_status_count}")
        set_filter(cdp, "s", "", "change")

        # Search.
        if args.search:
            set_filter(cdp, "q", args.search, "input")
            time.sleep(0.4)  # the search input is debounced
            rows = cdp.eval(VISIBLE_ROWS + ".map(r => [(r.closest('article').dataset.c + ' ' + r.closest('article').querySelector('h3').textContent + ' ' + r.textContent).toLowerCase(), r.offsetParent !== null]))()")
            needle = args.search.lower()
            srch = {"text": args.search, "visible_rows": len(rows), "displayed": sum(1 for _, d in rows if d), "non_matching": sum(1 for t, _ in rows if needle not in t)}
            srch["count_text"] = cdp.eval("document.getElementById('tw-count').textContent")
            result["search"] = srch
            if not rows:
                problems.append(f"search {args.search!r}: no row visible")
            if srch["non_matching"]:
                problems.append(f"search {args.search!r}: {srch['non_matching']} visible rows do not contain it")
            if not srch["displayed"]:
                problems.append(f"search {args.search!r}: no matching row is displayed")
            set_filter(cdp, "q", "", "input")
            time.sleep(0.3)
        cdp.eval("document.getElementById('tw-filters').reset()")
        time.sleep(0.1)
        after = cdp.eval(VISIBLE_ROWS + ".length)()")
        if after != s["rows"] and not cdp.eval("!!document.querySelector('details.pg[data-lazy]')"):
            problems.append(f"after clearing the filters {after} of {s['rows']} rows are visible")

        # The OU table shows the JSON's per-OU scores.
        for spec in args.expect_ou_score:
            ou, _, want = spec.partition("=")
            got = cdp.eval(f"(() => {{ const r = document.querySelector('table.ou-tree tr.ou[data-ou=\"' + CSS.escape({json.dumps(ou)}) + '\"] span.score'); return r ? r.textContent : null; }})()")
            result.setdefault("ou_table", {})[ou] = got
            if got != want:
                problems.append(f"OU table: {ou} shows score {got!r}, the JSON report {want!r}")

        # Scopes: an OU (clicked in the OU table) or an account (the filter bar).
        # (The tiles are compared with the rows in the page: a static report, every row drawn.)
        unfiltered = cdp.eval(TILES_AND_ROWS)
        result["unfiltered"] = unfiltered
        json_report = json.loads(Path(args.json).read_text()) if args.json else None
        unfiltered_view = cdp.eval(SCOPE_VIEW)
        result["unfiltered_view"] = unfiltered_view
        unfiltered_extras = cdp.eval(SCOPE_EXTRAS)
        result["unfiltered_extras"] = unfiltered_extras
        if json_report is not None:
            problems.extend(compare_extras("unfiltered", unfiltered_extras, expected_extras(json_report, None)))
            if unfiltered_extras["tree"]["sel"] or unfiltered_extras["tree"]["path"] or unfiltered_extras["tree"]["chips"]:
                problems.append(f"unfiltered: the OU tree marks a scope: {unfiltered_extras['tree']}")
        if (args.scope or args.region or args.fragment) and not tiles_match_rows(unfiltered):
            problems.append(f"unfiltered: the tiles {unfiltered['tiles']} do not count the rows {unfiltered['shown']}")
        for spec in args.scope:
            kind, ident, want = (spec.split("=", 2) + ["", ""])[:3]
            if kind == "ou":
                clicked = cdp.eval(f"(() => {{ const a = document.querySelector('table.ou-tree a.scope-link[data-ou=\"' + CSS.escape({json.dumps(ident)}) + '\"]'); if (!a) return false; a.click(); return true; }})()")
                if not clicked:
                    problems.append(f"scope {spec}: no link for that OU in the OU table")
            else:
                set_filter(cdp, "a", ident, "change")
            t = cdp.eval(TILES_AND_ROWS)
            result.setdefault("scopes", {})[spec] = t
            if set(t["score"]) != {want}:
                problems.append(f"scope {spec}: the scores shown are {t['score']}, expected {want!r}")
            if not tiles_match_rows(t):
                problems.append(f"scope {spec}: the tiles {t['tiles']} do not count the rows shown {t['shown']}")
            if t["tiles"] == unfiltered["tiles"]:
                problems.append(f"scope {spec}: the count tiles did not change ({t['tiles']})")
            if t["scope"] != f"{kind}:{ident}" or f"{kind}={ident}" not in t["hash"]:
                problems.append(f"scope {spec}: data-scope {t['scope']!r}, fragment {t['hash']!r}")
            if not t["note"]:
                problems.append(f"scope {spec}: no scope note")
            view = cdp.eval(SCOPE_VIEW)
            t["view"] = view
            extras = cdp.eval(SCOPE_EXTRAS)
            t["extras"] = extras
            if json_report is not None:
                problems.extend(compare_view(spec, view, expected_view(json_report, kind, ident), unfiltered_view))
                problems.extend(compare_extras(f"scope {spec}", extras, expected_extras(json_report, scope_accounts(json_report, kind, ident)), expected_tree(json_report, kind, ident)))
            cdp.eval("document.getElementById('tw-filters').reset()")
            time.sleep(0.1)
        if args.region:
            set_filter(cdp, "r", args.region, "change")
            t = cdp.eval(TILES_AND_ROWS)
            result["region"] = t
            if not tiles_match_rows(t):
                problems.append(f"region {args.region}: the tiles {t['tiles']} do not count the rows shown {t['shown']}")
            if sum(t["tiles"].values()) >= sum(unfiltered["tiles"].values()):
                problems.append(f"region {args.region}: the tiles did not narrow ({t['tiles']} vs {unfiltered['tiles']})")
            if t["score"] != unfiltered["score"]:
                problems.append(f"region {args.region}: the score changed ({t['score']} vs {unfiltered['score']}): a region filter narrows counts, not the score")
            if not t["note"] or "narrow the counts" not in t["note"]:
                problems.append(f"region {args.region}: the note does not say the region filter narrows only the counts: {t['note']!r}")
            t["view"] = cdp.eval(SCOPE_VIEW)
            if t["view"] != unfiltered_view:
                problems.append(f"region {args.region}: the verdict block or the framework table changed: they are the scope's, a region narrows the counts only")
            # The region narrows the incomplete-evidence callout's ERROR count, not the coverage
            # legend, the per-region chart or the histogram (they follow the scope only).
            t["extras"] = cdp.eval(SCOPE_EXTRAS)
            if json_report is not None:
                problems.extend(compare_extras(f"region {args.region}", t["extras"], expected_extras(json_report, None, region=args.region)))
            if {k: t["extras"][k] for k in ("legend", "trails", "regions", "hist", "heights")} != {k: unfiltered_extras[k] for k in ("legend", "trails", "regions", "hist", "heights")}:
                problems.append(f"region {args.region}: the coverage legend, per-region chart or histogram changed: they follow the scope only")
            cdp.eval("document.getElementById('tw-filters').reset()")
            time.sleep(0.1)
            back = cdp.eval(TILES_AND_ROWS)
            if back["tiles"] != unfiltered["tiles"] or back["hash"] not in ("", "#"):
                problems.append(f"after clearing: tiles {back['tiles']} (were {unfiltered['tiles']}), fragment {back['hash']!r}")
        if args.scope:
            back_view = cdp.eval(SCOPE_VIEW)
            if back_view != unfiltered_view:
                problems.append("after clearing the scope: the verdict block, framework table, score table or heat map is not the organization's again")
            back_extras = cdp.eval(SCOPE_EXTRAS)
            if back_extras != unfiltered_extras:
                problems.append("after clearing the scope: the incomplete-evidence callout, coverage legend and chart, histogram or OU tree marks are not the organization's again: "
                                + "; ".join(f"{k}: {back_extras[k]} (was {unfiltered_extras[k]})" for k in back_extras if back_extras[k] != unfiltered_extras[k]))
        if args.fragment:
            frag = args.fragment.lstrip("#")
            # A fresh load (not a same-document fragment change): through about:blank.
            navigate(cdp, "about:blank", args.timeout)
            navigate(cdp, url + "#" + frag, args.timeout)
            t = cdp.eval(TILES_AND_ROWS)
            result["fragment"] = t
            wanted = dict(p.split("=", 1) for p in frag.split("&"))
            wrong = {k: (t["form"].get(k), v) for k, v in wanted.items() if t["form"].get(k) != urllib.parse.unquote(v)}
            if wrong:
                problems.append(f"fragment #{frag}: filters not restored (shown, wanted): {wrong}")
            if not tiles_match_rows(t):
                problems.append(f"fragment #{frag}: the tiles {t['tiles']} do not count the rows shown {t['shown']}")
            if t["tiles"] == unfiltered["tiles"]:
                problems.append(f"fragment #{frag}: the count tiles are the unfiltered ones")
            if t["hash"] != "#" + frag:
                problems.append(f"fragment #{frag}: the address became {t['hash']!r}")
            if "s" in wanted:
                off = cdp.eval(VISIBLE_ROWS + f".filter(r => r.dataset.s !== {json.dumps(wanted['s'])}).length)()")
                if off:
                    problems.append(f"fragment #{frag}: {off} rows of another status shown")
            cdp.eval("document.getElementById('tw-filters').reset()")
            time.sleep(0.1)

        # Evidence drawn on demand.
        ev = cdp.eval(
            "(() => { const d = document.querySelector('details.pg'); if (d) d.open = true;"
            " return new Promise(res => setTimeout(() => { const e = document.querySelector('details[data-e]');"
            " if (!e) return res({found: false}); e.open = true;"
            " setTimeout(() => { const t = e.querySelector('pre').textContent; let parsed = false;"
            " try { JSON.parse(t); parsed = true; } catch (x) {} if (d) d.open = false; e.open = false;"
            " res({found: true, parsed, chars: t.length}); }, 50); }, 50)); })()",
            await_promise=True,
        )
        result["evidence"] = ev
        if ev.get("found") and not ev.get("parsed"):
            problems.append("evidence drawn on demand is not JSON")

        if args.screenshot:
            # Sections off screen skip rendering (content-visibility: auto); a screenshot taller
            # than the viewport needs them drawn.
            cdp.eval("document.querySelectorAll('main section, article.chk').forEach(e => { e.style.contentVisibility = 'visible'; })")
            cdp.eval("window.scrollTo(0, 0)")
            height = args.shot_height or args.height
            y = args.shot_y
            if args.shot_at:
                y = cdp.eval(f"(() => {{ const e = document.querySelector({json.dumps(args.shot_at)}); return e ? e.getBoundingClientRect().top + window.scrollY : 0; }})()")
            shot = cdp.call("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip={"x": 0, "y": y, "width": args.width, "height": height, "scale": 1})
            Path(args.screenshot).write_bytes(base64.b64decode(shot["data"]))
            result["screenshot"] = os.path.abspath(args.screenshot)
        if args.pdf:
            pdf = base64.b64decode(cdp.call("Page.printToPDF", printBackground=True, preferCSSPageSize=True)["data"])
            Path(args.pdf).write_bytes(pdf)
            result["pdf"] = {"path": os.path.abspath(args.pdf), "pages": pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages"), "bytes": len(pdf)}
            if args.pdf_first_page_text:
                texts = pdf_page_texts(pdf)
                first = squash(texts[0]) if texts else ""
                result["pdf"]["text_pages"] = len(texts)
                result["pdf"]["first_page_missing"] = [t for t in args.pdf_first_page_text if squash(t) not in first]
                for t in result["pdf"]["first_page_missing"]:
                    problems.append(f"print: not in the text of the PDF's first page: {t!r}")

        # The first printed page, measured in the DOM at print media: the page laid out at the
        # width of an A4 page's content box (report.css: @page A4, margins 15 mm 11 mm 13 mm);
        # the verdict block must end within the first page's content height, and the texts
        # must be inside it.
        if args.print_first_page_text:
            mm = 96 / 25.4
            width, height = round((210 - 22) * mm), (297 - 28) * mm
            cdp.call("Emulation.setDeviceMetricsOverride", width=width, height=round(height), deviceScaleFactor=1, mobile=False)
            cdp.call("Emulation.setEmulatedMedia", media="print")
            cdp.eval("window.dispatchEvent(new Event('beforeprint'))")
            fp = cdp.eval("""(() => { const v = document.getElementById('verdict'); const r = v.getBoundingClientRect();
              const before = [...document.querySelectorAll('body *')].filter(e => e.compareDocumentPosition(v) & Node.DOCUMENT_POSITION_FOLLOWING)
                .filter(e => ['page', 'left', 'right'].includes(getComputedStyle(e).breakBefore) || ['page', 'left', 'right'].includes(getComputedStyle(e).breakAfter)).length;
              return {top: r.top + scrollY, bottom: r.bottom + scrollY, forced_breaks_before: before, text: v.innerText}; })()""")
            cdp.eval("window.dispatchEvent(new Event('afterprint'))")
            cdp.call("Emulation.setEmulatedMedia", media="")
            cdp.call("Emulation.setDeviceMetricsOverride", width=args.width, height=args.height, deviceScaleFactor=1, mobile=False)
            missing = [t for t in args.print_first_page_text if t not in fp["text"]]
            result["print_first_page"] = {"verdict_bottom_px": round(fp["bottom"]), "page_height_px": round(height), "forced_breaks_before": fp["forced_breaks_before"], "missing": missing}
            if fp["bottom"] > height:
                problems.append(f"print: the verdict block ends at {fp['bottom']:.0f} px, past the first A4 page ({height:.0f} px)")
            if fp["forced_breaks_before"]:
                problems.append("print: a forced page break comes before the verdict block")
            for t in missing:
                problems.append(f"print: not in the verdict block on the first page: {t!r}")

        if args.timing_runs:
            runs = []
            for _ in range(args.timing_runs):
                runs.append(navigate(cdp, url, args.timeout))
            # Sections off screen are laid out when scrolled to: time the two largest.
            # (content-visibility lays them out at the next rendering update: wait for two frames.)
            jump = lambda sel: cdp.eval(
                f"(() => {{ const s = document.querySelector({json.dumps(sel)}); if (!s) return null; const t = performance.now();"
                " s.scrollIntoView(); return new Promise(res => requestAnimationFrame(() => requestAnimationFrame(() =>"
                " res(performance.now() - t)))); })()", await_promise=True)
            coverage_ms = jump("table.heatmap")
            checks_ms = jump("article.chk:last-of-type")
            cdp.eval("window.scrollTo(0, 0)")
            filter_ms = set_filter(cdp, "s", args.filter_status, "change")
            heap = cdp.call("Runtime.getHeapUsage")
            result["timing"] = {
                "runs": len(runs),
                "load_ms": round(statistics.median(r["load_ms"] for r in runs)),
                "dcl_ms": round(statistics.median(r["dcl_ms"] for r in runs)),
                "ready_ms": round(statistics.median(r["ready_ms"] or 0 for r in runs)),
                "filter_ms": round(filter_ms),
                "scroll_to_coverage_ms": None if coverage_ms is None else round(coverage_ms),
                "scroll_to_last_check_ms": None if checks_ms is None else round(checks_ms),
                "heap_mib": round(heap["usedSize"] / 1048576, 1),
            }

        cdp.drain(0.3)
        errors, warnings = collect_errors(cdp)
        result["console_errors"] = errors
        result["console_warnings"] = warnings
        if errors:
            problems.append(f"{len(errors)} console errors")
    except Exception as e:  # noqa: BLE001 - reported
        problems.append(f"driver failure: {type(e).__name__}: {e}")
    finally:
        proc.kill()
        proc.wait()
        log.close()
        shutil.rmtree(profile, ignore_errors=True)
    result["ok"] = not problems
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
