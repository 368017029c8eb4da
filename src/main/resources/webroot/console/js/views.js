// One function per view: it renders into the main element and returns {onEvent, leave} when it listens.
import { h, table, time, percent, json } from './dom.js';
import { session, api, apiOrNull } from './session.js';
import { confirmAction } from './confirm.js';
import { Charts } from './charts.js';

const STATES = ['scheduled', 'waiting', 'queued', 'assigned', 'running', 'succeeded', 'failed', 'timed_out',
  'canceled', 'dead'];
const UNFINISHED = ['scheduled', 'waiting', 'queued', 'assigned', 'running', 'failed', 'timed_out'];
const RULES = ['budget.max-files', 'budget.max-loc', 'gate.tests-passed', 'gate.min-coverage', 'gate.min-quality'];

const taskLink = (id) => h('a', { href: '#/tasks/' + encodeURIComponent(id), class: 'mono' }, id);
const agentLink = (id) => (id ? h('a', { href: '#/agents/' + encodeURIComponent(id) }, id) : '');
const stateCell = (state) => h('td', { class: 'state ' + state }, state);
const failure = (e) => h('p', { class: 'notice error', role: 'alert' }, e.message);

function fill(element, ...children) {
  element.replaceChildren(...children.filter((child) => child !== null && child !== undefined && child !== false));
}

function debounce(fn, ms) {
  let timer = null;
  return () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
}

function section(title, attrs, ...children) {
  return h('section', { 'aria-label': title, ...attrs }, h('h2', {}, title), ...children);
}

function overview(main) {
  const tasks = new Map();
  const agents = section('Agents', { id: 'agents-panel' }, h('p', {}, 'Loading…'));
  const queue = section('Queue', {}, h('p', { id: 'counts' }));
  const breakers = section('Breakers', {});
  const charts = section('Throughput and queue depth (last 10 minutes)', { class: 'wide', id: 'charts' });
  const submitted = h('span', { id: 'submitted', role: 'status' });
  const type = h('input', { id: 'type', value: 'code-editing', required: true, 'aria-label': 'task type' });
  const priority = h('input', { id: 'priority', type: 'number', min: 0, max: 9, value: 5, 'aria-label': 'priority' });
  const recentBody = h('tbody');
  const recent = section('Recent tasks', { class: 'wide' },
    session.has('admin', 'operator', 'submitter') ? h('form', { id: 'submit', class: 'bar', onsubmit: submit },
      h('label', {}, 'Type', type), h('label', {}, 'Priority', priority),
      h('button', { type: 'submit', class: 'primary' }, 'Submit a task'), submitted) : null,
    h('table', { id: 'tasks' }, h('thead', {}, h('tr', {}, ['task', 'type', 'priority', 'state', 'agent', 'updated']
      .map((name) => h('th', { scope: 'col' }, name)))), recentBody));
  main.append(agents, queue, breakers, charts, recent);
  const chart = new Charts(charts);

  async function submit(e) {
    e.preventDefault();
    try {
      const task = await api('/api/v1/tasks', { method: 'POST', body: { type: type.value, priority: Number(priority.value) } });
      submitted.replaceChildren('submitted ', taskLink(task.id));
      submitted.dataset.task = task.id;
      if (!tasks.has(task.id)) {
        tasks.set(task.id, { id: task.id, type: type.value, priority: Number(priority.value), state: task.state,
          updatedAt: new Date().toISOString() });
        renderTasks();
      }
    } catch (err) {
      submitted.textContent = err.message;
    }
  }

  function renderTasks() {
    const sorted = [...tasks.values()].sort((a, b) => (b.updatedAt || '').localeCompare(a.updatedAt || '')).slice(0, 30);
    recentBody.replaceChildren(...sorted.map((t) => h('tr', { 'data-task': t.id },
      h('td', { class: 'id' }, taskLink(t.id)), h('td', {}, t.type), h('td', {}, t.priority), stateCell(t.state),
      h('td', {}, agentLink(t.agentId)), h('td', {}, t.updatedAt ? new Date(t.updatedAt).toLocaleTimeString() : ''))));
  }

  async function refresh() {
    const [agentPage, counts] = await Promise.all([api('/api/v1/agents?limit=100'), api('/api/v1/queue')]);
    agents.replaceChildren(h('h2', {}, 'Agents'), table(['agent', 'status', 'load', 'success', 'tasks'], agentPage.items,
      (a) => h('tr', { 'data-agent': a.id }, h('td', {}, agentLink(a.id)), h('td', { class: 'status ' + a.status }, a.status),
        h('td', {}, `${a.currentLoad} / ${a.maxConcurrentTasks}`), h('td', {}, percent(a.performance.successRate)),
        h('td', {}, a.performance.taskCount)), { id: 'agents' }));
    queue.replaceChildren(h('h2', {}, 'Queue'),
      h('p', { id: 'counts' }, `${counts.queued} queued, ${counts.assigned} assigned, ${counts.running} running`),
      table(['priority', 'queued'], counts.byPriority, (q) => h('tr', {}, h('td', {}, q.priority), h('td', {}, q.queued)),
        { id: 'queue' }));
    chart.depth(counts.queued, counts.assigned + counts.running);
    const health = await fetch('/health/ready').then((r) => r.json()).catch(() => ({ checks: [] }));
    breakers.replaceChildren(h('h2', {}, 'Breakers'), table(['verticle', 'state'], health.checks || [], (c) => {
      const state = c.data && c.data.state ? c.data.state.toLowerCase().replace('_', '-')
        : (c.status === 'UP' ? 'closed' : 'open');
      return h('tr', {}, h('td', {}, c.id), h('td', { class: 'state ' + state }, state));
    }, { id: 'breakers' }));
  }

  const refreshSoon = debounce(() => refresh().catch(console.error), 250);
  const poll = setInterval(refreshSoon, 5000);
  api('/api/v1/tasks?limit=30').then((page) => {
    page.items.forEach((t) => tasks.set(t.id, { id: t.id, type: t.type, priority: t.priority, state: t.state,
      agentId: t.assignedAgentId, updatedAt: t.updatedAt }));
    renderTasks();
  }).catch((e) => recent.append(failure(e)));
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
        if (['succeeded', 'failed', 'dead', 'canceled', 'timed_out'].includes(known.state)) chart.finished();
      }
      refreshSoon();
    },
    leave() { clearInterval(poll); chart.destroy(); },
  };
}

