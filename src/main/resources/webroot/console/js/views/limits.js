// The tenant's limits on what its tasks may ask for: shown to admins, operators and auditors, edited by admins
// (PUT /api/v1/tenant-limits replaces them all; an empty field is no limit).
import { h } from '../dom.js';
import { session, api } from '../session.js';
import { confirmAction } from '../confirm.js';
import { failure, fill, section } from '../ui.js';

const NUMBERS = [
  ['maxFiles', 'Most files a task budget may allow', 0],
  ['maxLoc', 'Most lines a task budget may allow', 0],
  ['maxPayloadBytes', 'Largest payload (bytes)', 1],
  ['defaultQueueTimeoutMs', 'Default queue time-out (ms)', 100],
];

export function limits(main) {
  const panel = section('Tenant limits', { class: 'wide', id: 'limits' }, h('p', {}, 'Loading…'));
  main.append(panel);
  if (!session.has('admin', 'operator', 'auditor')) {
    panel.replaceChildren(
      h('h2', {}, 'Tenant limits'),
      h('p', { class: 'muted' }, 'Needs the admin, operator or auditor role.'),
    );
    return;
  }
  const status = h('div', { id: 'limits-status', role: 'status' });

  async function load() {
    const current = await api('/api/v1/tenant-limits');
    const editable = session.has('admin');
    const inputs = {};
    const fields = NUMBERS.map(([name, label, min]) => {
      inputs[name] = h('input', {
        id: 'limit-' + name,
        type: 'number',
        min,
        max: name === 'defaultQueueTimeoutMs' ? 31536000000 : 2147483647,
        value: current[name] ?? '',
        placeholder: 'no limit',
        disabled: !editable,
      });
      return h('label', {}, label, inputs[name]);
    });
    inputs.taskTypes = h('input', {
      id: 'limit-taskTypes',
      value: (current.taskTypes || []).join(', '),
      placeholder: 'all types',
      maxLength: 20000,
      disabled: !editable,
    });
    const form = h(
      'form',
      { class: 'grid', id: 'limits-form', onsubmit: (e) => save(e, inputs) },
      fields,
      h('label', {}, 'Task types allowed (comma-separated)', inputs.taskTypes),
      editable ? h('button', { type: 'submit', class: 'primary' }, 'Save limits') : null,
    );
    fill(
      panel,
      h('h2', {}, 'Tenant limits'),
      h(
        'p',
        { class: 'muted' },
        'A submission that breaks a limit is refused (422, naming the rule); a task without a budget gets the file ' +
          'and line limits as its budget. An empty field sets no limit.',
      ),
      form,
      editable ? null : h('p', { class: 'muted' }, 'Only an admin changes them.'),
      status,
    );
  }

  async function save(e, inputs) {
    e.preventDefault();
    const body = {};
    for (const [name] of NUMBERS) {
      const value = inputs[name].value.trim();
      body[name] = value === '' ? null : Number(value);
    }
    body.taskTypes = inputs.taskTypes.value
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t);
    if (!(await confirmAction('Replace the tenant limits? New submissions are checked against them at once.'))) return;
    try {
      await api('/api/v1/tenant-limits', { method: 'PUT', body });
      await load();
      status.replaceChildren(h('p', { class: 'notice ok', id: 'limits-saved' }, 'Limits saved.'));
    } catch (err) {
      status.replaceChildren(failure(err));
    }
  }

  load().catch((e) => panel.append(failure(e)));
}
