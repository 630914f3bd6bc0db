// cdc-camel live view: one EventSource, one message every few hundred ms; every value is set
// with textContent (the data is whatever the database holds), and the list is capped.
(function () {
  'use strict';
  var MAX_ROWS = 200;
  var MAX_BUFFERED = 200;
  var paused = false;
  var buffered = [];
  var missedWhilePaused = 0;
  var skippedTotal = 0;
  var knownTables = {};
  var lastMessage = null;
  // whether this page holds the API token (an HttpOnly cookie it cannot read): false until /live/access says so
  var canAct = false;
  var READ_ONLY = 'Read-only: the buttons need the API token. Open the link the app printed at its start '
    + '(Live view  http://127.0.0.1:8090/?token=...), or run: echo "' + location.origin + '/?token=$(cat data/api-token)"';

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } return e; }
  function fmt(n) { return n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'); }
  function time(ms) {
    if (!ms) { return ''; }
    var d = new Date(ms);
    return d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }
  function ago(ms, now) {
    if (!ms) { return 'never'; }
    var s = Math.max(0, Math.round((now - ms) / 1000));
    return s < 60 ? s + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
  }
  function duration(s) {
    if (s < 0 || s === undefined) { return 'unknown'; }
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  // ---- change stream ---------------------------------------------------------------------
  function selectedOps() {
    var ops = {};
    document.querySelectorAll('#filter-ops input').forEach(function (c) { ops[c.value] = c.checked; });
    return ops;
  }
  function visible(li, ops, table) {
    var shown = ops[li.dataset.op];
    return (shown === undefined || shown) && (!table || li.dataset.table === table);
  }
  function applyFilter() {
    var ops = selectedOps();
    var table = $('filter-table').value;
    document.querySelectorAll('#events > li').forEach(function (li) {
      li.style.display = visible(li, ops, table) ? '' : 'none';
    });
  }

  function eventItem(ev) {
    var li = el('li', 'fresh');
    li.dataset.table = ev.table;
    li.dataset.op = ev.op;
    li.dataset.key = ev.key || '';
    var head = el('div', 'ev-head');
    head.appendChild(el('span', 'time', time(ev.timestamp)));
    head.appendChild(el('span', 'op op-' + ev.op, ev.op));
    head.appendChild(el('span', 'table', ev.table));
    head.appendChild(el('span', 'key', ev.key));
    head.appendChild(el('span', 'pos', 'p' + ev.partition + ' @' + ev.offset));
    li.appendChild(head);
    if (ev.columns && ev.columns.length) {
      var t = el('table', 'cols');
      var showBefore = ev.op === 'u' || ev.op === 'd' || ev.op === 'invalid';
      ev.columns.forEach(function (c) {
        var tr = el('tr', c.changed && ev.op === 'u' ? 'changed' : '');
        tr.appendChild(el('td', 'name', c.name));
        if (ev.op === 'u') {
          tr.appendChild(el('td', 'before', c.before === null ? 'null' : c.before));
          tr.appendChild(el('td', 'arrow', '\u2192'));
          tr.appendChild(el('td', 'after', c.after === null ? 'null' : c.after));
        } else {
          var v = showBefore && ev.op === 'd' ? c.before : c.after;
          tr.appendChild(el('td', 'after', v === null || v === undefined ? 'null' : v));
        }
        t.appendChild(tr);
      });
      li.appendChild(t);
    }
    if (ev.note) { li.appendChild(el('div', 'note', ev.note)); }
    return li;
  }

  function addEvents(events) {
    if (!events.length) { return; }
    var list = $('events');
    var ops = selectedOps();
    var table = $('filter-table').value;
    var frag = document.createDocumentFragment();
    // newest first: the message holds them oldest first
    for (var i = events.length - 1; i >= 0; i--) {
      var li = eventItem(events[i]);
      if (!visible(li, ops, table)) { li.style.display = 'none'; }
      frag.appendChild(li);
    }
    list.insertBefore(frag, list.firstChild);
    while (list.children.length > MAX_ROWS) { list.removeChild(list.lastChild); }
  }

  function streamNote() {
    var parts = [];
    if (paused) { parts.push('paused: ' + buffered.length + ' new held' + (missedWhilePaused ? ', ' + fmt(missedWhilePaused) + ' more not held' : '')); }
    if (skippedTotal) { parts.push(fmt(skippedTotal) + ' events not shown (more than the page is sent per update; counted below)'); }
    $('stream-note').textContent = parts.join(' \u00b7 ');
  }

  // ---- panels ----------------------------------------------------------------------------
  function renderTables(tables, now) {
    var body = clear(document.querySelector('#tables tbody'));
    var select = $('filter-table');
    Object.keys(tables).forEach(function (name) {
      var s = tables[name];
      var tr = el('tr');
      tr.dataset.table = name;
      var totals = s.totals || {};
      var other = 0;
      Object.keys(totals).forEach(function (op) { if ('cudr'.indexOf(op) < 0) { other += totals[op]; } });
      tr.appendChild(el('td', '', name));
      tr.appendChild(el('td', 'num', s.rate));
      ['c', 'u', 'd', 'r'].forEach(function (op) { tr.appendChild(el('td', 'num', fmt(totals[op] || 0))); });
      tr.appendChild(el('td', 'num', fmt(other)));
      var last = el('td', '', ago(s.lastEvent, now));
      last.title = time(s.lastEvent);
      tr.appendChild(last);
      var again = el('td');
      var snap = el('button', 'snapshot', 'Snapshot');
      snap.title = 'Debezium reads ' + name + ' again: its rows are printed as op r, streaming goes on';
      snap.disabled = !canAct;
      if (!canAct) { snap.title = READ_ONLY; }
      snap.addEventListener('click', function () { snapshotTable(name); });
      again.appendChild(snap);
      tr.appendChild(again);
      body.appendChild(tr);
      if (!knownTables[name]) {
        knownTables[name] = true;
        select.appendChild(el('option', '', name)).value = name;
      }
    });
  }

  function renderLag(lag) {
    var body = clear(document.querySelector('#lag tbody'));
    if (!lag || lag.error) {
      if (lag && lag.error) { var tr = el('tr'); var td = el('td', '', lag.error); td.colSpan = 4; tr.appendChild(td); body.appendChild(tr); }
      return;
    }
    $('lag-group').textContent = 'group ' + lag.group + ': ' + fmt(lag.records) + ' records, ' + lag.seconds.toFixed(1) + ' s';
    lag.partitions.forEach(function (p) {
      var tr = el('tr');
      tr.appendChild(el('td', '', p.topic));
      tr.appendChild(el('td', 'num', p.partition));
      tr.appendChild(el('td', 'num', (p.exact ? '' : '\u2264') + fmt(p.records)));
      tr.appendChild(el('td', 'num', (p.exact ? '' : '\u2265') + p.seconds.toFixed(1)));
      body.appendChild(tr);
    });
  }

  function renderConnector(c) {
    var box = clear($('connector'));
    if (!c) { return; }
    $('connector-name').textContent = c.name || '';
    var line = el('div');
    line.appendChild(el('span', 'state ' + c.state, c.state));
    if (c.worker) { line.appendChild(el('span', 'muted', ' on ' + c.worker)); }
    if (c.restarts) { line.appendChild(el('span', 'muted', ', ' + c.restarts + ' restart(s) seen')); }
    box.appendChild(line);
    if (c.error) { box.appendChild(el('div', 'note', c.error)); }
    if (c.trace) { box.appendChild(el('pre', 'trace', c.trace)); }
    (c.tasks || []).forEach(function (t) {
      var tl = el('div');
      tl.appendChild(el('span', '', 'task ' + t.id + ' '));
      tl.appendChild(el('span', 'state ' + t.state, t.state));
      tl.appendChild(el('span', 'muted', (t.worker ? ' on ' + t.worker : '') + (t.restarts ? ', ' + t.restarts + ' restart(s) seen' : '')));
      box.appendChild(tl);
      if (t.trace) { box.appendChild(el('pre', 'trace', t.trace)); }
    });
  }

  // [status, body]: the API answers JSON, the guard's refusal is a line of text
  function answer(r) {
    return r.text().then(function (t) {
      var b;
      try { b = JSON.parse(t); } catch (e) { b = { error: t.trim() }; }
      return [r.status, b];
    });
  }

  function snapshotTable(name) {
    $('tables-note').textContent = 'snapshot of ' + name + '\u2026';
    fetch('/api/tables/' + encodeURIComponent(name) + '/snapshot', { method: 'POST' })
      .then(answer)
      .then(function (a) {
        $('tables-note').textContent = a[0] === 202 ? a[1].snapshot + ' snapshot of ' + name + ' asked for'
          : name + ': ' + (a[1].error || a[0]);
      })
      .catch(function (e) { $('tables-note').textContent = name + ': ' + e; });
  }

  // each captured table's snapshot job (GET /api/tables): a failed one in red with its reason and a retry button
  function renderJobs(jobs) {
    var box = clear($('table-jobs'));
    if (!jobs) { return; }
    if (jobs.error) { box.appendChild(el('div', 'note', jobs.error)); return; }
    (jobs.tables || []).forEach(function (j) {
      if (j.state === 'captured') { return; }
      var line = el('div', 'job');
      line.dataset.table = j.table;
      line.dataset.state = j.state;
      var failed = j.state === 'failed';
      line.appendChild(el('span', failed ? 'state FAILED' : 'muted', 'snapshot of ' + j.table + ': ' + j.state
        + (j.state === 'done' ? ' (' + fmt(j.rows) + ' rows)' : '')));
      if (failed) {
        line.appendChild(el('div', 'note', j.reason || ''));
      } else if (j.lastActivity && j.state !== 'done') {
        line.appendChild(el('span', 'muted', ' \u00b7 ' + j.lastActivity));
      }
      if (failed) {
        var retry = el('button', 'snapshot', 'Retry');
        retry.addEventListener('click', function () { snapshotTable(j.table); });
        line.appendChild(retry);
      }
      box.appendChild(line);
    });
  }

  function renderSlot(slot) {
    var box = $('slot');
    if (!box) { return; }
    clear(box);
    if (!slot) { return; }
    if (slot.error) { box.appendChild(el('div', 'note', slot.error)); return; }
    if (!slot.exists) { box.appendChild(el('span', 'muted', 'slot ' + slot.slot + ': not created yet')); return; }
    var over = slot.retainedBytes > slot.maxRetainedBytes || slot.walStatus === 'lost';
    box.appendChild(el('span', over ? 'state FAILED' : 'muted', 'slot ' + slot.slot + ': '
      + (slot.retainedBytes < 0 ? 'no WAL held' : (slot.retainedBytes / 1e6).toFixed(1) + ' MB of WAL held')
      + ' (' + slot.walStatus + ', ' + (slot.active ? 'read' : 'nobody reading') + ')'));
  }

  function brokerAction(id, action) {
    $('broker-note').textContent = action + ' broker ' + id + '\u2026';
    fetch('/api/brokers/' + id + '/' + action, { method: 'POST' })
      .then(answer)
      .then(function (a) {
        $('broker-note').textContent = a[0] === 200 ? 'broker ' + id + ' ' + a[1].state + (a[1].changed ? '' : ' (already)')
          : 'broker ' + id + ': ' + (a[1].error || a[0]);
      })
      .catch(function (e) { $('broker-note').textContent = 'broker ' + id + ': ' + e; });
  }

  function renderCluster(cluster, topics) {
    var box = clear($('brokers'));
    if (cluster && cluster.error) { box.appendChild(el('div', 'note', cluster.error)); }
    if (cluster && cluster.brokers) {
      var row = el('div', 'brokers');
      cluster.brokers.forEach(function (b) {
        var d = el('div', 'broker' + (b.up ? '' : ' down'));
        d.dataset.broker = b.id;
        d.dataset.up = b.up;
        d.appendChild(el('span', 'id', 'broker ' + b.id));
        d.appendChild(el('div', 'muted', b.up ? (b.address || 'up') : 'down'));
        if (cluster.control) {
          var btn = el('button', '', b.up ? 'Stop' : 'Start');
          btn.type = 'button';
          btn.dataset.broker = b.id;
          btn.dataset.action = b.up ? 'stop' : 'start';
          btn.disabled = !canAct;
          if (!canAct) { btn.title = READ_ONLY; }
          btn.addEventListener('click', function () { brokerAction(b.id, btn.dataset.action); });
          d.appendChild(btn);
        }
        row.appendChild(d);
      });
      box.appendChild(row);
      box.appendChild(el('div', 'muted', 'KRaft controller (quorum leader): ' + (cluster.controller === null ? 'unknown' : cluster.controller)
        + (cluster.control ? '' : ' \u00b7 brokers are stopped and started with docker in external mode')));
    }
    var parts = clear($('partitions'));
    if (topics && topics.error) { parts.appendChild(el('div', 'note', topics.error)); return; }
    (topics || []).forEach(function (t) {
      parts.appendChild(el('div', 'topic-name', t.name));
      var table = el('table');
      var head = el('tr');
      ['p', 'leader', 'replicas', 'isr'].forEach(function (h) { head.appendChild(el('th', '', h)); });
      table.appendChild(head);
      t.partitions.forEach(function (p) {
        var tr = el('tr');
        tr.appendChild(el('td', 'num', p.partition));
        tr.appendChild(el('td', 'num', p.leader < 0 ? 'none' : p.leader));
        tr.appendChild(el('td', '', p.replicas.join(',')));
        var isr = el('td', 'isr' + (p.isr.length < p.replicas.length ? ' short' : ''), p.isr.join(','));
        isr.dataset.topic = t.name;
        isr.dataset.partition = p.partition;
        tr.appendChild(isr);
        table.appendChild(tr);
      });
      parts.appendChild(table);
    });
  }

  function renderDeadLetters(dl, now) {
    $('dl-count').textContent = dl ? fmt(dl.count) : '';
    var list = clear($('dead-letters'));
    ((dl && dl.latest) || []).forEach(function (d) {
      var li = el('li');
      li.appendChild(el('span', 'muted', ago(d.timestamp, now) + ' ' + (d.sourceTopic || '?') + ' p' + d.sourcePartition + ' @' + d.sourceOffset + ': '));
      li.appendChild(el('span', 'reason', d.reason));
      li.title = d.preview || '';
      list.appendChild(li);
    });
  }

  function renderSnapshot(s, now) {
    var bar = clear($('snapshot'));
    if (!s) { return; }
    if (s.phase === 'snapshot') {
      bar.appendChild(el('b', '', 'Snapshot: '));
      var pct = s.total > 0 ? Math.min(100, Math.round(s.done * 100 / s.total)) : 0;
      bar.appendChild(el('span', '', fmt(s.done) + (s.total > 0 ? ' of ~' + fmt(s.total) + ' rows (' + pct + '%)' : ' rows')));
      var p = el('span', 'progress'); var f = el('span'); f.style.width = pct + '%'; p.appendChild(f); bar.appendChild(p);
      bar.appendChild(el('span', '', fmt(s.rate) + ' rows/s, ETA ' + duration(s.eta) + ' \u00b7 '));
      (s.tables || []).forEach(function (t) {
        bar.appendChild(el('span', 'tbl', t.table + ' ' + fmt(t.rows) + (t.estimate ? '/~' + fmt(t.estimate) : '')));
      });
    } else if (s.phase === 'streaming') {
      bar.appendChild(el('b', '', 'Streaming since ' + time(s.streamingSince) + ' (' + ago(s.streamingSince, now) + ')'));
      if (s.snapshotSeconds >= 0) {
        bar.appendChild(el('span', 'muted', ' \u00b7 initial snapshot: ' + fmt(s.done) + ' rows in ' + s.snapshotSeconds + ' s'));
      } else {
        bar.appendChild(el('span', 'muted', ' \u00b7 resumed from its stored position, no snapshot'));
      }
    } else if (s.phase === 'remote') {
      bar.appendChild(el('b', '', 'Connector running since ' + time(s.streamingSince)));
      bar.appendChild(el('span', 'muted', ' \u00b7 Connect runs elsewhere: the first snapshot\'s row counts are read in embedded mode only; each table\'s snapshot job is listed under the tables'));
    } else {
      bar.appendChild(el('span', 'muted', 'Waiting for the connector to run\u2026'));
    }
  }

  function render(m) {
    lastMessage = m;
    $('mode').textContent = m.mode + ' mode';
    $('totals').textContent = fmt(m.eventCount) + ' events read since the app started';
    // 0 is shown too: any step may leave events out, so no route is known not to (docs/live-view.md)
    var out = m.output || {};
    $('filtered').textContent = typeof out.filtered === 'number'
      ? '\u00b7 filtered by the route\'s steps: ' + fmt(out.filtered) : '';
    // the route's steps failing on records not written yet (health route-steps DOWN): a red line until they pass
    $('steps-failing').textContent = out.stepsFailing ? '\u00b7 ' + out.stepsFailing : '';
    if (m.first) { clear($('events')); }
    skippedTotal += m.skipped || 0;
    if (paused) {
      buffered = buffered.concat(m.events);
      if (buffered.length > MAX_BUFFERED) { missedWhilePaused += buffered.length - MAX_BUFFERED; buffered = buffered.slice(-MAX_BUFFERED); }
    } else {
      addEvents(m.events);
    }
    streamNote();
    renderTables(m.tables || {}, m.now);
    var p = m.pipeline || {};
    renderLag(p.lag);
    renderConnector(p.connector);
    renderSlot(p.slot);
    renderJobs(p.captureTables);
    renderCluster(p.cluster, p.topics);
    renderDeadLetters(m.deadLetters, m.now);
    renderSnapshot(m.snapshot, m.now);
  }

  $('pause').addEventListener('click', function () {
    paused = !paused;
    $('pause').textContent = paused ? 'Resume' : 'Pause';
    if (!paused) { addEvents(buffered); buffered = []; missedWhilePaused = 0; }
    streamNote();
  });
  $('filter-table').addEventListener('change', applyFilter);
  document.querySelectorAll('#filter-ops input').forEach(function (c) { c.addEventListener('change', applyFilter); });

  function showAccess() {
    var box = $('access');
    box.textContent = canAct ? '' : READ_ONLY;
    box.style.display = canAct ? 'none' : '';
    document.querySelectorAll('button.snapshot, .broker button').forEach(function (b) { b.disabled = !canAct; });
  }
  fetch('/live/access', { cache: 'no-store' })
    .then(function (r) { return r.json(); })
    .then(function (a) { canAct = a.acts === true; showAccess(); })
    .catch(function () { canAct = false; showAccess(); });

  var source = new EventSource('/live/events');
  source.addEventListener('update', function (e) {
    $('conn').textContent = 'live';
    $('conn').className = 'pill ok';
    render(JSON.parse(e.data));
  });
  source.onerror = function () {
    $('conn').textContent = 'reconnecting';
    $('conn').className = 'pill bad';
  };
  window.cdcLive = { last: function () { return lastMessage; }, source: source };
})();
