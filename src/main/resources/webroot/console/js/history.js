// The overview's last hour, read from the server (/api/v1/stats/timeseries: the tasks' own times, so it covers the
// hour whatever time the page was opened): latency percentiles as figures, throughput and latency per minute as
// uPlot charts.
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h, table } from './dom.js';
import { api } from './session.js';

const WINDOW = '1h';
const STEP = '1m';

const ms = (value) => {
  if (value === undefined || value === null) return '—';
  return value < 10000 ? value + ' ms' : (value / 1000).toFixed(1) + ' s';
};

export class History {
  constructor(container) {
    this.figures = h('div', { id: 'latency' }, h('p', { class: 'muted' }, 'Loading…'));
    const throughput = h('div', {
      class: 'chart',
      id: 'chart-history-throughput',
      role: 'img',
      'aria-label': 'Tasks submitted, succeeded, failed and dead per minute over the last hour',
    });
    const latency = h('div', {
      class: 'chart',
      id: 'chart-history-latency',
      role: 'img',
      'aria-label': 'Submit to assigned and end-to-end latency, p50 and p95, per minute over the last hour',
    });
    container.append(this.figures, h('div', { class: 'charts' }, throughput, latency));
    const style = getComputedStyle(document.documentElement);
    const color = (name) => style.getPropertyValue(name).trim() || '#888';
    const axes = [
      { stroke: color('--muted'), grid: { stroke: color('--line') } },
      { stroke: color('--muted'), grid: { stroke: color('--line') } },
    ];
    const width = Math.max(280, Math.floor((container.clientWidth - 40) / 2));
    this.throughput = new uPlot(
      {
        title: 'Tasks per minute',
        width,
        height: 180,
        axes,
        series: [
          {},
          { label: 'submitted', stroke: color('--accent') },
          { label: 'succeeded', stroke: color('--ok') },
          { label: 'failed', stroke: color('--warn') },
          { label: 'dead', stroke: color('--bad') },
        ],
      },
      [[], [], [], [], []],
      throughput,
    );
    this.latency = new uPlot(
      {
        title: 'Latency (ms)',
        width,
        height: 180,
        axes,
        series: [
          {},
          { label: 'assign p50', points: { show: true }, stroke: color('--accent'), spanGaps: true },
          { label: 'assign p95', points: { show: true }, stroke: color('--accent'), dash: [4, 4], spanGaps: true },
          { label: 'end-to-end p50', points: { show: true }, stroke: color('--ok'), spanGaps: true },
          { label: 'end-to-end p95', points: { show: true }, stroke: color('--ok'), dash: [4, 4], spanGaps: true },
        ],
      },
      [[], [], [], [], []],
      latency,
    );
  }

  async refresh() {
    const series = await api(`/api/v1/stats/timeseries?window=${WINDOW}&step=${STEP}`);
    if (this.gone) return;
    const points = series.points;
    const xs = points.map((p) => Date.parse(p.at) / 1000);
    const column = (f) => points.map(f);
    const pct = (name, p) => column((point) => (point[name] ? point[name][p] : null));
    this.throughput.setData([
      xs,
      column((p) => p.submitted),
      column((p) => p.succeeded),
      column((p) => p.failed),
      column((p) => p.dead),
    ]);
    this.latency.setData([
      xs,
      pct('assignLatencyMs', 'p50'),
      pct('assignLatencyMs', 'p95'),
      pct('endToEndLatencyMs', 'p50'),
      pct('endToEndLatencyMs', 'p95'),
    ]);
    const s = series.summary;
    const row = (name, latency) =>
      h(
        'tr',
        { 'data-latency': name },
        h('th', { scope: 'row' }, name),
        ['p50', 'p95', 'p99'].map((p) => h('td', {}, ms(latency ? latency[p] : null))),
      );
    this.figures.replaceChildren(
      h(
        'p',
        { id: 'hour-counts' },
        `${s.submitted} submitted, ${s.succeeded} succeeded, ${s.failed} failed attempts, ${s.dead} dead, ` +
          `${s.canceled} canceled`,
      ),
      table(['latency', 'p50', 'p95', 'p99'], [], () => null, { id: 'latency-table' }),
    );
    this.figures
      .querySelector('tbody')
      .append(row('submit → assigned', s.assignLatencyMs), row('end to end', s.endToEndLatencyMs));
  }

  destroy() {
    this.gone = true;
    this.throughput.destroy();
    this.latency.destroy();
  }
}
