// livetrace view: draws each page's charts with ECharts from the page's own tables, which hold
// every number and link; a click on a histogram's bar follows its bucket's link.
'use strict';

// A line above a chart naming its colours: ECharts' own legend names series, and these charts draw
// every kind of event in one custom series.
function colorLegend(div, colors, names) {
  const line = document.createElement('p');
  line.className = 'legend';
  for (const kind of Object.keys(names)) {
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colors[kind];
    line.append(swatch, ' ' + names[kind] + ' ');
  }
  div.before(line);
}

(function () {
  const COLORS = {region: '#5470c6', log: '#ee6666', task_begin: '#91cc75', task_end: '#91cc75'};

  function histogram(div, table) {
    const series = [...table.tHead.rows[0].cells].slice(1);
    const rows = [...table.tBodies[0].rows];
    const links = rows.map(r => [...r.cells].slice(1).map(c => {
      const a = c.querySelector('a');
      return a ? a.getAttribute('href') : null;
    }));
    const chart = echarts.init(div);
    chart.setOption({
      animation: false,
      tooltip: {trigger: 'axis', axisPointer: {type: 'shadow'}},
      legend: series.length > 1 ? {top: 0} : {show: false},
      grid: {left: 60, right: 20, top: series.length > 1 ? 30 : 10, bottom: 65},
      xAxis: {
        type: 'category', data: rows.map(r => r.cells[0].textContent),
        name: 'latency (log-scale buckets)', nameLocation: 'middle', nameGap: 50,
        axisLabel: {rotate: 30, formatter: v => v.slice(1, v.indexOf(','))}
      },
      yAxis: {type: 'value', minInterval: 1, name: 'count'},
      // A bucket of a few tasks among thousands (the slow tail, what one wants to click) is drawn
      // at least 4 px tall; an empty one (null) not at all.
      series: series.map((th, s) => ({
        name: th.textContent, type: 'bar', cursor: 'pointer', barMinHeight: 4,
        data: rows.map(r => Number(r.cells[s + 1].dataset.count) || null)
      }))
    });
    chart.on('click', p => {
      const href = links[p.dataIndex] && links[p.dataIndex][p.seriesIndex];
      if (href) {
        location.href = href;
      }
    });
    div.dataset.drawn = String(series.length);
  }

  // One lane per thread; a region nested in another on its thread is drawn thinner, inside it.
  function timeline(div, table) {
    const lanes = JSON.parse(document.getElementById('lanes').textContent);
    const open = lanes.map(() => []);
    const data = [...table.tBodies[0].rows].map(r => {
      const lane = Number(r.dataset.lane);
      const at = Number(r.dataset.at);
      const end = at + Number(r.dataset.duration);
      const stack = open[lane];
      while (stack.length && stack[stack.length - 1] <= at) {
        stack.pop();
      }
      const depth = stack.length;
      if (r.className === 'region') {
        stack.push(end);
      }
      return {value: [lane, at / 1e6, end / 1e6, depth], name: r.cells[2].textContent + ': ' + r.cells[3].textContent, kind: r.className};
    });
    div.style.height = (70 + 36 * lanes.length) + 'px';
    const chart = echarts.init(div);
    chart.setOption({
      animation: false,
      tooltip: {formatter: p => p.name + ' at +' + p.value[1].toFixed(3) + ' ms for ' + (p.value[2] - p.value[1]).toFixed(3) + ' ms'},
      grid: {left: 180, right: 30, top: 10, bottom: 45},
      xAxis: {type: 'value', name: 'ms since the task began', nameLocation: 'middle', nameGap: 28},
      yAxis: {type: 'category', data: lanes, inverse: true},
      series: [{
        type: 'custom', data: data, encode: {x: [1, 2], y: 0}, progressive: 0,
        renderItem: (params, api) => {
          const start = api.coord([api.value(1), api.value(0)]);
          const end = api.coord([api.value(2), api.value(0)]);
          const h = api.size([0, 1])[1] * 0.7 * Math.pow(0.75, api.value(3));
          const shape = echarts.graphic.clipRectByRect(
            {x: start[0], y: start[1] - h / 2, width: Math.max(end[0] - start[0], 2), height: h},
            {x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height});
          return shape && {type: 'rect', shape: shape, style: {fill: COLORS[data[params.dataIndex].kind] || '#999', stroke: '#fff'}};
        }
      }]
    });
    div.dataset.drawn = String(data.length);
  }

  // The timeline of a window, from the JSON that `livetrace export` writes for it: per process, its
  // tasks (async slices, packed into as few rows as do not overlap), then a row per thread track
  // with its slices (regions, blocked states, GC) nested by depth, and its logs as thin marks.
  const TRACE_COLORS = {region: '#5470c6', blocked: '#fac858', gc: '#ee6666', task: '#91cc75', log: '#9a60b4', misuse: '#d00'};

  function traceRows(events) {
    const names = new Map();
    const processes = new Map();
    for (const e of events) {
      if (e.ph === 'M' && e.name === 'thread_name') {
        names.set(e.pid + '/' + e.tid, e.args.name);
      } else if (e.ph === 'M' && e.name === 'process_name') {
        processes.set(e.pid, e.args.name);
      }
    }
    const rows = [];
    const rowOf = new Map();
    const items = [];
    const tasks = new Map();
    const taskLanes = new Map(); // pid -> the end of the last task of each lane
    const slices = new Map(); // track -> its slices, to nest
    for (const e of events) {
      if (e.ph === 'X') {
        const track = e.pid + '/' + e.tid;
        if (!slices.has(track)) {
          slices.set(track, []);
        }
        slices.get(track).push(e);
      } else if (e.ph === 'b') {
        tasks.set(e.pid + ':' + e.id, {b: e});
      } else if (e.ph === 'e' && tasks.has(e.pid + ':' + e.id)) {
        tasks.get(e.pid + ':' + e.id).e = e;
      }
    }
    const pids = [...new Set(events.filter(e => e.pid !== undefined).map(e => e.pid))].sort((a, b) => a - b);
    let drawnTasks = 0;
    for (const pid of pids) {
      const process = processes.get(pid) || ('process ' + pid);
      const lanes = [];
      const mine = [...tasks.values()].filter(t => t.b.pid === pid && t.e).sort((x, y) => x.b.ts - y.b.ts);
      for (const t of mine) {
        let lane = lanes.findIndex(end => end <= t.b.ts);
        if (lane < 0) {
          lane = lanes.length;
          lanes.push(0);
        }
        lanes[lane] = t.e.ts;
        items.push({row: lane, pid: pid, start: t.b.ts, end: t.e.ts, depth: 0, kind: 'task',
          name: 'task ' + t.b.id + ' ' + t.b.name + (t.e.args && t.e.args.unfinished ? ' (unfinished)'
            : t.e.args && t.e.args.endsAfterWindow ? ' (ends after the window)' : '')});
        drawnTasks++;
      }
      taskLanes.set(pid, rows.length);
      lanes.forEach((_, i) => rows.push(process + ' · tasks' + (lanes.length > 1 ? ' ' + (i + 1) : '')));
      const tracks = [...names.keys()].filter(k => k.startsWith(pid + '/'));
      for (const track of tracks) {
        rowOf.set(track, rows.length);
        rows.push((pids.length > 1 ? process + ' · ' : '') + names.get(track));
      }
    }
    for (const item of items) {
      item.row += taskLanes.get(item.pid);
    }
    let drawnSlices = 0;
    for (const [track, list] of slices) {
      if (!rowOf.has(track)) {
        continue;
      }
      list.sort((x, y) => x.ts - y.ts || y.dur - x.dur);
      const open = [];
      for (const e of list) {
        while (open.length && open[open.length - 1] <= e.ts) {
          open.pop();
        }
        items.push({row: rowOf.get(track), start: e.ts, end: e.ts + e.dur, depth: open.length, kind: e.cat, name: e.name});
        open.push(e.ts + e.dur);
        drawnSlices++;
      }
    }
    for (const e of events) {
      if (e.ph === 'i' && (e.cat === 'log' || e.cat === 'misuse') && rowOf.has(e.pid + '/' + e.tid)) {
        items.push({row: rowOf.get(e.pid + '/' + e.tid), start: e.ts, end: e.ts, depth: 0, kind: e.cat,
          name: e.name + (e.args && e.args.message ? ': ' + e.args.message : '')});
      }
    }
    return {rows: rows, items: items, slices: drawnSlices, tasks: drawnTasks};
  }

  function traceTimeline(div, trace) {
    const model = traceRows(trace.traceEvents);
    const data = model.items.map(i => ({value: [i.row, i.start / 1000, i.end / 1000, i.depth], name: i.name, kind: i.kind}));
    div.style.height = (110 + 26 * model.rows.length) + 'px';
    const chart = echarts.init(div);
    chart.setOption({
      animation: false,
      tooltip: {formatter: p => echarts.format.encodeHTML(p.name) + '<br>+' + p.value[1].toFixed(3) + ' ms, '
        + (p.value[2] - p.value[1]).toFixed(3) + ' ms'},
      grid: {left: 220, right: 30, top: 10, bottom: 75},
      // The window's own bounds, whatever its first and last slices: an empty stretch is shown as such.
      xAxis: {type: 'value', min: Number(div.dataset.from) / 1e6, max: Number(div.dataset.to) / 1e6,
        name: 'ms since the trace began', nameLocation: 'middle', nameGap: 28, axisLabel: {formatter: v => String(Math.round(v * 1000) / 1000)}},
      yAxis: {type: 'category', data: model.rows, inverse: true, axisLabel: {width: 200, overflow: 'truncate'}},
      dataZoom: [{type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter'}, {type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', bottom: 8}],
      series: [{
        // Drawn at once: ECharts draws 3,000 items and more progressively, frame by frame, which
        // never ends under a headless browser's virtual time (a scripted screenshot of a window hangs).
        type: 'custom', data: data, encode: {x: [1, 2], y: 0}, progressive: 0,
        renderItem: (params, api) => {
          const start = api.coord([api.value(1), api.value(0)]);
          const end = api.coord([api.value(2), api.value(0)]);
          const h = api.size([0, 1])[1] * 0.8 * Math.pow(0.8, api.value(3));
          const shape = echarts.graphic.clipRectByRect(
            {x: start[0], y: start[1] - h / 2, width: Math.max(end[0] - start[0], 1), height: h},
            {x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height});
          return shape && {type: 'rect', shape: shape, style: {fill: TRACE_COLORS[data[params.dataIndex].kind] || '#999'}};
        }
      }]
    });
    colorLegend(div, TRACE_COLORS, {task: 'task', region: 'region', blocked: 'blocked (JFR\u2019s thresholds)',
      gc: 'GC pause', log: 'log', misuse: 'misuse of the API'});
    div.dataset.rows = String(model.rows.length);
    div.dataset.tasks = String(model.tasks);
    div.dataset.slices = String(model.slices);
    div.dataset.drawn = String(data.length);
  }

  document.querySelectorAll('div.chart').forEach(div => {
    const table = div.nextElementSibling && div.nextElementSibling.querySelector('table.histogram');
    if (table) {
      histogram(div, table);
    }
  });
  document.querySelectorAll('div.timeline').forEach(div => {
    const table = div.nextElementSibling;
    if (table && table.tBodies[0].rows.length) {
      timeline(div, table);
    }
  });
  document.querySelectorAll('div.trace-timeline').forEach(div => {
    fetch(div.dataset.src).then(r => {
      if (!r.ok) {
        throw new Error(r.status + ' ' + r.statusText);
      }
      return r.json();
    }).then(trace => traceTimeline(div, trace)).catch(e => {
      div.textContent = 'The window could not be drawn: ' + e.message;
      div.dataset.failed = e.message;
    });
  });
})();

