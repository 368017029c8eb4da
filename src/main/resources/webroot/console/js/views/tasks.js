// The task list (filters, keyset paging, find by id, requeue of a type's dead tasks) and a task's page (timeline,
// decision, result, graph, actions).
import { h, table, time, percent, json } from '../dom.js';
import { session, api, apiOrNull } from '../session.js';
import { confirmAction } from '../confirm.js';
import { STATES, UNFINISHED, taskLink, agentLink, stateCell, failure, fill, debounce, section } from '../ui.js';

export function tasks(main) {
  const params = new URLSearchParams(sessionStorage.getItem('arbiter.console.taskFilter') || '');
  const state = h(
    'select',
    { id: 'filter-state' },
    h('option', { value: '' }, 'any'),
    STATES.map((s) => h('option', { value: s, selected: params.get('state') === s }, s)),
  );
  const type = h('input', { id: 'filter-type', value: params.get('type') || '', placeholder: 'e.g. code-editing' });
  const agent = h('input', { id: 'filter-agent', value: params.get('agent') || '', placeholder: 'agent id' });
  const tenant = session.has('platform')
    ? h('input', { id: 'filter-tenant', value: params.get('tenant') || '', placeholder: 'default: yours' })
    : null;
  const from = h('input', { id: 'filter-from', type: 'datetime-local', value: local(params.get('from')) });
  const to = h('input', { id: 'filter-to', type: 'datetime-local', value: local(params.get('to')) });
  const bulkAction = h('div', { class: 'actions' });
  const bulkStatus = h('div', { role: 'status' });
  const bulk = h('div', { id: 'bulk' }, bulkAction, bulkStatus);
  const search = h('input', { id: 'search-id', placeholder: 'task id', spellcheck: false, size: 38 });
  const size = h(
    'select',
    { id: 'page-size' },
    [10, 25, 50, 100].map((n) => h('option', { value: n, selected: Number(params.get('limit') || 25) === n }, n)),
  );
  const results = h('div', { id: 'task-results' });
  const cursors = [null];
  let page = 0;
  let latest = 0;

  main.append(
    section(
      'Tasks',
      { class: 'wide' },
      h(
        'form',
        {
          class: 'bar',
          id: 'find-task',
          role: 'search',
          onsubmit: (e) => {
            e.preventDefault();
            const id = search.value.trim();
            if (id) location.hash = '#/tasks/' + encodeURIComponent(id);
          },
        },
        h('label', {}, 'Find by id', search),
        h('button', { type: 'submit' }, 'Open'),
      ),
      h(
        'form',
        {
          class: 'bar',
          id: 'task-filter',
          onsubmit: (e) => {
            e.preventDefault();
            cursors.length = 1;
            page = 0;
            load();
          },
        },
        h('label', {}, 'State', state),
        h('label', {}, 'Type', type),
        h('label', {}, 'Agent', agent),
        tenant ? h('label', {}, 'Tenant', tenant) : null,
        h('label', {}, 'Created from', from),
        h('label', {}, 'Created before', to),
        h('label', {}, 'Per page', size),
        h('button', { type: 'submit' }, 'Filter'),
      ),
      bulk,
      results,
    ),
  );

  async function load() {
    const query = new URLSearchParams({ limit: size.value });
    if (state.value) query.set('state', state.value);
    if (type.value.trim()) query.set('type', type.value.trim());
    if (agent.value.trim()) query.set('agent', agent.value.trim());
    if (tenant && tenant.value.trim()) query.set('tenant', tenant.value.trim());
    if (from.value) query.set('from', new Date(from.value).toISOString());
    if (to.value) query.set('to', new Date(to.value).toISOString());
    sessionStorage.setItem('arbiter.console.taskFilter', query.toString());
    offerBulkRequeue(query);
    if (cursors[page]) query.set('cursor', cursors[page]);
    const asked = ++latest;
    try {
      const result = await api('/api/v1/tasks?' + query);
      if (asked !== latest) return;
      cursors[page + 1] = result.nextCursor;
      results.replaceChildren(
        result.items.length === 0
          ? h('p', { class: 'muted' }, 'No tasks match.')
          : table(
              ['task', 'type', 'priority', 'state', 'attempt', 'agent', 'created', 'updated'],
              result.items,
              (t) =>
                h(
                  'tr',
                  { 'data-task': t.id },
                  h('td', { class: 'id' }, taskLink(t.id)),
                  h('td', {}, t.type),
                  h('td', {}, t.priority),
                  stateCell(t.state),
                  h('td', {}, t.attempt),
                  h('td', {}, agentLink(t.assignedAgentId)),
                  h('td', {}, time(t.createdAt)),
                  h('td', {}, time(t.updatedAt)),
                ),
              { id: 'task-list' },
            ),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Pages' },
          h(
            'button',
            {
              type: 'button',
              id: 'previous-page',
              disabled: page === 0,
              onclick: () => {
                page -= 1;
                load();
              },
            },
            'Previous',
          ),
          h('span', { id: 'page-number' }, `page ${page + 1}`),
          h(
            'button',
            {
              type: 'button',
              id: 'next-page',
              disabled: !result.nextCursor,
              onclick: () => {
                page += 1;
                load();
              },
            },
            'Next',
          ),
        ),
      );
    } catch (e) {
      results.replaceChildren(failure(e));
    }
  }
  // Offered for the tenant's own dead tasks of one type: the confirmation states how many there are (up to the most
  // one request requeues).
  function offerBulkRequeue(query) {
    const deadType = query.get('state') === 'dead' && !query.get('tenant') ? query.get('type') : null;
    bulkAction.replaceChildren(
      session.canAct && deadType
        ? h(
            'button',
            { type: 'button', id: 'requeue-all', class: 'primary', onclick: () => requeueAll(deadType) },
            `Requeue all dead tasks of type ${deadType}`,
          )
        : '',
    );
  }

  async function requeueAll(deadType) {
    bulkStatus.replaceChildren();
    try {
      const counted = await api(`/api/v1/tasks?${new URLSearchParams({ state: 'dead', type: deadType, limit: BULK })}`);
      const n = counted.items.length;
      if (n === 0) {
        bulkStatus.append(h('p', { class: 'notice', id: 'requeued' }, `No dead tasks of type ${deadType}.`));
        return;
      }
      const count = counted.nextCursor ? `the ${n} longest dead` : `${n}`;
      const question =
        `Requeue ${count} dead task${n === 1 ? '' : 's'} of type ${deadType}, ` + 'each with a fresh set of attempts?';
      if (!(await confirmAction(question))) return;
      const done = await api('/api/v1/task-requeues', {
        method: 'POST',
        body: { type: deadType, state: 'dead', limit: n },
      });
      bulkStatus.append(h('p', { class: 'notice ok', id: 'requeued' }, `Requeued ${done.requeued} of type ${deadType}.`));
      cursors.length = 1;
      page = 0;
      load();
    } catch (e) {
      bulkStatus.append(failure(e));
    }
  }

  load();
  const reloadFirstPage = debounce(() => {
    if (page === 0) load();
  }, 1000);
  return {
    onEvent(event) {
      if (event.taskId) reloadFirstPage();
    },
  };
}