function tasks(main) {
  const params = new URLSearchParams(sessionStorage.getItem('arbiter.console.taskFilter') || '');
  const state = h('select', { id: 'filter-state' }, h('option', { value: '' }, 'any'),
    STATES.map((s) => h('option', { value: s, selected: params.get('state') === s }, s)));
  const type = h('input', { id: 'filter-type', value: params.get('type') || '', placeholder: 'e.g. code-editing' });
  const search = h('input', { id: 'search-id', placeholder: 'task id', spellcheck: false, size: 38 });
  const size = h('select', { id: 'page-size' }, [10, 25, 50, 100].map((n) =>
    h('option', { value: n, selected: Number(params.get('limit') || 25) === n }, n)));
  const results = h('div', { id: 'task-results' });
  const cursors = [null];
  let page = 0;
  let latest = 0;

  main.append(section('Tasks', { class: 'wide' },
    h('form', { class: 'bar', id: 'find-task', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      const id = search.value.trim();
      if (id) location.hash = '#/tasks/' + encodeURIComponent(id);
    } }, h('label', {}, 'Find by id', search), h('button', { type: 'submit' }, 'Open')),
    h('form', { class: 'bar', id: 'task-filter', onsubmit: (e) => { e.preventDefault(); cursors.length = 1; page = 0; load(); } },
      h('label', {}, 'State', state), h('label', {}, 'Type', type), h('label', {}, 'Per page', size),
      h('button', { type: 'submit' }, 'Filter')),
    results));

  async function load() {
    const query = new URLSearchParams({ limit: size.value });
    if (state.value) query.set('state', state.value);
    if (type.value.trim()) query.set('type', type.value.trim());
    sessionStorage.setItem('arbiter.console.taskFilter', query.toString());
    if (cursors[page]) query.set('cursor', cursors[page]);
    const asked = ++latest;
    try {
      const result = await api('/api/v1/tasks?' + query);
      if (asked !== latest) return;
      cursors[page + 1] = result.nextCursor;
      results.replaceChildren(
        result.items.length === 0 ? h('p', { class: 'muted' }, 'No tasks match.') :
          table(['task', 'type', 'priority', 'state', 'attempt', 'agent', 'created', 'updated'], result.items,
            (t) => h('tr', { 'data-task': t.id }, h('td', { class: 'id' }, taskLink(t.id)), h('td', {}, t.type),
              h('td', {}, t.priority), stateCell(t.state), h('td', {}, t.attempt), h('td', {}, agentLink(t.assignedAgentId)),
              h('td', {}, time(t.createdAt)), h('td', {}, time(t.updatedAt))), { id: 'task-list' }),
        h('nav', { class: 'pager', 'aria-label': 'Pages' },
          h('button', { type: 'button', id: 'previous-page', disabled: page === 0, onclick: () => { page -= 1; load(); } },
            'Previous'),
          h('span', { id: 'page-number' }, `page ${page + 1}`),
          h('button', { type: 'button', id: 'next-page', disabled: !result.nextCursor, onclick: () => { page += 1; load(); } }, 'Next')));
    } catch (e) {
      results.replaceChildren(failure(e));
    }
  }
  load();
  const reloadFirstPage = debounce(() => { if (page === 0) load(); }, 1000);
  return { onEvent(event) { if (event.taskId) reloadFirstPage(); } };
}

