/* trailwarden HTML report: filters, search, evidence on demand, print preparation.
   Progressive enhancement only: without this script the page is complete and readable.
   Data from the report is only ever written with textContent, never parsed as HTML. */
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
  var state = { a: '', r: '', c: '', v: '', s: '', q: '' };
  function active() { return !!(state.a || state.r || state.c || state.v || state.s || state.q); }
  function read() {
    if (!form) return;
    ['a', 'r', 'c', 'v', 's'].forEach(function (k) { state[k] = form.elements[k].value; });
    state.q = form.elements.q.value.trim().toLowerCase();
  }

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
    if (state.a && row.a !== state.a) return false;
    if (state.r && row.r !== state.r) return false;
    if (!statusOk(row.s, row.sup)) return false;
    return !state.q || sec.head.indexOf(state.q) >= 0 || textOf(row).indexOf(state.q) >= 0;
  }
  /* A lazy row: [account, region (-1: none), resource, message, status, evidence] as string ids. */
  function dataOk(sec, r) {
    var d = island();
    if (state.a && d.strings[r[0]] !== state.a) return false;
    if (state.r && (r[1] < 0 ? '-' : d.strings[r[1]]) !== state.r) return false;
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
    tr.setAttribute('data-r', region === null ? '-' : region);
    tr.setAttribute('data-s', SS[r[4]]);
    var td = el('td');
    td.appendChild(el('span', 'st ' + SC[r[4]], SL[r[4]]));
    tr.appendChild(td);
    td = el('td', 'acct', acct);
    if (own(d.names, acct)) td.appendChild(el('span', 'an', d.names[acct]));
    tr.appendChild(td);
    td = el('td');
    if (region === null) td.appendChild(el('span', 'muted', 'account-wide')); else td.textContent = region;
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

  var wasOn = false;
  function apply() {
    read();
    var on = active(), shown = 0;
    if (!on && !wasOn) {
      /* Nothing filtered before or now: every row is already shown. */
      if (countOut) countOut.textContent = total + ' outcomes';
      return;
    }
    wasOn = on;
    sections.forEach(function (sec) {
      var ok = sectionOk(sec), attShown = 0, pgShown = 0;
      sec.rows.forEach(function (row) {
        var m = ok && rowOk(sec, row);
        row.tr.hidden = !m;
        if (m) { if (row.tr.closest('details.pg')) pgShown++; else attShown++; }
      });
      if (sec.lazy) {
        sec.matches = null;
        pgShown += lazyMatches(sec).length;
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
      tr.hidden = !!state.a && tr.getAttribute('data-a') !== state.a;
    });
    if (countOut) countOut.textContent = on ? shown + ' of ' + total + ' outcomes match' : total + ' outcomes';
    doc.documentElement.setAttribute('data-filtered', on ? '1' : '0');
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
    form.hidden = false;
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