/** The most dead tasks one bulk requeue takes: one page of the list at its default largest size. */
const BULK = 500;

/** An ISO instant as a datetime-local input's value (local time, to the minute), or ''. */
function local(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

export function task(main, id) {
  main.append(h('p', {}, 'Loading…'));
  const reload = debounce(() => render().catch((e) => main.replaceChildren(failure(e))), 200);

  async function render() {
    const t = await apiOrNull('/api/v1/tasks/' + encodeURIComponent(id));
    if (!t) {
      main.replaceChildren(
        section(
          'Task',
          {},
          h('p', { class: 'notice error', role: 'alert' }, `No task ${id} in this tenant.`),
          h('a', { href: '#/tasks' }, 'Back to the tasks'),
        ),
      );
      return;
    }
    const [history, decision, graph, callback] = await Promise.all([
      api(`/api/v1/tasks/${id}/history`),
      apiOrNull(`/api/v1/tasks/${id}/decision`),
      apiOrNull(`/api/v1/tasks/${id}/graph`),
      apiOrNull(`/api/v1/tasks/${id}/callback`),
    ]);
    const actions = h('div', { class: 'actions' });
    if (session.canAct && UNFINISHED.includes(t.state)) {
      actions.append(
        h(
          'button',
          {
            type: 'button',
            id: 'cancel-task',
            class: 'danger',
            onclick: () => act(`Cancel task ${t.id}? A running agent stops at its next heartbeat.`, 'cancel'),
          },
          'Cancel task',
        ),
      );
    }
    if (session.canAct && t.state === 'dead') {
      actions.append(
        h(
          'button',
          {
            type: 'button',
            id: 'requeue-task',
            class: 'primary',
            onclick: () => act(`Requeue dead task ${t.id} with a fresh set of attempts?`, 'requeue'),
          },
          'Requeue',
        ),
      );
    }
    const transitions = history.items || history;
    fill(
      main,
      section(
        'Task',
        { class: 'wide', id: 'task-summary' },
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'id'),
          h('dd', { class: 'mono' }, t.id),
          h('dt', {}, 'state'),
          h('dd', { id: 'task-state', class: 'state ' + t.state }, t.state),
          h('dt', {}, 'type'),
          h('dd', {}, t.type),
          h('dt', {}, 'priority'),
          h('dd', {}, t.priority),
          h('dt', {}, 'attempt'),
          h('dd', {}, `${t.attempt} of ${t.maxAttempts}`),
          h('dt', {}, 'agent'),
          h('dd', {}, agentLink(t.assignedAgentId) || '—'),
          h('dt', {}, 'created'),
          h('dd', {}, time(t.createdAt)),
          h('dt', {}, 'updated'),
          h('dd', {}, time(t.updatedAt)),
          t.unroutable ? [h('dt', {}, 'unroutable'), h('dd', { class: 'error' }, t.unroutable)] : null,
        ),
        actions,
      ),
      section(
        'Timeline',
        { id: 'timeline-panel' },
        h(
          'ol',
          { class: 'timeline', id: 'timeline' },
          transitions.map((tr) =>
            h(
              'li',
              {},
              h('span', { class: 'state ' + tr.to }, (tr.from ? tr.from + ' → ' : '') + tr.to),
              h(
                'div',
                { class: 'muted' },
                `${time(tr.at)} · attempt ${tr.attempt}${tr.agentId ? ' · ' + tr.agentId : ''}`,
              ),
              tr.reason ? h('div', {}, tr.reason) : null,
            ),
          ),
        ),
      ),
      section('Routing decision', { class: 'half', id: 'decision' }, decisionView(decision)),
      section(
        'Result',
        { class: 'wide', id: 'result' },
        t.result == null && t.error == null ? h('p', { class: 'muted' }, 'No result yet.') : null,
        t.result != null ? json(t.result) : null,
        t.error !== undefined && t.error !== null ? [h('h3', {}, 'Error'), json(t.error)] : null,
      ),
      t.parents && t.parents.length
        ? section(
            'Parents',
            { id: 'parents' },
            table(['task', 'state', 'result'], t.parents, (p) =>
              h(
                'tr',
                {},
                h('td', { class: 'id' }, taskLink(p.id || p.taskId)),
                stateCell(p.state),
                h('td', {}, json(p.result)),
              ),
            ),
          )
        : null,
      graph && graph.edges && graph.edges.length
        ? section(
            'Graph',
            { class: 'half', id: 'graph' },
            table(['task', 'type', 'state', 'waits for'], graph.nodes, (n) =>
              h(
                'tr',
                { 'data-task': n.id },
                h('td', { class: 'id' }, n.id === t.id ? h('strong', {}, n.id) : taskLink(n.id)),
                h('td', {}, n.type),
                stateCell(n.state),
                h(
                  'td',
                  { class: 'id' },
                  graph.edges
                    .filter((e) => e.to === n.id)
                    .map((e) => h('div', {}, taskLink(e.from), e.onFailure ? ` (on failure: ${e.onFailure})` : '')),
                ),
              ),
            ),
            graph.truncated ? h('p', { class: 'muted' }, 'Truncated at 200 tasks.') : null,
          )
        : null,
      callback
        ? section(
            'Callback',
            { id: 'callback' },
            h(
              'dl',
              { class: 'facts' },
              ['host', 'state', 'attempts', 'lastStatus', 'lastError', 'lastAttemptAt', 'nextAttemptAt', 'deliveredAt']
                .filter((k) => callback[k] !== undefined && callback[k] !== null)
                .map((k) => [h('dt', {}, k), h('dd', {}, k.endsWith('At') ? time(callback[k]) : callback[k])]),
            ),
          )
        : null,
    );
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
  return {
    onEvent(event) {
      if (event.taskId === id) reload();
    },
  };
}