function task(main, id) {
  main.append(h('p', {}, 'Loading…'));
  const reload = debounce(() => render().catch((e) => main.replaceChildren(failure(e))), 200);

  async function render() {
    const t = await apiOrNull('/api/v1/tasks/' + encodeURIComponent(id));
    if (!t) {
      main.replaceChildren(section('Task', {}, h('p', { class: 'notice error', role: 'alert' }, `No task ${id} in this tenant.`),
        h('a', { href: '#/tasks' }, 'Back to the tasks')));
      return;
    }
    const [history, decision, graph, callback] = await Promise.all([
      api(`/api/v1/tasks/${id}/history`), apiOrNull(`/api/v1/tasks/${id}/decision`),
      apiOrNull(`/api/v1/tasks/${id}/graph`), apiOrNull(`/api/v1/tasks/${id}/callback`)]);
    const actions = h('div', { class: 'actions' });
    if (session.canAct && UNFINISHED.includes(t.state)) {
      actions.append(h('button', { type: 'button', id: 'cancel-task', class: 'danger', onclick: () =>
        act(`Cancel task ${t.id}? A running agent stops at its next heartbeat.`, 'cancel') }, 'Cancel task'));
    }
    if (session.canAct && t.state === 'dead') {
      actions.append(h('button', { type: 'button', id: 'requeue-task', class: 'primary', onclick: () =>
        act(`Requeue dead task ${t.id} with a fresh set of attempts?`, 'requeue') }, 'Requeue'));
    }
    const transitions = history.items || history;
    fill(main,
      section('Task', { class: 'wide', id: 'task-summary' },
        h('dl', { class: 'facts' },
          h('dt', {}, 'id'), h('dd', { class: 'mono' }, t.id),
          h('dt', {}, 'state'), h('dd', { id: 'task-state', class: 'state ' + t.state }, t.state),
          h('dt', {}, 'type'), h('dd', {}, t.type),
          h('dt', {}, 'priority'), h('dd', {}, t.priority),
          h('dt', {}, 'attempt'), h('dd', {}, `${t.attempt} of ${t.maxAttempts}`),
          h('dt', {}, 'agent'), h('dd', {}, agentLink(t.assignedAgentId) || '—'),
          h('dt', {}, 'created'), h('dd', {}, time(t.createdAt)),
          h('dt', {}, 'updated'), h('dd', {}, time(t.updatedAt)),
          t.unroutable ? [h('dt', {}, 'unroutable'), h('dd', { class: 'error' }, t.unroutable)] : null),
        actions),
      section('Timeline', { id: 'timeline-panel' }, h('ol', { class: 'timeline', id: 'timeline' },
        transitions.map((tr) => h('li', {},
          h('span', { class: 'state ' + tr.to }, (tr.from ? tr.from + ' → ' : '') + tr.to),
          h('div', { class: 'muted' }, `${time(tr.at)} · attempt ${tr.attempt}${tr.agentId ? ' · ' + tr.agentId : ''}`),
          tr.reason ? h('div', {}, tr.reason) : null)))),
      section('Routing decision', { class: 'half', id: 'decision' }, decisionView(decision)),
      section('Result', { class: 'wide', id: 'result' },
        t.result == null && t.error == null ? h('p', { class: 'muted' }, 'No result yet.') : null,
        t.result != null ? json(t.result) : null,
        t.error !== undefined && t.error !== null ? [h('h3', {}, 'Error'), json(t.error)] : null),
      t.parents && t.parents.length ? section('Parents', { id: 'parents' }, table(['task', 'state', 'result'], t.parents,
        (p) => h('tr', {}, h('td', { class: 'id' }, taskLink(p.id || p.taskId)), stateCell(p.state), h('td', {}, json(p.result))))) : null,
      graph && graph.edges && graph.edges.length ? section('Graph', { class: 'half', id: 'graph' },
        table(['task', 'type', 'state', 'waits for'], graph.nodes, (n) => h('tr', { 'data-task': n.id },
          h('td', { class: 'id' }, n.id === t.id ? h('strong', {}, n.id) : taskLink(n.id)), h('td', {}, n.type),
          stateCell(n.state), h('td', { class: 'id' }, graph.edges.filter((e) => e.to === n.id).map((e) =>
            h('div', {}, taskLink(e.from), e.onFailure ? ` (on failure: ${e.onFailure})` : ''))))),
        graph.truncated ? h('p', { class: 'muted' }, 'Truncated at 200 tasks.') : null) : null,
      callback ? section('Callback', { id: 'callback' }, h('dl', { class: 'facts' },
        ['host', 'state', 'attempts', 'lastStatus', 'lastError', 'lastAttemptAt', 'nextAttemptAt', 'deliveredAt']
          .filter((k) => callback[k] !== undefined && callback[k] !== null)
          .map((k) => [h('dt', {}, k), h('dd', {}, k.endsWith('At') ? time(callback[k]) : callback[k])]))) : null);
  }

  async function act(question, verb) {
    if (!(await confirmAction(question))) return;
    try {
      await api(`/api/v1/tasks/${id}/${verb}`, { method: 'POST' });
    } catch (e) {
      main.prepend(failure(e));
    }
    reload();
  }

  render().catch((e) => main.replaceChildren(failure(e)));
  return { onEvent(event) { if (event.taskId === id) reload(); } };
}

