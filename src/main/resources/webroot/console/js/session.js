// The signed-in operator: the bearer token lives in this tab's sessionStorage only (never localStorage, never the
// URL), and the live stream opens with a one-time ticket rather than the token.
const KEY = 'arbiter.console.token';

/** Only for display and for choosing which actions to show: the server checks every call itself. */
export function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const text = decodeURIComponent(
      [...atob(part)].map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
    );
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const session = {
  token: null,
  claims: null,
  roles: [],
  has(...roles) {
    return roles.some((role) => this.roles.includes(role));
  },
  get canAct() {
    return this.has('admin', 'operator');
  },
  get canAudit() {
    return this.has('admin', 'auditor', 'platform');
  },
  get canSeeWaivers() {
    return this.has('admin', 'operator', 'auditor');
  },
  restore() {
    const stored = sessionStorage.getItem(KEY);
    return stored ? this.signIn(stored) : false;
  },
  signIn(token) {
    const payload = claims(token);
    if (!payload || (payload.exp && payload.exp * 1000 < Date.now())) {
      this.signOut();
      return false;
    }
    this.token = token;
    this.claims = payload;
    this.roles = Array.isArray(payload.roles) ? payload.roles : [];
    sessionStorage.setItem(KEY, token);
    return true;
  },
  signOut() {
    this.token = null;
    this.claims = null;
    this.roles = [];
    sessionStorage.clear();
  },
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || 'HTTP ' + status);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, options = {}) {
  const headers = { ...(options.headers || {}), Authorization: 'Bearer ' + session.token };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    ...options,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new Event('arbiter:unauthorized'));
    throw new ApiError(response.status, await response.json().catch(() => ({})));
  }
  return response.status === 204 ? null : response.json();
}

/** Optional resources (a decision not yet made, a callback never asked for) answer 404: null here. */
export async function apiOrNull(path) {
  try {
    return await api(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

const EVENT_TYPES = [
  'task.scheduled',
  'task.waiting',
  'task.queued',
  'task.assigned',
  'task.running',
  'task.succeeded',
  'task.failed',
  'task.timed_out',
  'task.canceled',
  'task.dead',
  'task.requeued',
  'task.unroutable',
  'task.routable',
  'task.purged',
  'agent.registered',
  'agent.consuming',
  'agent.updated',
  'agent.deregistered',
  'agent.online',
  'agent.offline',
];

/**
 * The tenant's live events. A ticket serves one connection, so a lost stream reconnects with a fresh one;
 * {@code onState} hears 'live', 'reconnecting' and 'offline'.
 */
export class LiveStream {
  constructor(onEvent, onState) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.source = null;
    this.retry = null;
  }

  async open() {
    this.close();
    const { ticket } = await api('/api/v1/stream-tickets', { method: 'POST' });
    const source = new EventSource('/api/v1/events?ticket=' + encodeURIComponent(ticket));
    this.source = source;
    const deliver = (m) => this.onEvent(JSON.parse(m.data));
    source.onopen = () => this.onState('live');
    source.onmessage = deliver;
    EVENT_TYPES.forEach((type) => source.addEventListener(type, deliver));
    source.addEventListener('expired', () => {
      this.close();
      window.dispatchEvent(new Event('arbiter:unauthorized'));
    });
    source.onerror = () => {
      if (this.source !== source) return;
      source.close();
      this.onState('reconnecting');
      this.retry = setTimeout(() => {
        if (this.source === source && session.token) this.open().catch(() => this.onState('offline'));
      }, 2000);
    };
  }

  close() {
    clearTimeout(this.retry);
    if (this.source) this.source.close();
    this.source = null;
    this.onState('offline');
  }
}
