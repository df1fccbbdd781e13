/* trailwarden HTML report: filters, search, scope (organization, OU, account), the filter
   state in the address's fragment, evidence on demand, print preparation.
   Progressive enhancement only: without this script the page is complete and readable.
   Data from the report is only ever written with textContent, never parsed as HTML.
   Scores are never computed here: a scope's score, grade and control verdicts are selected
   from the island's `scopes` (the JSON report's numbers); outcomes are only counted. */
(function () {
  'use strict';
  var doc = document;
  doc.documentElement.classList.add('js');
  var NUL = '\u0000';
  var PAGE = 250;
  var SS = ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE'];
  var SL = ['PASS', 'FAIL', 'ERROR', 'N/A'];
  var SC = ['s-pass', 's-fail', 's-error', 's-na'];
  var data = null;

  function island() {
    if (!data) {
      var el = doc.getElementById('tw-data');
      data = el ? JSON.parse(el.textContent) : {};
      data.strings = data.strings || [];
      data.rows = data.rows || {};
      data.lower = [];
    }
    return data;
  }
  function own(o, k) { return o != null && Object.prototype.hasOwnProperty.call(o, k); }
  function lower(i) { var d = island(); if (d.lower[i] === undefined) d.lower[i] = String(d.strings[i]).toLowerCase(); return d.lower[i]; }

  /* Evidence values share repeated sub-trees: {"\u0000": n} refers to shared[n]; keys that
     began with NUL carry one more NUL. */
  function resolve(v) {
    if (Array.isArray(v)) return v.map(resolve);
    if (v !== null && typeof v === 'object') {
      var keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === NUL) return resolve(island().shared[v[NUL]]);
      var out = Object.create(null);
      keys.forEach(function (k) { out[k.charAt(0) === NUL ? k.slice(1) : k] = resolve(v[k]); });
      return out;
    }
    return v;
  }

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function fillEvidence(det) {
    if (det.getAttribute('data-done')) return;
    var pre = det.querySelector('pre');
    var ev = island().evidence[+det.getAttribute('data-e')];
    pre.textContent = JSON.stringify(resolve(ev), null, 2);
    det.setAttribute('data-done', '1');
  }

  /* ---- filter state ---- */
  var form = doc.getElementById('tw-filters');
  /* Fragment keys, in the order they are written (`#ou=…&a=…&r=…&c=…&v=…&s=…&q=…`). */
  var KEYS = ['ou', 'a', 'r', 'c', 'v', 's', 'q'];
  var state = { ou: '', a: '', r: '', c: '', v: '', s: '', q: '', qRaw: '' };
  var inUnit = null;
  function active() { return !!(state.ou || state.a || state.r || state.c || state.v || state.s || state.q); }
  function read() {
    if (!form) return;
    ['ou', 'a', 'r', 'c', 'v', 's'].forEach(function (k) { state[k] = form.elements[k] ? form.elements[k].value : ''; });
    state.qRaw = form.elements.q.value.trim();
    state.q = state.qRaw.toLowerCase();
    inUnit = null;
    if (state.ou) {
      var units = scopes().units;
      inUnit = Object.create(null);
      (own(units, state.ou) ? units[state.ou].accounts : []).forEach(function (a) { inUnit[a] = true; });
    }
  }
  function scopes() { var d = island(); return d.scopes || { accounts: {}, units: {} }; }
  function accountOk(a) { return (!state.a || a === state.a) && (!inUnit || inUnit[a] === true); }

  /* ---- sections and their rows ---- */
  var sections = [].map.call(doc.querySelectorAll('article.chk'), function (art) {
    var pg = art.querySelector('details.pg');
    var rows = [].map.call(art.querySelectorAll('tr.f'), function (tr) {
      return { tr: tr, a: tr.getAttribute('data-a'), r: tr.getAttribute('data-r'), s: tr.getAttribute('data-s'), sup: tr.hasAttribute('data-sup'), text: null };
    });
    return {
      el: art, c: art.getAttribute('data-c'), v: art.getAttribute('data-v'), head: (art.getAttribute('data-c') + ' ' + (art.querySelector('h3') || art).textContent).toLowerCase(),
      rows: rows, pg: pg, lazy: !!(pg && pg.hasAttribute('data-lazy')), att: art.querySelector('table.att'),
      drawn: 0, matches: null, auto: false
    };
  });

  function sectionOk(sec) { return (!state.c || sec.c === state.c) && (!state.v || sec.v === state.v); }
  function statusOk(s, sup) { return !state.s || (state.s === 'SUPPRESSED' ? sup : s === state.s); }
  function textOf(row) { if (row.text === null) row.text = row.tr.textContent.toLowerCase(); return row.text; }
  function rowOk(sec, row) {
    if (!accountOk(row.a)) return false;
    if (state.r && row.r !== state.r) return false;
    if (!statusOk(row.s, row.sup)) return false;
    return !state.q || sec.head.indexOf(state.q) >= 0 || textOf(row).indexOf(state.q) >= 0;
  }
  /* A lazy row: [account, region (-1: none), resource, message, status, evidence] as string ids. */
  function dataOk(sec, r) {
    var d = island();
    if (!accountOk(d.strings[r[0]])) return false;
    if (state.r && (r[1] < 0 ? 'global' : d.strings[r[1]]) !== state.r) return false;
    if (!statusOk(SS[r[4]], false)) return false;
    if (!state.q || sec.head.indexOf(state.q) >= 0) return true;
    var acct = d.strings[r[0]];
    if (lower(r[0]).indexOf(state.q) >= 0 || lower(r[2]).indexOf(state.q) >= 0 || lower(r[3]).indexOf(state.q) >= 0) return true;
    if (r[1] >= 0 && lower(r[1]).indexOf(state.q) >= 0) return true;
    return own(d.names, acct) && String(d.names[acct]).toLowerCase().indexOf(state.q) >= 0;
  }

  function makeRow(r) {
    var d = island(), acct = d.strings[r[0]], region = r[1] < 0 ? null : d.strings[r[1]];
    var tr = el('tr', 'f');
    tr.setAttribute('data-a', acct);
    tr.setAttribute('data-r', region === null ? 'global' : region);
    tr.setAttribute('data-s', SS[r[4]]);
    var td = el('td');
    td.appendChild(el('span', 'st ' + SC[r[4]], SL[r[4]]));
    tr.appendChild(td);
    td = el('td', 'acct', acct);
    if (own(d.names, acct)) td.appendChild(el('span', 'an', d.names[acct]));
    tr.appendChild(td);
    td = el('td');
    if (region === null) { var g = el('span', 'muted', 'global'); g.title = 'account-wide: not about one region'; td.appendChild(g); } else td.textContent = region;
    tr.appendChild(td);
    tr.appendChild(el('td', 'res', d.strings[r[2]]));
    tr.appendChild(el('td', 'msg', d.strings[r[3]]));
    td = el('td', 'evc');
    var det = el('details', 'evd');
    det.setAttribute('data-e', String(r[5]));
    det.appendChild(el('summary', null, 'Evidence'));
    det.appendChild(el('pre', 'ev'));
    td.appendChild(det);
    tr.appendChild(td);
    return tr;
  }

  function lazyMatches(sec) {
    if (sec.matches === null) {
      var all = island().rows[sec.c] || [];
      sec.matches = sectionOk(sec) ? all.filter(function (r) { return dataOk(sec, r); }) : [];
    }
    return sec.matches;
  }

  function drawLazy(sec, more) {
    var tbody = sec.pg.querySelector('tbody');
    var list = lazyMatches(sec);
    if (!more) { tbody.textContent = ''; sec.drawn = 0; }
    var end = Math.min(list.length, sec.drawn + PAGE);
    var frag = doc.createDocumentFragment();
    for (var i = sec.drawn; i < end; i++) frag.appendChild(makeRow(list[i]));
    tbody.appendChild(frag);
    sec.drawn = end;
    var btn = sec.pg.querySelector('button.more');
    if (sec.drawn < list.length) {
      if (!btn) {
        btn = el('button', 'more');
        btn.type = 'button';
        btn.addEventListener('click', function () { drawLazy(sec, true); });
        sec.pg.appendChild(btn);
      }
      btn.textContent = 'Show ' + Math.min(PAGE, list.length - sec.drawn) + ' more (' + (list.length - sec.drawn) + ' not shown)';
      btn.hidden = false;
    } else if (btn) {
      btn.hidden = true;
    }
  }

  /* The island is parsed on first use (a filter, an evidence), not on load. */
  var total = sections.reduce(function (n, sec) { return n + sec.rows.length + (sec.lazy ? +sec.pg.getAttribute('data-n') : 0); }, 0);
  var countOut = doc.getElementById('tw-count');

  /* ---- the overview's counts and charts: the matching outcomes, counted ---- */
  var SVG = 'http://www.w3.org/2000/svg';
  var KEYOF = { PASS: 'pass', FAIL: 'fail', ERROR: 'error', NOT_APPLICABLE: 'na' };
  function counts() { return { pass: 0, fail: 0, error: 0, na: 0, suppressed: 0, total: 0 }; }
  function tally(c, status, sup) { c[KEYOF[status]]++; c.total++; if (sup) c.suppressed++; }
  function r2(v) { return Math.round(v * 100) / 100; }
  function svgEl(tag, attrs, title) {
    var e = doc.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (title) { var t = doc.createElementNS(SVG, 'title'); t.textContent = title; e.appendChild(t); }
    return e;
  }
  /* The same layout as charts.rs `segments`: parts side by side, a non-empty one at least 0.5 wide. */
  function segments(parts, totalN, width) {
    var x = 0, out = [];
    parts.forEach(function (p) {
      if (!p[2]) return;
      var w = totalN ? width * p[2] / totalN : 0;
      out.push({ label: p[0], cls: p[1], n: p[2], x: r2(x), w: r2(Math.max(w, 0.5)), pct: totalN ? (100 * p[2] / totalN).toFixed(1) : '0' });
      x += w;
    });
    return out;
  }
  var saved = null;
  function saveOriginals() {
    if (saved) return;
    saved = { nodes: {}, counts: [], texts: [], hidden: [], classes: [], controls: [] };
    ['tw-ch-status', 'tw-ch-sev', 'tw-t-sev'].forEach(function (id) { var e = doc.getElementById(id); if (e) saved.nodes[id] = e.cloneNode(true); });
    [].forEach.call(doc.querySelectorAll('.tiles [data-n]'), function (e) { saved.counts.push([e, e.textContent]); });
    [].forEach.call(doc.querySelectorAll('[data-k="scope"], [data-k="score"], [data-k="grade"], [data-k="p"], [data-k="f"], [data-k="u"], [data-k="fws"], [data-k="capt"], .org-score'), function (e) { saved.texts.push([e, e.textContent]); });
    [].forEach.call(doc.querySelectorAll('[data-k="cap"]'), function (e) { saved.hidden.push([e, e.hidden]); });
    [].forEach.call(doc.querySelectorAll('[data-k="gc"]'), function (e) { saved.classes.push([e, e.className]); });
    [].forEach.call(doc.querySelectorAll('tr[data-ctl] td.ctl-v'), function (td) { saved.controls.push([td, td.cloneNode(true)]); });
    /* What the scope narrows by counting its accounts' outcomes: the not-scanned callout, the
       verdict's failing checks and controls and its coverage line, each check's counts. */
    saved.boxes = [].map.call(doc.querySelectorAll('.v-unscanned, .v-sevl, .v-ctl, [data-kc]'), function (e) { return [e, e.cloneNode(true)]; });
    saved.cov = [].map.call(doc.querySelectorAll('.v-cov [data-k^="cov-"]'), function (e) { return [e, e.textContent]; });
    saved.sevl = [].map.call(doc.querySelectorAll('.v-sevl .v-sg'), function (g) {
      return { sev: g.getAttribute('data-sev'), checks: [].map.call(g.querySelectorAll('a[data-fc]'), function (a) { return a.textContent; }) };
    });
    saved.ctls = [].map.call(doc.querySelectorAll('.v-ctl .v-fc'), function (c) {
      return { id: c.getAttribute('data-ctl'), checks: c.getAttribute('data-checks').split(', ') };
    });
    /* What the scope narrows outside the verdict: the incomplete-evidence callout, the coverage
       legend and per-region chart, the score histogram (restored whole). */
    saved.views = [].map.call(doc.querySelectorAll('.ov-incomplete, #tw-ch-reg, .legend-box, #tw-ch-hist'), function (e) { return [e, e.cloneNode(true)]; });
    saved.unscanned = [].map.call(doc.querySelectorAll('.v-unscanned .v-ns'), function (s) { return s.getAttribute('data-a'); });
  }
  function restoreNodes() {
    Object.keys(saved.nodes).forEach(function (id) { var e = doc.getElementById(id); if (e) e.parentNode.replaceChild(saved.nodes[id].cloneNode(true), e); });
  }
  function restoreCounts() {
    restoreNodes();
    saved.counts.forEach(function (t) { t[0].textContent = t[1]; });
  }
  function showCounts(all, bySev) {
    restoreNodes();
    [].forEach.call(doc.querySelectorAll('[data-n]'), function (e) { var k = e.getAttribute('data-n'); if (own(all, k)) e.textContent = String(all[k]); });
    var fig = doc.getElementById('tw-ch-status');
    if (fig) {
      var svg = fig.querySelector('svg'), legend = fig.querySelector('ul.legend');
      [].forEach.call(svg.querySelectorAll('rect:not(.track)'), function (r) { r.parentNode.removeChild(r); });
      var segs = segments([['PASS', 's-pass', all.pass], ['FAIL', 's-fail', all.fail], ['ERROR', 's-error', all.error], ['N/A', 's-na', all.na]], all.total, 560);
      if (legend) legend.textContent = '';
      segs.forEach(function (g) {
        svg.appendChild(svgEl('rect', { 'class': g.cls, x: g.x, y: 2, width: g.w, height: 26 }, g.label + ': ' + g.n + ' (' + g.pct + '%)'));
        if (legend) {
          var li = el('li');
          var sw = el('span', 'sw ' + g.cls);
          sw.setAttribute('aria-hidden', 'true');
          li.appendChild(sw);
          li.appendChild(doc.createTextNode(g.label + ' ' + g.n + ' (' + g.pct + '%)'));
          legend.appendChild(li);
        }
      });
    }
    var max = 1;
    Object.keys(bySev).forEach(function (k) { max = Math.max(max, bySev[k].total); });
    [].forEach.call(doc.querySelectorAll('#tw-ch-sev g.sev-row'), function (row) {
      var c = own(bySev, row.getAttribute('data-sev')) ? bySev[row.getAttribute('data-sev')] : counts();
      var width = 420 * c.total / max, inner = row.querySelector('g'), val = row.querySelector('text.val');
      inner.textContent = '';
      segments([['FAIL', 's-fail', c.fail], ['ERROR', 's-error', c.error], ['PASS', 's-pass', c.pass], ['N/A', 's-na', c.na]], c.total, width).forEach(function (g) {
        inner.appendChild(svgEl('rect', { 'class': g.cls, x: g.x, y: 3, width: g.w, height: 20 }, row.getAttribute('data-sev') + ' ' + g.label + ': ' + g.n));
      });
      val.setAttribute('x', String(r2(80 + width + 8)));
      val.textContent = c.fail + ' fail · ' + c.error + ' error · ' + c.pass + ' pass';
    });
    [].forEach.call(doc.querySelectorAll('#tw-t-sev tbody tr'), function (tr) {
      var k = tr.getAttribute('data-sev'), c = k ? (own(bySev, k) ? bySev[k] : counts()) : all;
      var tds = tr.querySelectorAll('td');
      [c.fail, c.error, c.pass, c.na, c.suppressed].forEach(function (n, i) { if (tds[i]) tds[i].textContent = String(n); });
    });
  }

  /* ---- the scope's precomputed numbers (selected, never computed) ---- */
  var VERDICT = { PASS: ['PASS', 's-pass'], FAIL: ['FAIL', 's-fail'], ERROR: ['ERROR', 's-error'], NOT_APPLICABLE: ['N/A', 's-na'] };
  function chosenScope() {
    var S = scopes();
    if (state.a && own(S.accounts, state.a)) return S.accounts[state.a];
    if (state.ou && own(S.units, state.ou)) return S.units[state.ou];
    return null;
  }
  function setText(sel, text) { [].forEach.call(doc.querySelectorAll(sel), function (e) { e.textContent = text; }); }
  function showScope(sc) {
    saved.texts.forEach(function (t) { t[0].textContent = t[1]; });
    saved.hidden.forEach(function (t) { t[0].hidden = t[1]; });
    saved.classes.forEach(function (c) { c[0].className = c[1]; });
    saved.controls.forEach(function (c) { var cur = c[0]; if (cur.parentNode) { var fresh = c[1].cloneNode(true); cur.parentNode.replaceChild(fresh, cur); c[0] = fresh; } });
    if (!sc) return;
    setText('[data-k="scope"]', sc.label);
    setText('[data-k="score"], .org-score', sc.score);
    setText('[data-k="grade"]', sc.grade);
    setText('[data-k="p"]', String(sc.p));
    setText('[data-k="f"]', String(sc.f));
    setText('[data-k="u"]', String(sc.u));
    setText('[data-k="fws"]', sc.fw ? sc.fw.score : '—');
    [].forEach.call(doc.querySelectorAll('[data-k="cap"]'), function (e) { e.hidden = !sc.capped; });
    setText('[data-k="capt"]', 'capped at poor by ' + sc.capped + ' unsuppressed CRITICAL failure' + (sc.capped === 1 ? '' : 's'));
    [].forEach.call(doc.querySelectorAll('[data-k="gc"]'), function (e) { e.className = e.className.replace(/\bsc-\w+/, '') + ' ' + sc.gc; });
    if (!sc.fw) return;
    saved.controls.forEach(function (c) {
      var id = c[0].parentNode.getAttribute('data-ctl');
      var v = own(sc.fw.controls, id) ? VERDICT[sc.fw.controls[id]] : null;
      if (!v) return;
      c[0].textContent = '';
      c[0].appendChild(el('span', 'st ' + v[1], v[0]));
    });
  }
  /* ---- the scope's outcomes, counted: the verdict block and each check's counts ---- */
  /* Per check, the outcomes of the scope's accounts (every other filter left aside: these are
     the scope's verdict and counts, beside its selected score and control verdicts). */
  function scopeCounts() {
    var d = island(), per = Object.create(null);
    sections.forEach(function (sec) {
      var c = per[sec.c] = counts();
      sec.rows.forEach(function (row) { if (accountOk(row.a)) tally(c, row.s, row.sup); });
      if (sec.lazy) (d.rows[sec.c] || []).forEach(function (r) { if (accountOk(d.strings[r[0]])) tally(c, SS[r[4]], false); });
    });
    return per;
  }
  function restoreBoxes() {
    saved.boxes.forEach(function (b) {
      var cur = b[0];
      if (!cur.parentNode) return;
      var fresh = b[1].cloneNode(true);
      cur.parentNode.replaceChild(fresh, cur);
      b[0] = fresh;
    });
    saved.cov.forEach(function (t) { t[0].textContent = t[1]; });
  }
  function box(sel) { for (var i = 0; i < saved.boxes.length; i++) if (saved.boxes[i][0].matches(sel)) return saved.boxes[i][0]; return null; }
  /* A check's badge over the scope's outcomes: outcome.rs `verdict`'s roll-up of the counts
     shown beside it (FAIL wins, then ERROR, then PASS, then N/A); no score, no control verdict. */
  function rollUp(c) {
    if (c.fail) return ['FAIL', 's-fail'];
    if (c.error) return ['ERROR', 's-error'];
    if (c.pass) return ['PASS', 's-pass'];
    if (c.na) return ['N/A', 's-na'];
    return ['NO OUTCOMES', 's-none'];
  }
  function countsSpan(c) {
    var span = el('span', 'cnt');
    [['n-pass', c.pass + ' pass'], ['n-fail', c.fail + ' fail'], ['n-error', c.error + ' error'], ['n-na', c.na + ' n/a']].concat(c.suppressed ? [['n-sup', c.suppressed + ' suppressed']] : []).forEach(function (p, i) {
      if (i) span.appendChild(doc.createTextNode(' · '));
      span.appendChild(el('span', p[0], p[1]));
    });
    return span;
  }
  function showScopeView(sc) {
    restoreBoxes();
    if (!(state.a || inUnit)) return;
    var per = scopeCounts();
    /* Each check's badge and counts (framework table, check headers). */
    [].forEach.call(doc.querySelectorAll('[data-kc]'), function (b) {
      var c = per[b.getAttribute('data-kc')], st = b.querySelector(':scope > .st'), cnt = b.querySelector(':scope > .cnt');
      if (!c || !st || !cnt || st.textContent === 'NOT RUN') return;
      var v = rollUp(c), note = b.querySelector(':scope > .note');
      st.className = 'st ' + v[1];
      st.textContent = v[0];
      if (note) note.parentNode.removeChild(note);
      if (c.suppressed) st.parentNode.insertBefore(el('span', 'note', c.suppressed + ' suppressed'), st.nextSibling);
      if (c.suppressed) st.parentNode.insertBefore(doc.createTextNode(' '), st.nextSibling);
      cnt.parentNode.replaceChild(countsSpan(c), cnt);
    });
    /* Failing checks by severity: the organization's list, kept to the checks failing in the scope. */
    var sevl = box('.v-sevl');
    if (sevl) {
      sevl.textContent = '';
      var groups = saved.sevl.map(function (g) { return { sev: g.sev, checks: g.checks.filter(function (k) { return own(per, k) && per[k].fail > 0; }) }; }).filter(function (g) { return g.checks.length; });
      if (!groups.length) sevl.textContent = 'No check fails in the selected accounts.';
      groups.forEach(function (g, gi) {
        if (gi) sevl.appendChild(doc.createTextNode(' · '));
        var span = el('span', 'v-sg');
        span.setAttribute('data-sev', g.sev);
        span.appendChild(el('span', 'sev sev-' + g.sev, g.sev));
        span.appendChild(doc.createTextNode(' '));
        g.checks.forEach(function (k, i) {
          if (i) span.appendChild(doc.createTextNode(', '));
          var a = el('a', null, k);
          a.href = '#c-' + k;
          a.setAttribute('data-fc', String(per[k].fail));
          span.appendChild(a);
          span.appendChild(doc.createTextNode('\u00a0×' + per[k].fail));
        });
        sevl.appendChild(span);
      });
    }
    /* Failing controls: the scope's control verdicts (selected, as the JSON report has them),
       each with its checks that fail in the scope. */
    var ctl = box('.v-ctl'), list = ctl ? ctl.querySelector('.v-ctll') : null;
    if (list) {
      list.textContent = '';
      var fails = saved.ctls.filter(function (c) {
        if (sc && sc.fw) return sc.fw.controls[c.id] === 'FAIL';
        return c.checks.some(function (k) { return own(per, k) && per[k].fail > 0; });
      });
      fails.forEach(function (c, i) {
        if (i) list.appendChild(doc.createTextNode(', '));
        var span = el('span', 'v-fc', c.id + ' ');
        span.setAttribute('data-ctl', c.id);
        span.appendChild(el('span', 'muted', '(' + c.checks.filter(function (k) { return own(per, k) && per[k].fail > 0; }).join(', ') + ')'));
        list.appendChild(span);
      });
      ctl.hidden = !fails.length;
    }
    /* The coverage line: the heat map's cells of the scope's accounts. */
    var cov = { 'cov-ok': 0, 'cov-no': 0, 'cov-err': 0 }, KIND = { ok: 'cov-ok', no: 'cov-no', nos: 'cov-no', err: 'cov-err' };
    [].forEach.call(doc.querySelectorAll('table.heatmap tbody tr'), function (tr) {
      if (!accountOk(tr.getAttribute('data-a'))) return;
      [].forEach.call(tr.querySelectorAll('td'), function (td) { if (own(KIND, td.className)) cov[KIND[td.className]]++; });
    });
    saved.cov.forEach(function (t) { t[0].textContent = String(cov[t[0].getAttribute('data-k')]); });
    /* Not scanned: only the scope's accounts. */
    var uns = box('.v-unscanned');
    if (uns) {
      var items = [].filter.call(uns.querySelectorAll('.v-ns'), function (s) { return accountOk(s.getAttribute('data-a')); });
      var strong = uns.querySelector('strong'), nsl = uns.querySelector('.v-nsl'), nst = uns.querySelector('.v-nst');
      if (!items.length) {
        uns.classList.remove('warn');
        strong.textContent = 'Not scanned:';
        nsl.textContent = 'none of the selected accounts (' + uns.getAttribute('data-total') + ' in the organization)';
        nst.textContent = '';
      } else {
        strong.textContent = 'Not scanned (' + items.length + '):';
        nsl.textContent = '';
        items.forEach(function (s, i) { if (i) nsl.appendChild(doc.createTextNode('; ')); nsl.appendChild(s); });
        nst.textContent = state.a ? 'Scored 0.' : 'Scored 0, in the mean of the selected accounts.';
      }
    }
  }
  /* ---- the scope's evidence, coverage and scores, outside the verdict block ---- */
  function restoreViews() {
    saved.views.forEach(function (b) {
      var cur = b[0];
      if (!cur.parentNode) return;
      var fresh = b[1].cloneNode(true);
      cur.parentNode.replaceChild(fresh, cur);
      b[0] = fresh;
    });
  }
  function view(sel) { for (var i = 0; i < saved.views.length; i++) if (saved.views[i][0].matches(sel)) return saved.views[i][0]; return null; }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
  function andList(xs) { return xs.length < 2 ? xs.join('') : xs.slice(0, -1).join(', ') + ' and ' + xs[xs.length - 1]; }
  /* The incomplete-evidence callout: the scope's unscanned accounts, and its ERROR outcomes of
     the chosen region, check and severity (not the status or search filters: they would hide
     the very outcomes it warns about). ERROR rows are always in the page, never only in the island. */
  function showIncomplete(scoped) {
    var ie = view('.ov-incomplete'), narrowed = [];
    if (state.r) narrowed.push('region');
    if (state.c) narrowed.push('check');
    if (state.v) narrowed.push('severity');
    if (!ie || !(scoped || narrowed.length)) return;
    var ns = scoped ? saved.unscanned.filter(accountOk).length : +ie.getAttribute('data-ns'), err = 0;
    sections.forEach(function (sec) {
      if (!sectionOk(sec)) return;
      sec.rows.forEach(function (row) { if (row.s === 'ERROR' && accountOk(row.a) && (!state.r || row.r === state.r)) err++; });
    });
    var where = scoped ? ' in the selected accounts' : '', of = narrowed.length ? ' of the chosen ' + andList(narrowed) : '';
    var strong = ie.querySelector('strong'), t = ie.querySelector('.ie-t');
    if (ns || err) {
      strong.textContent = 'Incomplete evidence' + where + '.';
      t.textContent = (ns ? plural(ns, 'account') + ' could not be scanned; ' : '') + plural(err, 'outcome') + of + ' could not be evaluated (ERROR).';
    } else {
      ie.classList.remove('warn');
      strong.textContent = 'Evidence complete' + where + '.';
      t.textContent = 'Every account was scanned and every outcome' + of + ' evaluated (in the organization: ' + plural(+ie.getAttribute('data-ns'), 'account') + ' not scanned, ' + plural(+ie.getAttribute('data-err'), 'outcome') + ' ERROR).';
    }
  }
  /* The coverage legend's cell counts (and each trail's), and the share of accounts logged per
     region: the heat map's cells of the scope's accounts, laid out as charts.rs `region_chart`. */
  function showCoverage() {
    var hm = doc.querySelector('table.heatmap');
    if (!hm) return;
    var cells = { ok: 0, no: 0, err: 0, ne: 0 }, trails = Object.create(null), cols = [];
    [].forEach.call(hm.querySelectorAll('tbody tr'), function (tr) {
      if (!accountOk(tr.getAttribute('data-a'))) return;
      [].forEach.call(tr.querySelectorAll('td'), function (td, i) {
        var k = td.className === 'nos' ? 'no' : td.className, c = cols[i] || (cols[i] = { ok: 0, no: 0, err: 0 });
        if (own(cells, k)) cells[k]++;
        if (own(c, k)) c[k]++;
        if (k === 'ok') trails[td.textContent] = (trails[td.textContent] || 0) + 1;
      });
    });
    var lg = view('.legend-box');
    if (lg) {
      [].forEach.call(lg.querySelectorAll('[data-lg]'), function (e) { e.textContent = String(cells[e.getAttribute('data-lg')]); });
      [].forEach.call(lg.querySelectorAll('table.trails tr[data-key]'), function (tr) { var td = tr.querySelector('td.numc'); if (td) td.textContent = String(trails[tr.getAttribute('data-key')] || 0); });
      var h = lg.querySelector('h3');
      if (h) h.textContent = 'Legend (the selected accounts\' cells)';
    }
    var fig = view('#tw-ch-reg');
    if (!fig) return;
    [].forEach.call(fig.querySelectorAll('g.reg-row'), function (row, i) {
      var c = cols[i] || { ok: 0, no: 0, err: 0 }, total = c.ok + c.no + c.err, g = row.querySelector('g.segs'), val = row.querySelector('text.val');
      var region = (row.querySelector('text.lbl') || {}).textContent || '';
      [].forEach.call(g.querySelectorAll('rect:not(.track)'), function (r) { g.removeChild(r); });
      segments([['logged', 's-pass', c.ok], ['not logged', 's-fail', c.no], ['could not be read', 's-error', c.err]], total, 360).forEach(function (s) {
        g.appendChild(svgEl('rect', { 'class': s.cls, x: s.x, y: 3, width: s.w, height: 15 }, region + ' ' + s.label + ': ' + s.n + ' of ' + total));
      });
      val.textContent = (total ? Math.floor(100 * c.ok / total) + '%' : '—') + ' of ' + total;
    });
    var cap = fig.querySelector('figcaption');
    if (cap) cap.textContent = 'Share of the selected accounts whose region is logged';
  }
  /* Accounts by posture score: the scope's accounts (the score table's rows), each in the band
     of its score as the JSON report has it (selected from the island, bucketed as
     accounts.rs `histogram`, laid out as charts.rs `score_histogram`). */
  function showHistogram() {
    var fig = view('#tw-ch-hist');
    if (!fig) return;
    var S = scopes().accounts, buckets = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], unscored = 0, n = 0;
    [].forEach.call(doc.querySelectorAll('table.scores tbody tr'), function (tr) {
      var a = tr.getAttribute('data-a');
      if (!accountOk(a)) return;
      n++;
      var sc = own(S, a) ? S[a] : null, v = sc ? parseFloat(sc.score) : NaN;
      if (!sc || sc.gc === 'sc-none' || isNaN(v)) unscored++; else buckets[Math.min(9, Math.floor(v / 10))]++;
    });
    var max = Math.max.apply(null, buckets.concat([1]));
    var bars = fig.querySelectorAll('g.hb'), labels = [];
    [].forEach.call(bars, function (g, i) {
      var count = buckets[i], h = 120 * count / max, y = r2(130 - h), label = g.getAttribute('data-label'), rect = g.querySelector('rect');
      labels.push(label + ': ' + count);
      g.replaceChild(svgEl('rect', { 'class': rect.getAttribute('class'), x: 4, y: y, width: 48, height: r2(h) }, 'score ' + label + ': ' + count + ' accounts'), rect);
      var val = g.querySelector('text.val');
      if (val) g.removeChild(val);
      if (count) {
        val = svgEl('text', { 'class': 'val', x: 28, y: r2(y - 4), 'text-anchor': 'middle' });
        val.textContent = String(count);
        g.insertBefore(val, g.querySelector('text.lbl'));
      }
    });
    var title = fig.querySelector('svg > title');
    if (title) title.textContent = 'Number of the selected accounts per score band: ' + labels.join(', ');
    var uns = fig.querySelector('.hist-uns');
    if (uns) uns.textContent = ': the ' + plural(n, 'selected account') + (unscored ? ' (' + unscored + ' without a score)' : '');
  }
  /* The OU tree: the chosen OU (`sel`) and the units above it, and the units holding the chosen
     account (`path`), root first; nothing is hidden. */
  function showTree() {
    var tree = doc.querySelector('table.ou-tree');
    if (!tree) return;
    var rows = Object.create(null), path = Object.create(null);
    [].forEach.call(tree.querySelectorAll('tr.ou'), function (tr) { rows[tr.getAttribute('data-ou')] = tr; });
    function up(id) {
      for (var guard = 0; id && rows[id] && !path[id] && guard < 10000; guard++) {
        path[id] = true;
        var th = rows[id].querySelector('th[data-parent]');
        id = th ? th.getAttribute('data-parent') : null;
      }
    }
    if (state.ou && rows[state.ou]) { var th = rows[state.ou].querySelector('th[data-parent]'); if (th) up(th.getAttribute('data-parent')); }
    if (state.a) [].forEach.call(tree.querySelectorAll('a[data-sa]'), function (a) { if (a.getAttribute('data-sa') === state.a) up(a.closest('tr.ou').getAttribute('data-ou')); });
    [].forEach.call(tree.querySelectorAll('tr.ou'), function (tr) {
      var id = tr.getAttribute('data-ou'), sel = !!state.ou && id === state.ou, link = tr.querySelector('a.scope-link[data-ou]');
      tr.classList.toggle('sel', sel);
      tr.classList.toggle('path', !sel && path[id] === true);
      if (link) { if (sel) link.setAttribute('aria-current', 'true'); else link.removeAttribute('aria-current'); }
    });
    [].forEach.call(tree.querySelectorAll('a[data-sa]'), function (a) {
      var sel = !!state.a && a.getAttribute('data-sa') === state.a;
      a.classList.toggle('sel', sel);
      if (sel) a.setAttribute('aria-current', 'true'); else a.removeAttribute('aria-current');
    });
  }
  function showScopeExtras() {
    restoreViews();
    showTree();
    var scoped = !!(state.a || inUnit);
    showIncomplete(scoped);
    if (!scoped) return;
    showCoverage();
    showHistogram();
  }
  function showNote(sc) {
    var note = doc.getElementById('tw-scope-note');
    if (!note) return;
    var narrowing = !!(state.r || state.c || state.v || state.s || state.q);
    note.hidden = !(sc || narrowing || state.ou || state.a);
    if (note.hidden) return;
    var who = sc ? sc.label : (state.a || state.ou) ? 'the selected accounts' : 'the whole organization';
    var scoped = !!(state.a || inUnit);
    note.textContent = 'Scope: ' + who + '. Grade, score and framework control verdicts: ' + (sc ? 'this scope\'s' : scoped ? 'the organization\'s (no score for this choice)' : 'the organization\'s') + ', as the JSON report computed them' +
      (scoped ? '; the failing checks, not-scanned accounts and coverage line of the verdict, the incomplete-evidence warning, each check\'s counts and badge, the score table and histogram, the coverage map, legend and per-region chart: its accounts\' (counted); the OU tree marks where it is' : '') +
      (narrowing ? '. The region, check, severity, status and search filters narrow the counts (tiles, charts of outcomes) and the findings, and the region, check and severity filters the incomplete-evidence warning\'s ERROR count; not the score nor the verdicts (a score is per account × check: there is no per-region score).' : '; the count tiles and charts: ' + (scoped ? 'its outcomes.' : 'every outcome.'));
  }

  /* ---- the filter state in the address (`#ou=…&a=…&r=…&s=FAIL`), to share a filtered view ---- */
  function writeHash() {
    var parts = [];
    KEYS.forEach(function (k) { var v = k === 'q' ? state.qRaw : state[k]; if (v) parts.push(k + '=' + encodeURIComponent(v)); });
    var h = parts.length ? '#' + parts.join('&') : '';
    var cur = location.hash;
    if (cur === h || (!h && cur.indexOf('=') < 0)) return;
    try { history.replaceState(null, '', h || location.pathname + location.search); } catch (e) { location.hash = h; }
  }
  function fromHash() {
    var h = location.hash.replace(/^#/, '');
    if (!form || h.indexOf('=') < 0) return false;
    var vals = Object.create(null);
    h.split('&').forEach(function (p) {
      var i = p.indexOf('=');
      if (i <= 0) return;
      try { vals[p.slice(0, i)] = decodeURIComponent(p.slice(i + 1)); } catch (e) { /* not ours */ }
    });
    KEYS.forEach(function (k) {
      var e = form.elements[k];
      if (!e) return;
      var v = vals[k] === undefined ? '' : vals[k];
      e.value = v;
      if (e.value !== v) e.value = '';
    });
    return true;
  }

  var wasOn = false;
  function apply() {
    read();
    var on = active(), shown = 0;
    if (on || wasOn) writeHash();
    if (!on && !wasOn) {
      /* Nothing filtered before or now: every row is already shown. */
      if (countOut) countOut.textContent = total + ' outcomes';
      return;
    }
    wasOn = on;
    saveOriginals();
    var all = counts(), bySev = {};
    sections.forEach(function (sec) {
      var ok = sectionOk(sec), attShown = 0, pgShown = 0;
      var sev = bySev[sec.v] || (bySev[sec.v] = counts());
      sec.rows.forEach(function (row) {
        var m = ok && rowOk(sec, row);
        row.tr.hidden = !m;
        if (m) {
          if (row.tr.closest('details.pg')) pgShown++; else attShown++;
          tally(all, row.s, row.sup);
          tally(sev, row.s, row.sup);
        }
      });
      if (sec.lazy) {
        sec.matches = null;
        var lazyRows = lazyMatches(sec);
        pgShown += lazyRows.length;
        lazyRows.forEach(function (r) { tally(all, SS[r[4]], false); tally(sev, SS[r[4]], false); });
        if (sec.pg.open) drawLazy(sec, false);
      }
      if (sec.att) sec.att.hidden = attShown === 0;
      if (sec.pg) {
        var n = +sec.pg.getAttribute('data-n');
        sec.pg.querySelector('.pgc').textContent = on ? pgShown + ' of ' + n : String(n);
        sec.pg.hidden = on && pgShown === 0;
        var want = on && pgShown > 0 && (state.s === 'PASS' || state.s === 'NOT_APPLICABLE' || !!state.q);
        if (want && !sec.pg.open) { sec.auto = true; sec.pg.open = true; if (sec.lazy) drawLazy(sec, false); }
        else if (!want && sec.auto) { sec.auto = false; sec.pg.open = false; }
      }
      sec.el.hidden = on && attShown + pgShown === 0;
      shown += attShown + pgShown;
    });
    [].forEach.call(doc.querySelectorAll('table.heatmap tbody tr, table.scores tbody tr'), function (tr) {
      tr.hidden = !accountOk(tr.getAttribute('data-a'));
    });
    /* Fix groups: the whole change's numbers; a group with no account in the scope is hidden. */
    [].forEach.call(doc.querySelectorAll('table.v-fixes tbody tr[data-accts]'), function (tr) {
      tr.hidden = !tr.getAttribute('data-accts').split(' ').some(accountOk);
    });
    if (on) showCounts(all, bySev); else restoreCounts();
    var sc = on ? chosenScope() : null;
    showScope(sc);
    showScopeView(sc);
    showScopeExtras();
    showNote(sc);
    if (countOut) countOut.textContent = on ? shown + ' of ' + total + ' outcomes match' : total + ' outcomes';
    doc.documentElement.setAttribute('data-filtered', on ? '1' : '0');
    doc.documentElement.setAttribute('data-scope', sc ? (state.a && own(scopes().accounts, state.a) ? 'a:' + state.a : 'ou:' + state.ou) : '');
  }

  doc.addEventListener('toggle', function (e) {
    var t = e.target;
    if (!t || !t.matches) return;
    if (t.matches('details[data-e]') && t.open) fillEvidence(t);
    if (t.matches('details.pg')) {
      var sec = sections.filter(function (s) { return s.pg === t; })[0];
      if (sec && t.open && sec.lazy && sec.drawn === 0) drawLazy(sec, false);
      if (sec && !t.open) sec.auto = false;
    }
  }, true);

  if (form) {
    var timer = null;
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    form.addEventListener('change', apply);
    form.addEventListener('input', function (e) {
      if (e.target.name !== 'q') return;
      clearTimeout(timer);
      timer = setTimeout(apply, 120);
    });
    form.addEventListener('reset', function () { setTimeout(apply, 0); });
    /* The OU table's names and accounts choose the scope (a plain fragment link without the script). */
    doc.addEventListener('click', function (e) {
      var link = e.target && e.target.closest ? e.target.closest('a.scope-link') : null;
      if (!link) return;
      e.preventDefault();
      if (link.hasAttribute('data-ou') && form.elements.ou) { form.elements.ou.value = link.getAttribute('data-ou'); form.elements.a.value = ''; }
      if (link.hasAttribute('data-sa')) form.elements.a.value = link.getAttribute('data-sa');
      apply();
      var ov = doc.getElementById('overview');
      if (ov && ov.scrollIntoView) ov.scrollIntoView();
    });
    window.addEventListener('hashchange', function () { if (fromHash()) apply(); });
    form.hidden = false;
    fromHash();
    apply();
  }

  /* Print: open what a paper copy needs (the fixes; evidence and decisions are not printed);
     close them again afterwards. */
  var reopened = [];
  window.addEventListener('beforeprint', function () {
    [].forEach.call(doc.querySelectorAll('details.fix'), function (d) {
      if (!d.open) { d.open = true; reopened.push(d); }
    });
  });
  window.addEventListener('afterprint', function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  window.__twReady = performance.now();
})();
