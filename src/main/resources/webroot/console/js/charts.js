// The overview's two charts (uPlot, vendored under vendor/uplot): tasks finished per 10 s, counted from the live
// stream, and the queue's depth, sampled from /api/v1/queue; both over the last 10 minutes this page was open.
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h } from './dom.js';

const WINDOW_S = 600;
const BUCKET_S = 10;

export class Charts {
  constructor(container) {
    this.finishedAt = [];
    this.depthRows = [[], [], []];
    const throughput = h('div', {
      class: 'chart',
      id: 'chart-throughput',
      role: 'img',
      'aria-label': 'Tasks finished per 10 seconds over the last 10 minutes',
    });
    const depth = h('div', {
      class: 'chart',
      id: 'chart-depth',
      role: 'img',
      'aria-label': 'Queued and in-flight tasks over the last 10 minutes',
    });
    container.append(h('div', { class: 'charts' }, throughput, depth));
    const style = getComputedStyle(document.documentElement);
    const color = (name) => style.getPropertyValue(name).trim() || '#888';
    const axes = [
      { stroke: color('--muted'), grid: { stroke: color('--line') } },
      { stroke: color('--muted'), grid: { stroke: color('--line') } },
    ];
    const lastMinutes = {
      x: {
        time: true,
        range: () => {
          const now = Date.now() / 1000;
          return [now - WINDOW_S, now];
        },
      },
    };
    const width = Math.max(280, Math.floor((container.clientWidth - 40) / 2));
    this.throughput = new uPlot(
      {
        title: 'Finished per 10 s',
        width,
        height: 180,
        axes,
        scales: lastMinutes,
        series: [{}, { label: 'finished', stroke: color('--ok'), fill: 'rgba(63, 185, 80, .15)' }],
      },
      [[], []],
      throughput,
    );
    this.depthPlot = new uPlot(
      {
        title: 'Queue depth',
        width,
        height: 180,
        axes,
        scales: lastMinutes,
        series: [
          {},
          { label: 'queued', stroke: color('--accent'), points: { show: true } },
          { label: 'in flight', stroke: color('--warn'), points: { show: true } },
        ],
      },
      [[], [], []],
      depth,
    );
    this.timer = setInterval(() => this.draw(), 5000);
    this.draw();
  }

  finished() {
    this.finishedAt.push(Date.now() / 1000);
    this.draw();
  }

  depth(queued, inFlight) {
    const now = Date.now() / 1000;
    const [xs, q, f] = this.depthRows;
    xs.push(now);
    q.push(queued);
    f.push(inFlight);
    while (xs.length && xs[0] < now - WINDOW_S) {
      xs.shift();
      q.shift();
      f.shift();
    }
    this.depthPlot.setData(this.depthRows);
  }

  draw() {
    const now = Date.now() / 1000;
    const last = Math.floor(now / BUCKET_S) * BUCKET_S;
    this.finishedAt = this.finishedAt.filter((t) => t >= last - WINDOW_S);
    const xs = [];
    const counts = [];
    for (let t = last - WINDOW_S + BUCKET_S; t <= last; t += BUCKET_S) {
      xs.push(t);
      counts.push(this.finishedAt.filter((f) => f >= t && f < t + BUCKET_S).length);
    }
    this.throughput.setData([xs, counts]);
  }

  destroy() {
    clearInterval(this.timer);
    this.throughput.destroy();
    this.depthPlot.destroy();
  }
}