// The "meanwhile" chart of a task's or a region's page: a row per thread on one time axis, each
// row in three bands (the task's regions, blocked states, CPU samples as ticks), GC pauses as
// translucent bands across all rows. The table below it holds every event drawn.
(function () {
  const COLORS = {region: '#5470c6', blocked: '#fac858', sample: '#3ba272', gc: 'rgba(238, 102, 102, 0.35)'};
  const BAND = {region: 0, blocked: 1, sample: 2};

  function activity(div, table) {
    const lanes = JSON.parse(document.getElementById('activity-lanes').textContent);
    const span = JSON.parse(document.getElementById('activity-span').textContent)[0];
    const data = [...table.tBodies[0].rows].map(r => {
      const at = Number(r.dataset.at);
      const end = at + Number(r.dataset.duration);
      return {value: [Number(r.dataset.lane), at / 1e6, end / 1e6], kind: r.className,
        name: r.cells[4].textContent + ': ' + r.cells[5].textContent};
    });
    div.style.height = (80 + 60 * lanes.length) + 'px';
    const chart = echarts.init(div);
    chart.setOption({
      animation: false,
      tooltip: {formatter: p => p.name + ' at +' + p.value[1].toFixed(3) + ' ms'
        + (p.value[2] > p.value[1] ? ' for ' + (p.value[2] - p.value[1]).toFixed(3) + ' ms' : '')},
      grid: {left: 180, right: 30, top: 10, bottom: 45},
      dataZoom: [{type: 'inside', filterMode: 'weakFilter'}],
      // The span itself: what began before it or ended after it is cut at its edges.
      xAxis: {type: 'value', min: 0, max: span / 1e6, axisLabel: {formatter: v => String(Math.round(v * 1000) / 1000)},
        name: 'ms since the start', nameLocation: 'middle', nameGap: 28},
      yAxis: {type: 'category', data: lanes, inverse: true},
      series: [{
        type: 'custom', data: data, encode: {x: [1, 2], y: 0}, progressive: 0,
        renderItem: (params, api) => {
          const d = data[params.dataIndex];
          const grid = params.coordSys;
          const x0 = api.coord([api.value(1), 0])[0];
          const x1 = api.coord([api.value(2), 0])[0];
          let rect;
          if (d.kind === 'gc') {
            rect = {x: x0, y: grid.y, width: Math.max(x1 - x0, 1), height: grid.height};
          } else {
            const rowHeight = api.size([0, 1])[1];
            const top = api.coord([0, api.value(0)])[1] - rowHeight * 0.45;
            const band = rowHeight * 0.9 / 3;
            const width = d.kind === 'sample' ? 1.5 : Math.max(x1 - x0, 2);
            rect = {x: x0, y: top + BAND[d.kind] * band, width: width, height: band * 0.9};
          }
          const shape = echarts.graphic.clipRectByRect(rect, {x: grid.x, y: grid.y, width: grid.width, height: grid.height});
          return shape && {type: 'rect', shape: shape, style: {fill: COLORS[d.kind] || '#999'}};
        }
      }]
    });
    colorLegend(div, COLORS, {region: 'region', blocked: 'blocked (JFR\u2019s thresholds)', sample: 'CPU sample', gc: 'GC pause'});
    div.dataset.drawn = String(data.length);
  }

  document.querySelectorAll('div.activity').forEach(div => {
    const table = div.nextElementSibling && div.nextElementSibling.querySelector('table');
    if (table) {
      activity(div, table);
    }
  });
})();
