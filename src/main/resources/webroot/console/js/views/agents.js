// The agent list and an agent's page (figures, specializations, drain).
import { h, table, time, percent } from '../dom.js';
import { session, api, apiOrNull } from '../session.js';
import { confirmAction } from '../confirm.js';
import { agentLink, failure, fill, debounce, section } from '../ui.js';

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