function decisionView(d) {
  if (!d) return h('p', { class: 'muted' }, 'No routing decision yet.');
  const parts = [];
  if (d.waiting) {
    parts.push(h('p', { id: 'waiting' }, h('strong', {}, 'Waiting: '), d.waiting.reason || ''),
      d.waiting.unroutable && d.waiting.unroutable !== d.waiting.reason ? h('p', { class: 'error' }, d.waiting.unroutable) : null,
      d.waiting.agents && d.waiting.agents.length ? table(['agent', 'status', 'why'], d.waiting.agents,
        (a) => h('tr', {}, h('td', {}, agentLink(a.agentId)), h('td', { class: 'status ' + a.status }, a.status),
          h('td', {}, a.reason))) : null);
  }
  if (d.agentId) {
    parts.push(h('dl', { class: 'facts' },
      h('dt', {}, 'agent'), h('dd', { id: 'decision-agent' }, agentLink(d.agentId)),
      h('dt', {}, 'strategy'), h('dd', {}, d.strategy),
      h('dt', {}, 'score'), h('dd', {}, d.score !== undefined ? d.score.toFixed(3) : ''),
      h('dt', {}, 'confidence'), h('dd', {}, percent(d.confidence)),
      h('dt', {}, 'attempt'), h('dd', {}, d.attempt),
      h('dt', {}, 'decided'), h('dd', {}, time(d.decidedAt))),
    h('h3', {}, 'Rationale'), h('p', { id: 'rationale' }, d.rationale || '—'),
    h('h3', {}, 'Ranked alternatives'),
    d.alternatives && d.alternatives.length ? table(['agent', 'score'], d.alternatives,
      (a) => h('tr', {}, h('td', {}, agentLink(a.agentId)), h('td', {}, a.score.toFixed(3)))) :
      h('p', { class: 'muted' }, 'None: it was the only capable agent.'));
  }
  return parts;
}

