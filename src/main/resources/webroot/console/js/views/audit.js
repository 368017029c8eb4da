// Audit: verify the hash chain; list, create and revoke waivers.
import { h, table, time } from '../dom.js';
import { session, api } from '../session.js';
import { confirmAction } from '../confirm.js';
import { RULES, failure, fill, section } from '../ui.js';

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
        r.checkpoint ? h('p', { class: 'muted' }, 'From archive checkpoint: ' + JSON.stringify(r.checkpoint)) : null,
      );
    } catch (e) {
      verdict.replaceChildren(failure(e));
    }
  }

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
