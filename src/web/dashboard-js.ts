// The dashboard's only script, served at /-/dashboard.js (pages carry no inline script). On a
// run page that is queued or running it polls the JSON API every 2 s and updates states; on a
// log page of a running job it appends lines from the SSE endpoint, and on a long recorded one
// "load more" appends the next range as lines; on a commit list, "older commits" appends the
// next page's rows. Log text is only ever inserted as text nodes
// (textContent); rows are the server's own, escaped there and parsed into an inert document,
// never assigned as markup.

/** The JavaScript text. */
export const DASHBOARD_JS = `'use strict';
(function () {
  var body = document.body;
  var PILL = { passed: 'ok', failed: 'bad', error: 'bad', running: 'busy', queued: 'busy', pending: 'busy', canceled: 'off', skipped: 'off' };
  function setPill(el, state) {
    if (!el) return;
    var word = state || 'none';
    el.className = 'pill ' + (PILL[word] || 'off');
    el.dataset.state = word;
    el.textContent = word;
  }
  function duration(ms) {
    if (ms === null || ms === undefined) return '\\u2013';
    var s = ms / 1000;
    if (s < 10) return s.toFixed(1) + 's';
    if (s < 60) return Math.round(s) + 's';
    var m = Math.floor(s / 60), r = Math.round(s % 60);
    return m + 'm' + (r < 10 ? '0' : '') + r + 's';
  }

  function followRun() {
    var api = body.dataset.api;
    var known = {};
    document.querySelectorAll('tr[data-job]').forEach(function (tr) { known[tr.dataset.job] = tr; });
    function poll() {
      fetch(api, { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (v) {
        var s = v.status || {};
        var jobs = s.jobs || [];
        var unknown = jobs.some(function (j) { return !known[j.name]; });
        if ((s.state !== 'queued' && s.state !== 'running') || unknown) { location.reload(); return; }
        setPill(document.querySelector('.headline h1 .pill'), s.state);
        jobs.forEach(function (j) {
          var tr = known[j.name];
          setPill(tr.querySelector('[data-field=state] .pill'), j.state);
          tr.querySelector('[data-field=duration]').textContent = duration(j.durationMs);
          tr.querySelector('[data-field=exit]').textContent = j.exitCode === null ? '' : String(j.exitCode);
        });
        setTimeout(poll, 2000);
      }, function () { setTimeout(poll, 2000); });
    }
    setTimeout(poll, 2000);
  }

  // SGR colours as in src/web/ansi.ts, building elements rather than markup.
  var ESC = /\\x1b\\[([0-9;:?]*)([\\x40-\\x7e])|\\x1b\\][^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)?|\\x1b[@-_]?/g;
  var style = { fg: null, bold: false };
  function sgr(params) {
    var codes = params === '' ? [0] : params.split(/[;:]/).map(function (p) { return p === '' ? 0 : Number(p); });
    for (var i = 0; i < codes.length; i++) {
      var c = codes[i];
      if (c === 0) style = { fg: null, bold: false };
      else if (c === 1) style.bold = true;
      else if (c === 22) style.bold = false;
      else if (c === 39) style.fg = null;
      else if ((c >= 30 && c <= 37) || (c >= 90 && c <= 97)) style.fg = c;
      else if (c === 38 || c === 48) i += codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 1;
    }
  }
  function addText(parent, text) {
    text = text.replace(/[\\x00-\\x08\\x0b-\\x1f\\x7f]/g, '');
    if (!text) return;
    var cls = [style.fg !== null ? 'fg' + style.fg : '', style.bold ? 'b' : ''].filter(Boolean).join(' ');
    if (!cls) { parent.appendChild(document.createTextNode(text)); return; }
    var span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    parent.appendChild(span);
  }

  // One log line as the server renders it: a numbered, linkable row of text nodes and spans.
  function appendLine(log, number, text) {
    var line = document.createElement('div');
    line.className = 'line';
    line.id = 'L' + number;
    var ln = document.createElement('a');
    ln.className = 'ln';
    ln.href = '#L' + number;
    ln.textContent = String(number);
    var tx = document.createElement('span');
    tx.className = 'tx';
    var last = 0, m;
    ESC.lastIndex = 0;
    while ((m = ESC.exec(text)) !== null) {
      addText(tx, text.slice(last, m.index));
      last = m.index + m[0].length;
      if (m[2] === 'm') sgr(m[1] || '');
      if (m[0].length === 0) ESC.lastIndex++;
    }
    addText(tx, text.slice(last));
    line.appendChild(ln);
    line.appendChild(tx);
    log.appendChild(line);
  }

  function followLog() {
    var log = document.getElementById('log');
    var offset = Number(body.dataset.offset) || 0;
    var count = Number(body.dataset.lines) || 0;
    var badge = document.getElementById('live');
    var source = new EventSource(body.dataset.follow);
    source.onmessage = function (e) {
      var at = Number(e.lastEventId);
      // The stream starts at byte 0: skip what the server already rendered.
      if (at && at <= offset) return;
      if (at) offset = at;
      var stick = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 40;
      count += 1;
      appendLine(log, count, e.data);
      body.dataset.lines = String(count);
      if (stick) window.scrollTo(0, document.documentElement.scrollHeight);
    };
    source.addEventListener('end', function () {
      source.close();
      if (badge) { badge.textContent = 'finished'; badge.className = 'live done'; }
      body.dataset.ended = 'true';
      // The job's final state: the recorded run says it (the record is written as the run ends).
      fetch(body.dataset.run, { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (v) {
        var job = ((v.status || {}).jobs || []).filter(function (j) { return j.name === body.dataset.job; })[0];
        if (job) setPill(document.querySelector('.headline h1 .pill'), job.state);
      }, function () {});
    });
  }

  // A recorded log past its first MiB: the link is the raw text; with the script the next range
  // is appended as lines (whole lines only: a line cut by the range comes with the next one).
  function loadMoreLog() {
    var log = document.getElementById('log');
    var a = document.querySelector('a.load-more-log');
    var count = Number(body.dataset.lines) || 0;
    a.addEventListener('click', function (e) {
      e.preventDefault();
      if (a.dataset.loading === 'true') return;
      a.dataset.loading = 'true';
      var offset = Number(a.dataset.offset);
      fetch(a.href, { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        var complete = r.headers.get('x-log-complete') === 'true';
        return r.arrayBuffer().then(function (buffer) { return { bytes: new Uint8Array(buffer), complete: complete }; });
      }).then(function (got) {
        var cut = got.bytes.length;
        if (!got.complete) {
          cut = got.bytes.lastIndexOf(10) + 1;
          if (cut === 0) cut = got.bytes.length;
        }
        var text = new TextDecoder().decode(got.bytes.subarray(0, cut));
        var lines = text.split('\\n');
        if (lines[lines.length - 1] === '') lines.pop();
        lines.forEach(function (line) { count += 1; appendLine(log, count, line.replace(/\\r$/, '')); });
        body.dataset.lines = String(count);
        offset += cut;
        a.dataset.loading = 'false';
        if (got.complete && cut === got.bytes.length) {
          a.parentNode.parentNode.removeChild(a.parentNode);
          return;
        }
        a.dataset.offset = String(offset);
        a.setAttribute('href', a.href.replace(/offset=\\d+/, 'offset=' + offset));
        a.textContent = 'load more (from byte ' + offset + ')';
      }, function (err) {
        a.dataset.loading = 'false';
        a.textContent = 'load more (failed: ' + err.message + '; try again)';
      });
    });
  }

  // The link is a plain link to the next page; with the script its rows are appended here instead.
  function loadOlderCommits() {
    var tbody = document.querySelector('table.commits tbody');
    var shown = {};
    tbody.querySelectorAll('tr[data-commit]').forEach(function (tr) { shown[tr.dataset.commit] = true; });
    document.addEventListener('click', function (e) {
      var a = e.target.closest ? e.target.closest('a.load-more') : null;
      if (!a) return;
      e.preventDefault();
      if (a.dataset.loading === 'true') return;
      a.dataset.loading = 'true';
      a.textContent = 'Loading older commits\u2026';
      fetch(a.href, { cache: 'no-store', credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.text();
      }).then(function (html) {
        // DOMParser's document runs nothing and loads nothing: rows are moved from it as nodes.
        var page = new DOMParser().parseFromString(html, 'text/html');
        page.querySelectorAll('table.commits tbody tr').forEach(function (tr) {
          // A push since this page was read moves commits down: one already shown is not repeated.
          if (tr.dataset.commit && shown[tr.dataset.commit]) return;
          if (tr.dataset.commit) shown[tr.dataset.commit] = true;
          else if (!tr.classList.contains('error-row')) return;
          tbody.appendChild(document.importNode(tr, true));
        });
        var next = page.querySelector('a.load-more');
        a.dataset.loading = 'false';
        if (next) {
          a.setAttribute('href', next.getAttribute('href'));
          a.textContent = next.textContent;
        } else {
          a.parentNode.parentNode.removeChild(a.parentNode);
        }
        body.dataset.rows = String(tbody.querySelectorAll('tr[data-commit]').length);
      }, function (err) {
        a.dataset.loading = 'false';
        a.textContent = 'Older commits (loading failed: ' + err.message + '; try again)';
      });
    });
  }

  if (body.dataset.page === 'run' && body.dataset.live === 'true') followRun();
  if (body.dataset.page === 'log' && document.querySelector('a.load-more-log')) loadMoreLog();
  if (body.dataset.page === 'commits' && document.querySelector('a.load-more')) loadOlderCommits();
  if (body.dataset.page === 'log' && body.dataset.live === 'true') followLog();
})();
`;