function agents(main) {
  const results = h('div');
  main.append(section('Agents', { class: 'wide' }, results));
  async function load() {
    const page = await api('/api/v1/agents?limit=200');
    results.replaceChildren(page.items.length === 0 ? h('p', { class: 'muted' }, 'No agents registered.') :
      table(['agent', 'name', 'status', 'load', 'delivery', 'consuming', 'success', 'quality', 'tasks', 'last heartbeat'],
        page.items, (a) => h('tr', { 'data-agent': a.id }, h('td', {}, agentLink(a.id)), h('td', {}, a.name),
          h('td', { class: 'status ' + a.status }, a.status), h('td', {}, `${a.currentLoad} / ${a.maxConcurrentTasks}`),
          h('td', {}, a.delivery), h('td', {}, a.consuming ? 'yes' : 'no'), h('td', {}, percent(a.performance.successRate)),
          h('td', {}, percent(a.performance.averageQuality)), h('td', {}, a.performance.taskCount),
          h('td', {}, time(a.lastHeartbeatAt))), { id: 'agent-list' }));
  }
  const reload = debounce(() => load().catch((e) => results.replaceChildren(failure(e))), 250);
  reload();
  return { onEvent(event) { if (event.type.startsWith('agent.') || event.agentId) reload(); } };
}

function agent(main, id) {
  main.append(h('p', {}, 'Loading…'));
  async function render() {
    const a = await apiOrNull('/api/v1/agents/' + encodeURIComponent(id));
    if (!a) {
      main.replaceChildren(section('Agent', {}, h('p', { class: 'notice error', role: 'alert' }, `No agent ${id} in this tenant.`)));
      return;
    }
    const p = a.performance || {};
    const caps = a.capabilities || {};
    fill(main,
      section('Agent ' + a.id, { class: 'wide', id: 'agent-summary' }, h('dl', { class: 'facts' },
        h('dt', {}, 'name'), h('dd', {}, a.name),
        h('dt', {}, 'model family'), h('dd', {}, a.modelFamily || '—'),
        h('dt', {}, 'status'), h('dd', { id: 'agent-status', class: 'status ' + a.status }, a.status),
        h('dt', {}, 'alive'), h('dd', {}, a.alive ? 'yes' : 'no'),
        h('dt', {}, 'delivery'), h('dd', {}, `${a.delivery}${a.consuming ? ', consuming' : ', not consuming'}`),
        h('dt', {}, 'load'), h('dd', {}, `${a.currentLoad} / ${a.maxConcurrentTasks}`),
        h('dt', {}, 'task types'), h('dd', {}, (caps.taskTypes || []).join(', ')),
        h('dt', {}, 'languages'), h('dd', {}, (caps.languages || []).join(', ') || '—'),
        h('dt', {}, 'registered'), h('dd', {}, time(a.registeredAt)),
        h('dt', {}, 'last heartbeat'), h('dd', {}, time(a.lastHeartbeatAt))),
      session.canAct && a.status !== 'offline' && a.status !== 'draining' ? h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'drain-agent', class: 'danger', onclick: drain }, 'Drain (deregister)')) : null),
      section('Figures', { class: 'half' }, h('dl', { class: 'facts' },
        h('dt', {}, 'success rate'), h('dd', {}, percent(p.successRate)),
        h('dt', {}, 'average quality'), h('dd', {}, percent(p.averageQuality)),
        h('dt', {}, 'average latency'), h('dd', {}, p.averageLatencyMs !== undefined ? Math.round(p.averageLatencyMs) + ' ms' : ''),
        h('dt', {}, 'tasks'), h('dd', {}, p.taskCount))),
      section('Specializations', {}, (caps.specializations || []).length === 0 ? h('p', { class: 'muted' }, 'None.') :
        table(['name', 'level', 'tasks'], caps.specializations, (s) => h('tr', {}, h('td', {}, s.name), h('td', {}, s.level),
          h('td', {}, s.taskCount)))));
  }
  async function drain() {
    if (!(await confirmAction(`Drain agent ${id}? It takes no new work and goes offline once its tasks finish.`))) return;
    try {
      await api('/api/v1/agents/' + encodeURIComponent(id), { method: 'DELETE' });
    } catch (e) {
      main.prepend(failure(e));
    }
    reload();
  }
  const reload = debounce(() => render().catch((e) => main.replaceChildren(failure(e))), 200);
  render().catch((e) => main.replaceChildren(failure(e)));
  return { onEvent(event) { if (event.agentId === id) reload(); } };
}

