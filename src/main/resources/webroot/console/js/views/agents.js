// The agent list and an agent's page (figures, specializations, learning arms, leases, recent results, drain).
import { h, table, time, percent } from '../dom.js';
import { session, api, apiOrNull } from '../session.js';
import { confirmAction } from '../confirm.js';
import { agentLink, taskLink, stateCell, failure, fill, debounce, section } from '../ui.js';

export function agents(main) {
  const results = h('div');
  main.append(section('Agents', { class: 'wide' }, results));
  async function load() {
    const page = await api('/api/v1/agents?limit=200');
    results.replaceChildren(
      page.items.length === 0
        ? h('p', { class: 'muted' }, 'No agents registered.')
        : table(
            [
              'agent',
              'name',
              'status',
              'load',
              'delivery',
              'consuming',
              'success',
              'quality',
              'tasks',
              'last heartbeat',
            ],
            page.items,
            (a) =>
              h(
                'tr',
                { 'data-agent': a.id },
                h('td', {}, agentLink(a.id)),
                h('td', {}, a.name),
                h('td', { class: 'status ' + a.status }, a.status),
                h('td', {}, `${a.currentLoad} / ${a.maxConcurrentTasks}`),
                h('td', {}, a.delivery),
                h('td', {}, a.consuming ? 'yes' : 'no'),
                h('td', {}, percent(a.performance.successRate)),
                h('td', {}, percent(a.performance.averageQuality)),
                h('td', {}, a.performance.taskCount),
                h('td', {}, time(a.lastHeartbeatAt)),
              ),
            { id: 'agent-list' },
          ),
    );
  }
  const reload = debounce(() => load().catch((e) => results.replaceChildren(failure(e))), 250);
  reload();
  return {
    onEvent(event) {
      if (event.type.startsWith('agent.') || event.agentId) reload();
    },
  };
}

export function agent(main, id) {
  main.append(h('p', {}, 'Loading…'));
  async function render() {
    const a = await apiOrNull('/api/v1/agents/' + encodeURIComponent(id));
    if (!a) {
      main.replaceChildren(
        section('Agent', {}, h('p', { class: 'notice error', role: 'alert' }, `No agent ${id} in this tenant.`)),
      );
      return;
    }
    const p = a.performance || {};
    const caps = a.capabilities || {};
    const [arms, activity] = await Promise.all([
      session.has('admin', 'operator') ? learningArms(a) : null,
      session.has('admin', 'operator', 'auditor')
        ? api('/api/v1/agents/' + encodeURIComponent(id) + '/activity?limit=20')
        : null,
    ]);
    fill(
      main,
      section(
        'Agent ' + a.id,
        { class: 'wide', id: 'agent-summary' },
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'name'),
          h('dd', {}, a.name),
          h('dt', {}, 'model family'),
          h('dd', {}, a.modelFamily || '—'),
          h('dt', {}, 'status'),
          h('dd', { id: 'agent-status', class: 'status ' + a.status }, a.status),
          h('dt', {}, 'alive'),
          h('dd', {}, a.alive ? 'yes' : 'no'),
          h('dt', {}, 'delivery'),
          h('dd', {}, `${a.delivery}${a.consuming ? ', consuming' : ', not consuming'}`),
          h('dt', {}, 'load'),
          h('dd', {}, `${a.currentLoad} / ${a.maxConcurrentTasks}`),
          h('dt', {}, 'task types'),
          h('dd', {}, (caps.taskTypes || []).join(', ')),
          h('dt', {}, 'languages'),
          h('dd', {}, (caps.languages || []).join(', ') || '—'),
          h('dt', {}, 'registered'),
          h('dd', {}, time(a.registeredAt)),
          h('dt', {}, 'last heartbeat'),
          h('dd', {}, time(a.lastHeartbeatAt)),
        ),
        session.canAct && a.status !== 'offline' && a.status !== 'draining'
          ? h(
              'div',
              { class: 'actions' },
              h('button', { type: 'button', id: 'drain-agent', class: 'danger', onclick: drain }, 'Drain (deregister)'),
            )
          : null,
      ),
      section(
        'Figures',
        { class: 'half' },
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'success rate'),
          h('dd', {}, percent(p.successRate)),
          h('dt', {}, 'average quality'),
          h('dd', {}, percent(p.averageQuality)),
          h('dt', {}, 'average latency'),
          h('dd', {}, p.averageLatencyMs !== undefined ? Math.round(p.averageLatencyMs) + ' ms' : ''),
          h('dt', {}, 'tasks'),
          h('dd', {}, p.taskCount),
        ),
      ),
      section(
        'Specializations',
        {},
        (caps.specializations || []).length === 0
          ? h('p', { class: 'muted' }, 'None.')
          : table(['name', 'level', 'tasks'], caps.specializations, (s) =>
              h('tr', {}, h('td', {}, s.name), h('td', {}, s.level), h('td', {}, s.taskCount)),
            ),
      ),
      arms ? section('Learning arms', { class: 'half', id: 'arms' }, armsView(arms)) : null,
      activity ? section('Current leases', { id: 'leases' }, leasesView(activity.leases)) : null,
      activity ? section('Recent results', { class: 'wide', id: 'results' }, resultsView(activity.results)) : null,
    );
  }
  async function drain() {
    if (!(await confirmAction(`Drain agent ${id}? It takes no new work and goes offline once its tasks finish.`)))
      return;
    try {
      await api('/api/v1/agents/' + encodeURIComponent(id), { method: 'DELETE' });
    } catch (e) {
      main.prepend(failure(e));
    }
    reload();
  }
  const reload = debounce(() => render().catch((e) => main.replaceChildren(failure(e))), 200);
  render().catch((e) => main.replaceChildren(failure(e)));
  return {
    onEvent(event) {
      if (event.agentId === id) reload();
    },
  };
}

