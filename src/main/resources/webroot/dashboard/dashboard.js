// Arbiter's dashboard: REST for the current picture, server-sent events (/api/v1/events) for what changes.
// The token comes from the login form or the URL fragment (#token=...), which browsers never send to the server,
// and is kept in sessionStorage only.
(() => {
  const $ = (id) => document.getElementById(id);
  const tasks = new Map();
  let token = null;
  let events = null;
  let refreshTimer = null;

  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    sessionStorage.setItem('arbiter.token', fromFragment);
    history.replaceState(null, '', location.pathname);
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      ...options,
      headers: { ...(options.headers || {}), Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail || response.statusText);
    }
    return response.status === 204 ? null : response.json();
  }

  function cell(row, text, cls) {
    const td = row.insertCell();
    td.textContent = text ?? '';
    if (cls) td.className = cls;
    return td;
  }

  function fill(tableId, rows, render) {
    const body = $(tableId).tBodies[0];
    body.replaceChildren();
    rows.forEach((item) => render(body.insertRow(), item));
  }

  async function refresh() {
    const [agents, queue] = await Promise.all([api('/api/v1/agents?limit=100'), api('/api/v1/queue')]);
    fill('agents', agents.items, (row, a) => {
      row.dataset.agent = a.id;
      cell(row, a.id);
      cell(row, a.status, 'status ' + a.status);
      cell(row, a.currentLoad + ' / ' + a.maxConcurrentTasks);
      cell(row, (a.performance.successRate * 100).toFixed(0) + ' %');
      cell(row, a.performance.taskCount);
    });
    $('counts').textContent = `${queue.queued} queued, ${queue.assigned} assigned, ${queue.running} running`;
    fill('queue', queue.byPriority, (row, q) => { cell(row, q.priority); cell(row, q.queued); });
    const health = await fetch('/health/ready').then((r) => r.json()).catch(() => ({ checks: [] }));
    fill('breakers', health.checks || [], (row, c) => {
      const state = c.data && c.data.state ? c.data.state.toLowerCase().replace('_', '-')
        : (c.status === 'UP' ? 'closed' : 'open');
      cell(row, c.id);
      cell(row, state, 'state ' + state);
    });
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refresh().catch(console.error), 250);
  }

  function renderTasks() {
    const sorted = [...tasks.values()].sort((a, b) => (b.updatedAt || '').localeCompare(a.updatedAt || '')).slice(0, 30);
    fill('tasks', sorted, (row, t) => {
      row.dataset.task = t.id;
      cell(row, t.id);
      cell(row, t.type);
      cell(row, t.priority);
      cell(row, t.state, 'state ' + t.state);
      cell(row, t.agentId);
      cell(row, t.updatedAt ? new Date(t.updatedAt).toLocaleTimeString() : '');
    });
  }

  function onEvent(event) {
    if (event.taskId) {
      const known = tasks.get(event.taskId) || { id: event.taskId, type: event.details.type, priority: event.details.priority };
      known.state = event.type.slice('task.'.length);
      known.agentId = event.agentId || known.agentId;
      known.updatedAt = event.at;
      tasks.set(event.taskId, known);
      renderTasks();
    }
    scheduleRefresh();
  }

  async function connect() {
    token = sessionStorage.getItem('arbiter.token');
    if (!token) return;
    const list = await api('/api/v1/tasks?limit=30');
    list.items.forEach((t) => tasks.set(t.id, { id: t.id, type: t.type, priority: t.priority, state: t.state,
      agentId: t.assignedAgentId, updatedAt: t.updatedAt }));
    renderTasks();
    await refresh();
    await connectEvents();
  }

  // The live stream opens with a one-time ticket, never with the token in its URL; a ticket serves one connection,
  // so a lost stream reconnects with a fresh one.
  async function connectEvents() {
    if (events) events.close();
    events = null;
    const { ticket } = await api('/api/v1/stream-tickets', { method: 'POST' });
    const stream = new EventSource('/api/v1/events?ticket=' + encodeURIComponent(ticket));
    events = stream;
    stream.onopen = () => { $('live').textContent = 'live'; $('live').className = 'on'; };
    stream.onerror = () => {
      $('live').textContent = 'reconnecting'; $('live').className = 'off';
      stream.close();
      if (events === stream) setTimeout(() => { if (events === stream) connectEvents().catch(() => {}); }, 2000);
    };
    stream.onmessage = (m) => onEvent(JSON.parse(m.data));
    ['task.queued', 'task.assigned', 'task.running', 'task.succeeded', 'task.failed', 'task.timed_out',
      'task.canceled', 'task.dead', 'task.requeued', 'agent.registered', 'agent.updated', 'agent.deregistered',
      'agent.online', 'agent.offline'].forEach((type) => stream.addEventListener(type, (m) => onEvent(JSON.parse(m.data))));
  }

  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('arbiter.token', $('token').value.trim());
    $('token').value = '';
    connect().catch((err) => alert(err.message));
  });

  $('submit').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const task = await api('/api/v1/tasks', { method: 'POST',
        body: JSON.stringify({ type: $('type').value, priority: Number($('priority').value) }) });
      $('submitted').textContent = 'submitted ' + task.id;
      $('submitted').dataset.task = task.id;
      if (!tasks.has(task.id)) {
        tasks.set(task.id, { id: task.id, type: $('type').value, priority: Number($('priority').value),
          state: task.state, updatedAt: new Date().toISOString() });
        renderTasks();
      }
    } catch (err) {
      $('submitted').textContent = err.message;
    }
  });

  connect().catch((err) => { $('live').textContent = err.message; });
})();