function audit(main) {
  const verdict = h('div', { id: 'verify-result', role: 'status' });
  main.append(section('Audit chain', { class: 'wide' },
    session.canAudit ? [h('p', {}, 'Recomputes the hash chain of the audit log and names the first broken record, if any.'),
      h('button', { type: 'button', id: 'verify-chain', class: 'primary', onclick: verify }, 'Verify chain'), verdict]
      : h('p', { class: 'muted' }, 'Verifying the chain needs the admin or auditor role.')));

  async function verify() {
    verdict.replaceChildren(h('p', {}, 'Verifying…'));
    try {
      const r = await api('/api/v1/audit/verify');
      fill(verdict, r.ok
        ? h('p', { class: 'notice ok', 'data-ok': 'true' }, `Chain intact: ${r.checked} records checked, last id ${r.lastId ?? '—'}.`)
        : h('p', { class: 'notice error', 'data-ok': 'false' }, `Chain broken at record ${r.brokenId}: ${r.reason}.`),
        r.checkpoint ? h('p', { class: 'muted' }, 'From archive checkpoint: ' + JSON.stringify(r.checkpoint)) : null);
    } catch (e) {
      verdict.replaceChildren(failure(e));
    }
  }

  if (!session.canSeeWaivers) return;
  const list = h('div', { id: 'waivers' });
  const rule = h('select', { id: 'waiver-rule', required: true }, RULES.map((r) => h('option', { value: r }, r)));
  const kind = h('select', { id: 'waiver-kind' }, ['task_type', 'task', 'agent'].map((k) => h('option', { value: k }, k)));
  const value = h('input', { id: 'waiver-value', required: true, maxLength: 200 });
  const reason = h('input', { id: 'waiver-reason', required: true, maxLength: 2000 });
  const days = h('input', { id: 'waiver-days', type: 'number', min: 1, max: 30, value: 7, required: true });
  const created = h('p', { id: 'waiver-created', role: 'status' });
  main.append(section('Waivers', { class: 'wide' },
    session.canAct ? h('form', { class: 'grid', id: 'waiver-form', onsubmit: create },
      h('label', {}, 'Rule', rule), h('label', {}, 'Scope', kind), h('label', {}, 'Scope value', value),
      h('label', {}, 'Reason', reason), h('label', {}, 'Expires in (days)', days),
      h('button', { type: 'submit', class: 'primary' }, 'Create waiver')) : null,
    created, list));

  async function create(e) {
    e.preventDefault();
    try {
      const expiresAt = new Date(Date.now() + Number(days.value) * 86400000 - 60000).toISOString();
      const w = await api('/api/v1/waivers', { method: 'POST', body: { rule: rule.value,
        scope: { kind: kind.value, value: value.value.trim() }, reason: reason.value.trim(), expiresAt } });
      created.textContent = `Created waiver ${w.id}.`;
      created.className = 'notice ok';
      reason.value = '';
      load();
    } catch (err) {
      created.textContent = err.message;
      created.className = 'notice error';
    }
  }

  async function revoke(w) {
    if (!(await confirmAction(`Revoke the waiver of ${w.rule} for ${w.scope.kind} ${w.scope.value}?`))) return;
    try {
      await api('/api/v1/waivers/' + w.id, { method: 'DELETE' });
    } catch (err) {
      list.prepend(failure(err));
    }
    load();
  }

  async function load() {
    const page = await api('/api/v1/waivers?limit=100');
    list.replaceChildren(page.items.length === 0 ? h('p', { class: 'muted' }, 'No waivers.') :
      table(['rule', 'scope', 'reason', 'expires', 'by', 'state', ''], page.items, (w) => h('tr', { 'data-waiver': w.id },
        h('td', {}, w.rule), h('td', {}, `${w.scope.kind}: ${w.scope.value}`), h('td', {}, w.reason),
        h('td', {}, time(w.expiresAt)), h('td', {}, w.createdBy),
        h('td', { class: 'state ' + (w.active ? 'ok' : 'muted') }, w.active ? 'active' : (w.revokedAt ? 'revoked' : 'expired')),
        h('td', {}, session.canAct && w.active ? h('button', { type: 'button', class: 'revoke', onclick: () => revoke(w),
          'aria-label': `Revoke waiver of ${w.rule} for ${w.scope.value}` }, 'Revoke') : '')), { id: 'waiver-list' }));
  }
  load().catch((e) => list.replaceChildren(failure(e)));
}

export const views = {
  overview,
  tasks: (main, id) => (id ? task(main, id) : tasks(main)),
  agents: (main, id) => (id ? agent(main, id) : agents(main)),
  audit,
};
