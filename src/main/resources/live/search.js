// The search panel: GET /api/events over the printed history (docs/search.md). Every text from a
// record goes in with textContent (values are whatever the database holds); values are shown as the
// API gives them in "columns" and "printed", the JSON text as printed (JSON.parse would round numbers).
(function () {
  'use strict';
  var form = document.getElementById('search-form');
  if (!form) { return; }
  var results = document.querySelector('#search-results tbody');
  var more = document.getElementById('search-more');
  var status = document.getElementById('search-status');
  var note = document.getElementById('search-note');
  var view = document.getElementById('search-event');
  var next = null;
  var lastQuery = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function query(before) {
    var p = new URLSearchParams();
    ['table', 'key', 'op', 'from', 'to'].forEach(function (name) {
      var v = form.elements[name].value.trim();
      if (v) { p.set(name, v); }
    });
    p.set('limit', '50');
    if (before) { p.set('before', before); }
    return p;
  }

  function ask(params) {
    return fetch('/api/events?' + params.toString(), { headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); });
  }

  function keyText(hit) {
    if (hit.key === null || hit.key === undefined) { return hit.printedKey || ''; }
    return JSON.stringify(hit.key);
  }

  function row(hit) {
    var tr = el('tr', 'hit');
    tr.appendChild(el('td', 'time', hit.ts));
    tr.appendChild(el('td', 'table', hit.table));
    var op = el('td');
    op.appendChild(el('span', 'op op-' + (hit.op === 'tombstone' ? 'tomb' : hit.op), hit.op));
    tr.appendChild(op);
    tr.appendChild(el('td', 'key', keyText(hit)));
    tr.appendChild(el('td', 'pos', hit.topic + ' / ' + hit.partition + ' / ' + hit.offset));
    tr.addEventListener('click', function () {
      Array.prototype.forEach.call(results.querySelectorAll('tr.open'), function (o) { o.classList.remove('open'); });
      tr.classList.add('open');
      show(hit);
    });
    return tr;
  }

  function show(hit) {
    view.textContent = '';
    var head = el('div', 'search-event-head');
    head.appendChild(el('span', 'op op-' + (hit.op === 'tombstone' ? 'tomb' : hit.op), hit.op));
    head.appendChild(el('strong', null, ' ' + hit.table + ' '));
    head.appendChild(el('span', 'key', keyText(hit)));
    head.appendChild(el('span', 'muted', ' ' + hit.ts + ' \u00b7 ' + hit.topic + ' partition ' + hit.partition
      + ' offset ' + hit.offset + ' \u00b7 ' + hit.file + ' byte ' + hit.byte));
    view.appendChild(head);
    if (hit.op === 'tombstone') {
      view.appendChild(el('div', 'muted', 'tombstone (null value) for key ' + hit.printedKey));
      return;
    }
    if (hit.changed === null) {
      view.appendChild(el('div', 'muted', 'before is null (the table has no REPLICA IDENTITY FULL): changed columns cannot be told'));
    }
    var t = el('table', 'search-cols');
    var hr = el('tr');
    ['column', 'before', 'after'].forEach(function (h) { hr.appendChild(el('th', null, h)); });
    t.appendChild(el('thead')).appendChild(hr);
    var body = t.appendChild(el('tbody'));
    hit.columns.forEach(function (c) {
      var tr = el('tr', c.changed ? 'changed' : null);
      tr.appendChild(el('td', 'name', c.name + (c.changed ? ' \u25cf' : '')));
      tr.appendChild(el('td', 'before', c.before === null ? '' : c.before));
      tr.appendChild(el('td', 'after', c.after === null ? '' : c.after));
      body.appendChild(tr);
    });
    view.appendChild(t);
    var details = el('details');
    details.appendChild(el('summary', null, 'whole envelope (as printed)'));
    details.appendChild(el('pre', 'envelope', hit.printed));
    view.appendChild(details);
  }

  function run(before) {
    var params = before ? lastQuery : query(null);
    if (!before) { lastQuery = params; }
    var p = new URLSearchParams(params);
    if (before) { p.set('before', before); }
    note.textContent = 'searching\u2026';
    more.disabled = true;
    ask(p).then(function (a) {
      if (a[0] !== 200) {
        note.textContent = (a[0] === 400 ? 'Bad search: ' : 'Search unavailable: ') + (a[1].error || a[0]);
        note.className = 'note bad';
        return;
      }
      note.className = 'note';
      if (!before) { results.textContent = ''; view.textContent = ''; }
      a[1].events.forEach(function (hit) { results.appendChild(row(hit)); });
      var shown = results.querySelectorAll('tr').length;
      note.textContent = shown + (shown === 1 ? ' event' : ' events') + ' shown, newest first, of '
        + a[1].indexed + ' indexed \u00b7 ' + a[1].tookMillis.toFixed(1) + ' ms' + (a[1].warning ? ' \u00b7 ' + a[1].warning : '');
      next = a[1].next;
      more.hidden = !next;
      more.disabled = false;
    }).catch(function (e) {
      note.textContent = 'Search unavailable: ' + e;
      note.className = 'note bad';
    });
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); run(null); });
  more.addEventListener('click', function () { if (next) { run(next); } });

  // a line when search cannot answer (off, index not written), else how much it holds
  ask(new URLSearchParams({ limit: '1' })).then(function (a) {
    if (a[0] !== 200) {
      status.textContent = 'Search unavailable: ' + (a[1].error || a[0]);
      status.className = 'bad';
    } else {
      status.textContent = a[1].indexed + ' events indexed' + (a[1].warning ? ' \u00b7 ' + a[1].warning : '');
      if (a[1].warning) { status.className = 'bad'; }
    }
  }).catch(function (e) { status.textContent = 'Search unavailable: ' + e; status.className = 'bad'; });
})();