/** What the learning router knows of this agent for each task type it takes: its arm in /api/v1/routing/stats. */
async function learningArms(a) {
  const types = (a.capabilities && a.capabilities.taskTypes) || [];
  const stats = await Promise.all(
    types.map((type) => api('/api/v1/routing/stats?' + new URLSearchParams({ taskType: type }))),
  );
  return stats.map((s) => ({
    type: s.taskType,
    strategy: s.strategy,
    arm: (s.agents || []).find((x) => x.agentId === a.id) || null,
    rivals: (s.agents || []).length,
  }));
}

/** Posterior mean as a bar (a meter, 0 to 1) beside the pulls it rests on. */
function armsView(arms) {
  if (arms.length === 0) return h('p', { class: 'muted' }, 'No task types.');
  return table(
    ['task type', 'posterior mean', '', 'pulls', 'mean reward', 'agents for the type'],
    arms,
    (r) => {
      const mean = r.arm ? r.arm.posterior.mean : null;
      return h(
        'tr',
        { 'data-arm': r.type },
        h('td', {}, r.type),
        h(
          'td',
          { class: 'bar' },
          mean === null
            ? ''
            : h('meter', { min: 0, max: 1, value: mean, 'aria-label': `posterior mean for ${r.type}` }, percent(mean)),
        ),
        h('td', { class: 'mean' }, mean === null ? '—' : mean.toFixed(3)),
        h('td', { class: 'pulls' }, r.arm ? r.arm.pulls : 0),
        h('td', {}, r.arm && r.arm.meanReward !== null ? r.arm.meanReward.toFixed(3) : '—'),
        h('td', {}, r.rivals),
      );
    },
    { id: 'arm-list' },
  );
}

function leasesView(leases) {
  if (leases.length === 0) return h('p', { class: 'muted' }, 'Holds no task.');
  return table(
    ['task', 'type', 'state', 'attempt', 'lease until'],
    leases,
    (l) =>
      h(
        'tr',
        { 'data-task': l.taskId },
        h('td', { class: 'id' }, taskLink(l.taskId)),
        h('td', {}, l.type),
        stateCell(l.state),
        h('td', {}, l.attempt),
        h('td', {}, time(l.leaseExpiresAt)),
      ),
    { id: 'lease-list' },
  );
}

function resultsView(results) {
  if (results.length === 0) return h('p', { class: 'muted' }, 'No results reported yet.');
  return table(
    ['task', 'attempt', 'type', 'outcome', 'quality', 'error', 'reported'],
    results,
    (r) =>
      h(
        'tr',
        { 'data-task': r.taskId },
        h('td', { class: 'id' }, taskLink(r.taskId)),
        h('td', {}, r.attempt),
        h('td', {}, r.type),
        stateCell(r.outcome),
        h('td', {}, percent(r.quality)),
        h('td', {}, r.error || ''),
        h('td', {}, time(r.reportedAt)),
      ),
    { id: 'result-list' },
  );
}
