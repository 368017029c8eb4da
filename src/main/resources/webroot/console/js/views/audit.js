// Audit: verify the hash chain; browse the records (filters, keyset paging); list, create and revoke waivers.
import { h, table, time } from '../dom.js';
import { session, api } from '../session.js';
import { confirmAction } from '../confirm.js';
import { RULES, taskLink, failure, fill, section } from '../ui.js';

export function audit(main) {
  const verdict = h('div', { id: 'verify-result', role: 'status' });
  main.append(
    section(
      'Audit chain',
      { class: 'wide' },
      session.canAudit
        ? [
            h('p', {}, 'Recomputes the hash chain of the audit log and names the first broken record, if any.'),
            h('button', { type: 'button', id: 'verify-chain', class: 'primary', onclick: verify }, 'Verify chain'),
            verdict,
          ]
        : h('p', { class: 'muted' }, 'Verifying the chain needs the admin or auditor role.'),
    ),
  );

  async function verify() {
    verdict.replaceChildren(h('p', {}, 'Verifying…'));
    try {
      const r = await api('/api/v1/audit/verify');
      fill(
        verdict,
        r.ok
          ? h(
              'p',
              { class: 'notice ok', 'data-ok': 'true' },
              `Chain intact: ${r.checked} records checked, last id ${r.lastId ?? '—'}.`,
            )
          : h('p', { class: 'notice error', 'data-ok': 'false' }, `Chain broken at record ${r.brokenId}: ${r.reason}.`),
        r.from ? h('p', { class: 'muted' }, walkedFrom(r.from)) : null,
        r.checkpoint ? h('p', { class: 'muted' }, 'From archive checkpoint: ' + JSON.stringify(r.checkpoint)) : null,
      );
    } catch (e) {
      verdict.replaceChildren(failure(e));
    }
  }

  function walkedFrom(from) {
    const after = from.recordId == null ? '' : ` (after record ${from.recordId})`;
    if (from.kind === 'verified') return `Checked only what was sealed since the intact walk of ${from.at}${after}.`;
    if (from.kind === 'archived') return `Checked every stored record from the archive checkpoint${after}.`;
    return 'Checked every record from the first.';
  }

  if (session.has('admin', 'auditor')) main.append(records());
  if (!session.canSeeWaivers) return;
  const list = h('div', { id: 'waivers' });
  const rule = h(
    'select',
    { id: 'waiver-rule', required: true },
    RULES.map((r) => h('option', { value: r }, r)),
  );
  const kind = h(
    'select',
    { id: 'waiver-kind' },
    ['task_type', 'task', 'agent'].map((k) => h('option', { value: k }, k)),
  );
  const value = h('input', { id: 'waiver-value', required: true, maxLength: 200 });
  const reason = h('input', { id: 'waiver-reason', required: true, maxLength: 2000 });
  const days = h('input', { id: 'waiver-days', type: 'number', min: 1, max: 30, value: 7, required: true });
  const created = h('p', { id: 'waiver-created', role: 'status' });
  main.append(
    section(
      'Waivers',
      { class: 'wide' },
      session.canAct
        ? h(
            'form',
            { class: 'grid', id: 'waiver-form', onsubmit: create },
            h('label', {}, 'Rule', rule),
            h('label', {}, 'Scope', kind),
            h('label', {}, 'Scope value', value),
            h('label', {}, 'Reason', reason),
            h('label', {}, 'Expires in (days)', days),
            h('button', { type: 'submit', class: 'primary' }, 'Create waiver'),
          )
        : null,
      created,
      list,
    ),
  );

  async function create(e) {
    e.preventDefault();
    try {
      const expiresAt = new Date(Date.now() + Number(days.value) * 86400000 - 60000).toISOString();
      const w = await api('/api/v1/waivers', {
        method: 'POST',
        body: {
          rule: rule.value,
          scope: { kind: kind.value, value: value.value.trim() },
          reason: reason.value.trim(),
          expiresAt,
        },
      });
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
    list.replaceChildren(
      page.items.length === 0
        ? h('p', { class: 'muted' }, 'No waivers.')
        : table(
            ['rule', 'scope', 'reason', 'expires', 'by', 'state', ''],
            page.items,
            (w) =>
              h(
                'tr',
                { 'data-waiver': w.id },
                h('td', {}, w.rule),
                h('td', {}, `${w.scope.kind}: ${w.scope.value}`),
                h('td', {}, w.reason),
                h('td', {}, time(w.expiresAt)),
                h('td', {}, w.createdBy),
                h(
                  'td',
                  { class: 'state ' + (w.active ? 'ok' : 'muted') },
                  w.active ? 'active' : w.revokedAt ? 'revoked' : 'expired',
                ),
                h(
                  'td',
                  {},
                  session.canAct && w.active
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'revoke',
                          onclick: () => revoke(w),
                          'aria-label': `Revoke waiver of ${w.rule} for ${w.scope.value}`,
                        },
                        'Revoke',
                      )
                    : '',
                ),
              ),
            { id: 'waiver-list' },
          ),
    );
  }
  load().catch((e) => list.replaceChildren(failure(e)));
}