function decisionView(d) {
  if (!d) return h('p', { class: 'muted' }, 'No routing decision yet.');
  const parts = [];
  if (d.waiting) {
    parts.push(
      h('p', { id: 'waiting' }, h('strong', {}, 'Waiting: '), d.waiting.reason || ''),
      d.waiting.unroutable && d.waiting.unroutable !== d.waiting.reason
        ? h('p', { class: 'error' }, d.waiting.unroutable)
        : null,
      d.waiting.agents && d.waiting.agents.length
        ? table(['agent', 'status', 'why'], d.waiting.agents, (a) =>
            h(
              'tr',
              {},
              h('td', {}, agentLink(a.agentId)),
              h('td', { class: 'status ' + a.status }, a.status),
              h('td', {}, a.reason),
            ),
          )
        : null,
    );
  }
  if (d.agentId) {
    parts.push(
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'agent'),
        h('dd', { id: 'decision-agent' }, agentLink(d.agentId)),
        h('dt', {}, 'strategy'),
        h('dd', {}, d.strategy),
        h('dt', {}, 'score'),
        h('dd', {}, d.score !== undefined ? d.score.toFixed(3) : ''),
        h('dt', {}, 'confidence'),
        h('dd', {}, percent(d.confidence)),
        h('dt', {}, 'attempt'),
        h('dd', {}, d.attempt),
        h('dt', {}, 'decided'),
        h('dd', {}, time(d.decidedAt)),
      ),
      h('h3', {}, 'Rationale'),
      h('p', { id: 'rationale' }, d.rationale || '—'),
      h('h3', {}, 'Ranked alternatives'),
      d.alternatives && d.alternatives.length
        ? table(['agent', 'score'], d.alternatives, (a) =>
            h('tr', {}, h('td', {}, agentLink(a.agentId)), h('td', {}, a.score.toFixed(3))),
          )
        : h('p', { class: 'muted' }, 'None: it was the only capable agent.'),
    );
  }
  return parts;
}
