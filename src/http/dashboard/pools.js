// Pools: a utilization bar per pool (GET /api/v1/pools), and a plot of utilization over time - the page samples
// it at each refresh and keeps the last 10 minutes (Chart.js, loaded as a classic script: window.Chart).

import { get } from './api.js';
import { byId, clockTime, el } from './ui.js';

const MAX_SAMPLES = 120; // 10 minutes at one sample every 5 s
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function percent(u) {
  return `${(u * 100).toFixed(u > 0 && u < 0.1 ? 1 : 0)} %`;
}

export function createPools() {
  const labels = [];
  const series = new Map(); // pool name -> number[] (percent), aligned with labels
  let chart;
  let knownPools = '';

  function plot() {
    const Chart = window.Chart;
    if (Chart === undefined) {
      byId('pool-chart-caption').textContent = 'The chart library could not be loaded: no plot.';
      return;
    }
    const datasets = [...series].map(([name, data], i) => ({
      label: name,
      data,
      borderColor: COLORS[i % COLORS.length],
      backgroundColor: COLORS[i % COLORS.length],
      pointRadius: 2,
      borderWidth: 2,
      tension: 0.2,
    }));
    if (chart === undefined) {
      chart = new Chart(byId('pool-chart'), {
        type: 'line',
        data: { labels, datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          interaction: { mode: 'index', intersect: false },
          scales: {
            y: { min: 0, max: 100, title: { display: true, text: 'utilization %' } },
            x: { ticks: { maxTicksLimit: 8, autoSkip: true } },
          },
          plugins: { legend: { position: 'bottom' } },
        },
      });
    } else {
      chart.data.labels = labels;
      chart.data.datasets = datasets;
      chart.update('none');
    }
  }

  function sample(pools) {
    labels.push(clockTime());
    const n = labels.length;
    for (const p of pools) {
      let data = series.get(p.name);
      if (data === undefined) {
        data = Array(n - 1).fill(null); // a pool that appeared after a reload
        series.set(p.name, data);
      }
      data.push(Math.round(p.utilization * 1000) / 10);
    }
    for (const [name, data] of series) {
      if (data.length < n) data.push(null); // a pool gone after a reload
      if (data.every((v) => v === null)) series.delete(name);
    }
    if (labels.length > MAX_SAMPLES) {
      labels.shift();
      for (const data of series.values()) data.shift();
    }
    plot();
  }

  function render(pools) {
    const rows = pools.map((p) =>
      el(
        'tr',
        { 'data-pool': p.name },
        el('td', {}, p.name, p.failoverPeer ? el('small', {}, ` (failover ${p.failoverPeer})`) : null),
        el('td', {}, p.network ?? ''),
        el(
          'td',
          { className: 'bar' },
          el('progress', { max: Math.max(p.total, 1), value: p.active, title: `${p.active} of ${p.total}` }),
          el('span', {}, percent(p.utilization)),
        ),
        el('td', {}, `${p.active} / ${p.total}`),
        el('td', {}, p.free),
        el('td', {}, p.backup),
        el('td', {}, p.abandoned),
      ),
    );
    if (rows.length === 0) rows.push(el('tr', {}, el('td', { colSpan: 7 }, 'No pools in the configuration.')));
    byId('pool-rows').replaceChildren(...rows);
    // the lease filter's pool list
    const names = pools.map((p) => p.name).join('\n');
    if (names !== knownPools) {
      knownPools = names;
      const select = byId('lease-pool');
      const chosen = select.value;
      select.replaceChildren(el('option', { value: '' }, 'any pool'), ...pools.map((p) => el('option', {}, p.name)));
      select.value = pools.some((p) => p.name === chosen) ? chosen : '';
    }
  }

  return {
    async refresh() {
      const pools = await get('/api/v1/pools');
      render(pools);
      sample(pools);
    },
  };
}
