// cdc-camel live view: the connector's controls (POST /api/connector/pause|resume|restart), beside its state.
// The page's token is an HttpOnly cookie (the link the app prints at its start): without it the buttons are off
// and say how to get the link. The state comes with the live view's updates; who paused it from GET /api/connector.
(function () {
  'use strict';
  var NO_TOKEN = 'Needs the API token: open the link the app printed at its start (Live view  http://127.0.0.1:8090/?token=...), '
    + 'or run: echo "' + location.origin + '/?token=$(cat data/api-token)"';
  var canAct = false;
  var state = null;
  var busy = false;
  var pausedBy = null;
  var buttons = {};

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function clock(iso) { var d = new Date(iso); return isNaN(d) ? iso : d.toTimeString().slice(0, 8); }

  var box = $('connector-control');
  if (!box) { return; }
  var row = el('div', 'connector-buttons');
  [['pause', 'Pause', 'pause'], ['resume', 'Resume', 'resume'],
    ['restart-failed', 'Restart failed', 'restart?includeTasks=true&onlyFailed=true'],
    ['restart-all', 'Restart all', 'restart?includeTasks=true&onlyFailed=false']].forEach(function (b) {
    var btn = el('button', '', b[1]);
    btn.type = 'button';
    btn.dataset.action = b[0];
    btn.addEventListener('click', function () { act(b[0], b[2]); });
    buttons[b[0]] = btn;
    row.appendChild(btn);
  });
  box.appendChild(row);
  var paused = el('div', 'connector-paused');
  var note = el('div', 'muted connector-note');
  box.appendChild(paused);
  box.appendChild(note);

  function refresh() {
    Object.keys(buttons).forEach(function (k) {
      var b = buttons[k];
      var off = !canAct || busy || state === null
        || (k === 'pause' && state === 'PAUSED') || (k === 'resume' && state !== 'PAUSED');
      b.disabled = off;
      b.title = canAct ? '' : NO_TOKEN;
    });
    if (!canAct) { note.textContent = NO_TOKEN; }
    paused.textContent = '';
    if (state === 'PAUSED') {
      paused.className = 'connector-paused note';
      paused.textContent = 'Paused on purpose by ' + (pausedBy ? pausedBy.by + ' at ' + clock(pausedBy.at)
        + (pausedBy.reason ? ' (' + pausedBy.reason + ')' : '')
        : 'someone outside this app (Kafka Connect\'s REST API, or before this app started)')
        + ': no event is read meanwhile, none is lost; Resume goes on from where it stopped.';
    } else {
      paused.className = 'connector-paused';
    }
  }

  // who paused it: GET /api/connector (read-only, no token)
  function readPause() {
    return fetch('/api/connector', { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (c) { pausedBy = c.pausedBy || null; refresh(); })
      .catch(function () { refresh(); });
  }

  function act(name, path) {
    busy = true;
    refresh();
    note.textContent = name + '\u2026';
    fetch('/api/connector/' + path, { method: 'POST' })
      .then(function (r) {
        return r.text().then(function (t) {
          var b; try { b = JSON.parse(t); } catch (e) { b = { error: t.trim() }; }
          return [r.status, b];
        });
      })
      .then(function (a) {
        var b = a[1];
        if (a[0] === 200 || a[0] === 202) {
          state = b.state;
          pausedBy = b.pausedBy || null;
          note.textContent = name + ': connector ' + b.state + ' ('
            + (b.tasks || []).map(function (t) { return 'task ' + t.id + ' ' + t.state; }).join(', ') + ')'
            + (b.restarted ? ' \u00b7 restarted: ' + (b.restarted.length ? b.restarted.join(', ') : 'nothing (no part had failed)') : '')
            + (b.settled ? '' : ' \u00b7 ' + b.message);
        } else {
          note.textContent = name + ' refused (' + a[0] + '): ' + (b.error || '');
        }
      })
      .catch(function (e) { note.textContent = name + ': ' + e; })
      .then(function () { busy = false; refresh(); });
  }

  fetch('/live/access', { cache: 'no-store' })
    .then(function (r) { return r.json(); })
    .then(function (a) { canAct = a.acts === true; if (canAct) { note.textContent = ''; } refresh(); })
    .catch(function () { canAct = false; refresh(); });

  var live = window.cdcLive;
  if (live && live.source) {
    live.source.addEventListener('update', function (e) {
      var m = JSON.parse(e.data);
      var c = (m.pipeline || {}).connector;
      var next = c && c.state ? c.state : null;
      if (next !== state) {
        state = next;
        if (state === 'PAUSED') { readPause(); } else { pausedBy = null; refresh(); }
      }
    });
  }
  window.cdcControl = { state: function () { return state; }, pausedBy: function () { return pausedBy; } };
  refresh();
})();
