// cdc-camel live view: small charts of the last hour (docs/live-view.md#charts). Fed by the page's
// one EventSource (live.js, window.cdcLive): the first message holds the whole hour, the later ones
// the samples taken since; drawn with uPlot (served from the jar). A series that could not be read
// has a gap (null) where it failed and its reason under the chart; one not available here says why.
(function () {
  'use strict';
  var CHARTS = [
    { id: 'events', title: 'printed events/s', prefix: 'events ' },
    { id: 'lag', title: 'consumer lag (records)', name: 'lag' },
    { id: 'behind', title: 'Debezium behind source (ms)', name: 'behind' },
    { id: 'wal', title: 'slot retained WAL (MB)', name: 'wal', scale: 1e-6 },
    { id: 'snapshot', title: 'snapshot rows', name: 'snapshot' }
  ];
  var COLORS = ['#0969da', '#1a7f37', '#cf222e', '#8250df', '#9a6700', '#1b7c83', '#bf3989', '#57606a'];
  var data = { times: [], series: {}, errors: {}, notes: {}, capacity: 720, windowMs: 3600000, everyMs: 5000 };
  var plots = {};
  window.cdcCharts = { data: data, plots: plots };

  var root = document.getElementById('charts');
  if (!root) { return; }
  CHARTS.forEach(function (c) {
    var box = document.createElement('div');
    box.className = 'chart';
    box.id = 'chart-' + c.id;
    var h = document.createElement('h3');
    h.textContent = c.title;
    var value = document.createElement('span');
    value.className = 'last';
    h.appendChild(value);
    var area = document.createElement('div');
    area.className = 'plot';
    var note = document.createElement('div');
    note.className = 'chart-note';
    box.appendChild(h); box.appendChild(area); box.appendChild(note);
    root.appendChild(box);
    c.box = box; c.area = area; c.note = note; c.last = value;
  });

  function namesOf(c) {
    return Object.keys(data.series).filter(function (n) {
      return c.prefix ? n.indexOf(c.prefix) === 0 : n === c.name;
    }).sort();
  }

  function merge(m) {
    if (!m.append) {
      data.times = m.times.slice();
      data.series = {};
      Object.keys(m.series).forEach(function (n) { data.series[n] = m.series[n].slice(); });
    } else {
      var lastTime = data.times.length ? data.times[data.times.length - 1] : 0;
      m.times.forEach(function (t, i) {
        if (t <= lastTime) { return; } // already had it (a page that opened meanwhile)
        data.times.push(t);
        Object.keys(data.series).forEach(function (n) {
          var v = m.series[n];
          data.series[n].push(v ? v[i] : null);
        });
        Object.keys(m.series).forEach(function (n) {
          if (!data.series[n]) {
            var filled = new Array(data.times.length - 1).fill(null);
            filled.push(m.series[n][i]);
            data.series[n] = filled;
          }
        });
      });
    }
    data.errors = m.errors || {};
    data.notes = m.notes || {};
    data.capacity = m.capacity; data.windowMs = m.windowMs; data.everyMs = m.everyMs;
    // the page keeps what the server keeps: an hour, at most `capacity` samples
    var newest = data.times.length ? data.times[data.times.length - 1] : 0;
    var drop = 0;
    while (drop < data.times.length && (data.times.length - drop > data.capacity || data.times[drop] <= newest - data.windowMs)) {
      drop++;
    }
    if (drop > 0) {
      data.times.splice(0, drop);
      Object.keys(data.series).forEach(function (n) { data.series[n].splice(0, drop); });
    }
  }

  function fmt(v) {
    if (v == null) { return '–'; }
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : (Math.round(v * 10) / 10).toLocaleString('en-US');
  }

  function draw(c) {
    var names = namesOf(c);
    var kind = c.prefix ? 'events' : c.name;
    var error = data.errors[kind];
    var note = data.notes[kind];
    c.note.textContent = error ? 'not read: ' + error + ' (a gap on the chart)' : (note || (names.length ? '' : 'no data yet'));
    c.note.className = 'chart-note' + (error ? ' error' : '');
    c.box.dataset.error = error ? 'true' : 'false';
    var failedMarks = data.series['failed ' + kind] || [];
    c.box.dataset.failedSamples = String(failedMarks.filter(function (v) { return v != null; }).length);
    var times = data.times.map(function (t) { return t / 1000; });
    var columns = [times].concat(names.map(function (n) {
      return data.series[n].map(function (v) { return v == null ? null : v * (c.scale || 1); });
    }));
    var lastValues = names.map(function (n) { var s = data.series[n]; return s.length ? s[s.length - 1] : null; });
    c.last.textContent = names.length === 1 ? ' ' + fmt(lastValues[0] == null ? null : lastValues[0] * (c.scale || 1)) : '';
    var key = names.join('\n');
    var plot = plots[c.id];
    if (!names.length) {
      if (plot) { plot.destroy(); delete plots[c.id]; }
      return;
    }
    if (plot && plot.cdcKey === key) {
      plot.setData(columns);
      return;
    }
    if (plot) { plot.destroy(); }
    var width = Math.max(200, c.area.clientWidth || 260);
    plot = new uPlot({
      width: width,
      hooks: { draw: [function (u) { shadeFailures(u, kind); }] },
      height: 110,
      legend: { show: names.length > 1, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        { size: 22, font: '10px system-ui', ticks: { size: 3 } },
        { size: 46, font: '10px system-ui', ticks: { size: 3 }, values: function (u, vals) { return vals.map(fmt); } }
      ],
      series: [{}].concat(names.map(function (n, i) {
        return { label: c.prefix ? n.substring(c.prefix.length) : c.title, stroke: COLORS[i % COLORS.length], width: 1.5,
          spanGaps: false, points: { show: false } };
      }))
    }, columns, c.area);
    plot.cdcKey = key;
    plots[c.id] = plot;
  }

  // the samples at which the series could not be read: a red band over each (the gap's reason is under the chart)
  function shadeFailures(u, kind) {
    var failed = data.series['failed ' + kind];
    if (!failed) { return; }
    var half = (data.everyMs || 5000) / 2000;
    var ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = 'rgba(207, 34, 46, 0.18)';
    failed.forEach(function (v, i) {
      if (v == null) { return; }
      var t = data.times[i] / 1000;
      var x0 = Math.max(u.bbox.left, u.valToPos(t - half, 'x', true));
      var x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(t + half, 'x', true));
      if (x1 > x0) { ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height); }
    });
    ctx.restore();
  }

  function update(m) {
    if (!m || !m.charts || typeof uPlot === 'undefined') { return; }
    merge(m.charts);
    CHARTS.forEach(draw);
  }

  var live = window.cdcLive;
  if (live && live.last()) { update(live.last()); }
  if (live && live.source) {
    live.source.addEventListener('update', function (e) { update(JSON.parse(e.data)); });
  }
  window.addEventListener('resize', function () {
    CHARTS.forEach(function (c) {
      var plot = plots[c.id];
      if (plot) { plot.setSize({ width: Math.max(200, c.area.clientWidth || 260), height: 110 }); }
    });
  });
})();
