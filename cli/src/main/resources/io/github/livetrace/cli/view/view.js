// livetrace view: draws each page's charts with ECharts from the page's own tables, which hold
// every number and link; a click on a histogram's bar follows its bucket's link.
'use strict';
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
      series: series.map((th, s) => ({
        name: th.textContent, type: 'bar', cursor: 'pointer',
        data: rows.map(r => Number(r.cells[s + 1].dataset.count))
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
        type: 'custom', data: data, encode: {x: [1, 2], y: 0},
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
        type: 'custom', data: data, encode: {x: [1, 2], y: 0},
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
    div.dataset.drawn = String(data.length);
  }

  document.querySelectorAll('div.activity').forEach(div => {
    const table = div.nextElementSibling && div.nextElementSibling.querySelector('table');
    if (table) {
      activity(div, table);
    }
  });
})();