/** The audit browser: GET /api/v1/audit with its filters, newest first, a page at a time (keyset cursors). */
function records() {
  const action = h('input', { id: 'audit-action', placeholder: 'e.g. task.requeued', maxLength: 200 });
  const actor = h('input', { id: 'audit-actor', placeholder: 'subject', maxLength: 200 });
  const taskId = h('input', { id: 'audit-task', placeholder: 'task id', spellcheck: false, maxLength: 36, size: 38 });
  const outcome = h(
    'select',
    { id: 'audit-outcome' },
    h('option', { value: '' }, 'any'),
    ['success', 'failure', 'denied'].map((o) => h('option', { value: o }, o)),
  );
  const from = h('input', { id: 'audit-from', type: 'datetime-local' });
  const to = h('input', { id: 'audit-to', type: 'datetime-local' });
  const results = h('div', { id: 'audit-results' });
  const cursors = [null];
  let page = 0;

  async function load() {
    const query = new URLSearchParams({ limit: 25 });
    if (action.value.trim()) query.set('action', action.value.trim());
    if (actor.value.trim()) query.set('actor', actor.value.trim());
    if (taskId.value.trim()) query.set('target', 'task:' + taskId.value.trim());
    if (outcome.value) query.set('outcome', outcome.value);
    if (from.value) query.set('from', new Date(from.value).toISOString());
    if (to.value) query.set('to', new Date(to.value).toISOString());
    if (cursors[page]) query.set('cursor', cursors[page]);
    try {
      const result = await api('/api/v1/audit?' + query);
      cursors[page + 1] = result.nextCursor;
      results.replaceChildren(
        result.items.length === 0
          ? h('p', { class: 'muted' }, 'No records match.')
          : table(['id', 'at', 'actor', 'action', 'target', 'outcome', 'details'], result.items, recordRow, {
              id: 'audit-list',
            }),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Audit pages' },
          h(
            'button',
            { type: 'button', id: 'audit-previous', disabled: page === 0, onclick: () => move(-1) },
            'Previous',
          ),
          h('span', { id: 'audit-page' }, `page ${page + 1}`),
          h(
            'button',
            { type: 'button', id: 'audit-next', disabled: !result.nextCursor, onclick: () => move(1) },
            'Next',
          ),
        ),
      );
    } catch (e) {
      results.replaceChildren(failure(e));
    }
  }

  function move(by) {
    page += by;
    load();
  }

  load();
  return section(
    'Audit records',
    { class: 'wide', id: 'audit-browser' },
    h(
      'form',
      {
        class: 'bar',
        id: 'audit-filter',
        onsubmit: (e) => {
          e.preventDefault();
          cursors.length = 1;
          page = 0;
          load();
        },
      },
      h('label', {}, 'Action', action),
      h('label', {}, 'Actor', actor),
      h('label', {}, 'Task id', taskId),
      h('label', {}, 'Outcome', outcome),
      h('label', {}, 'From', from),
      h('label', {}, 'Before', to),
      h('button', { type: 'submit' }, 'Filter'),
    ),
    results,
  );
}

function recordRow(r) {
  const task = /^task:(.+)$/.exec(r.target || '');
  return h(
    'tr',
    { 'data-record': r.id },
    h('td', {}, r.id),
    h('td', {}, time(r.at)),
    h('td', {}, `${r.actor} (${r.actorRole})`),
    h('td', { class: 'action' }, r.action),
    h('td', { class: 'id' }, task ? taskLink(task[1]) : r.target),
    h('td', { class: 'state ' + (r.outcome === 'success' ? 'ok' : 'error') }, r.outcome),
    h('td', { class: 'mono details' }, JSON.stringify(r.details || {})),
  );
}
