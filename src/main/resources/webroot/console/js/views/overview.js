// The overview: agents, the queue, breakers, the last hour from the server (latency percentiles, throughput), live
// charts, and recent tasks as the live stream moves them.
import { h, table, percent } from '../dom.js';
import { session, api } from '../session.js';
import { Charts } from '../charts.js';
import { History } from '../history.js';
import { STATES, taskLink, agentLink, stateCell, failure, debounce, section } from '../ui.js';

export function overview(main) {
  const tasks = new Map();
  const agents = section('Agents', { id: 'agents-panel' }, h('p', {}, 'Loading…'));
  const queue = section('Queue', {}, h('p', { id: 'counts' }));
  const breakers = section('Breakers', {});
  const hour = section('Last hour', { class: 'wide', id: 'history' });
  const charts = section('Live: finished and queue depth (last 10 minutes)', { class: 'wide', id: 'charts' });
  const submitted = h('span', { id: 'submitted', role: 'status' });
  const type = h('input', { id: 'type', value: 'code-editing', required: true, 'aria-label': 'task type' });
  const priority = h('input', { id: 'priority', type: 'number', min: 0, max: 9, value: 5, 'aria-label': 'priority' });
  const recentBody = h('tbody');
  const recent = section(
    'Recent tasks',
    { class: 'wide' },
    session.has('admin', 'operator', 'submitter')
      ? h(
          'form',
          { id: 'submit', class: 'bar', onsubmit: submit },
          h('label', {}, 'Type', type),
          h('label', {}, 'Priority', priority),
          h('button', { type: 'submit', class: 'primary' }, 'Submit a task'),
          submitted,
        )
      : null,
    h(
      'table',
      { id: 'tasks' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['task', 'type', 'priority', 'state', 'agent', 'updated'].map((name) => h('th', { scope: 'col' }, name)),
        ),
      ),
      recentBody,
    ),
  );
  main.append(agents, queue, breakers, hour, charts, recent);
  const chart = new Charts(charts);
  const lastHour = new History(hour);
  const refreshHistory = () => lastHour.refresh().catch((e) => hour.append(failure(e)));
  const historyPoll = setInterval(refreshHistory, 30000);
  const refreshHistorySoon = debounce(refreshHistory, 2000);
  refreshHistory();

  async function submit(e) {
    e.preventDefault();
    try {
      const task = await api('/api/v1/tasks', {
        method: 'POST',
        body: { type: type.value, priority: Number(priority.value) },
      });
      submitted.replaceChildren('submitted ', taskLink(task.id));
      submitted.dataset.task = task.id;
      if (!tasks.has(task.id)) {
        tasks.set(task.id, {
          id: task.id,
          type: type.value,
          priority: Number(priority.value),
          state: task.state,
          updatedAt: new Date().toISOString(),
        });
        renderTasks();
      }
    } catch (err) {
      submitted.textContent = err.message;
    }
  }

  function renderTasks() {
    const sorted = [...tasks.values()]
      .sort((a, b) => (b.updatedAt || '').localeCompare(a.updatedAt || ''))
      .slice(0, 30);
    recentBody.replaceChildren(
      ...sorted.map((t) =>
        h(
          'tr',
          { 'data-task': t.id },
          h('td', { class: 'id' }, taskLink(t.id)),
          h('td', {}, t.type),
          h('td', {}, t.priority),
          stateCell(t.state),
          h('td', {}, agentLink(t.agentId)),
          h('td', {}, t.updatedAt ? new Date(t.updatedAt).toLocaleTimeString() : ''),
        ),
      ),
    );
  }

  async function refresh() {
    const [agentPage, counts] = await Promise.all([api('/api/v1/agents?limit=100'), api('/api/v1/queue')]);
    agents.replaceChildren(
      h('h2', {}, 'Agents'),
      table(
        ['agent', 'status', 'load', 'success', 'tasks'],
        agentPage.items,
        (a) =>
          h(
            'tr',
            { 'data-agent': a.id },
            h('td', {}, agentLink(a.id)),
            h('td', { class: 'status ' + a.status }, a.status),
            h('td', {}, `${a.currentLoad} / ${a.maxConcurrentTasks}`),
            h('td', {}, percent(a.performance.successRate)),
            h('td', {}, a.performance.taskCount),
          ),
        { id: 'agents' },
      ),
    );
    queue.replaceChildren(
      h('h2', {}, 'Queue'),
      h('p', { id: 'counts' }, `${counts.queued} queued, ${counts.assigned} assigned, ${counts.running} running`),
      table(
        ['priority', 'queued'],
        counts.byPriority,
        (q) => h('tr', {}, h('td', {}, q.priority), h('td', {}, q.queued)),
        { id: 'queue' },
      ),
    );
    chart.depth(counts.queued, counts.assigned + counts.running);
    const health = await fetch('/health/ready')
      .then((r) => r.json())
      .catch(() => ({ checks: [] }));
    breakers.replaceChildren(
      h('h2', {}, 'Breakers'),
      table(
        ['verticle', 'state'],
        health.checks || [],
        (c) => {
          const state =
            c.data && c.data.state
              ? c.data.state.toLowerCase().replace('_', '-')
              : c.status === 'UP'
                ? 'closed'
                : 'open';
          return h('tr', {}, h('td', {}, c.id), h('td', { class: 'state ' + state }, state));
        },
        { id: 'breakers' },
      ),
    );
  }

  const refreshSoon = debounce(() => refresh().catch(console.error), 250);
  const poll = setInterval(refreshSoon, 5000);
  api('/api/v1/tasks?limit=30')
    .then((page) => {
      page.items.forEach((t) =>
        tasks.set(t.id, {
          id: t.id,
          type: t.type,
          priority: t.priority,
          state: t.state,
          agentId: t.assignedAgentId,
          updatedAt: t.updatedAt,
        }),
      );
      renderTasks();
    })
    .catch((e) => recent.append(failure(e)));
  refresh().catch((e) => agents.append(failure(e)));

  return {
    onEvent(event) {
      if (event.taskId) {
        const details = event.details || {};
        const known = tasks.get(event.taskId) || { id: event.taskId, type: details.type, priority: details.priority };
        const moved = event.type === 'task.requeued' ? 'queued' : event.type.slice('task.'.length);
        if (STATES.includes(moved)) known.state = moved;
        known.agentId = event.agentId || known.agentId;
        known.updatedAt = event.at;
        tasks.set(event.taskId, known);
        renderTasks();
        if (['succeeded', 'failed', 'dead', 'canceled', 'timed_out'].includes(known.state)) {
          chart.finished();
          refreshHistorySoon();
        }
      }
      refreshSoon();
    },
    leave() {
      clearInterval(poll);
      clearInterval(historyPoll);
      chart.destroy();
      lastHour.destroy();
    },
  };
}
