// What the views share: task states, links, cells, notices and small helpers.
import { h } from './dom.js';

export const STATES = [
  'scheduled',
  'waiting',
  'queued',
  'assigned',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'canceled',
  'dead',
];
export const UNFINISHED = ['scheduled', 'waiting', 'queued', 'assigned', 'running', 'failed', 'timed_out'];
export const RULES = [
  'budget.max-files',
  'budget.max-loc',
  'gate.tests-passed',
  'gate.min-coverage',
  'gate.min-quality',
];

export const taskLink = (id) => h('a', { href: '#/tasks/' + encodeURIComponent(id), class: 'mono' }, id);
export const agentLink = (id) => (id ? h('a', { href: '#/agents/' + encodeURIComponent(id) }, id) : '');
export const stateCell = (state) => h('td', { class: 'state ' + state }, state);
export const failure = (e) => h('p', { class: 'notice error', role: 'alert' }, e.message);

export function fill(element, ...children) {
  element.replaceChildren(...children.filter((child) => child !== null && child !== undefined && child !== false));
}

export function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

export function section(title, attrs, ...children) {
  return h('section', { 'aria-label': title, ...attrs }, h('h2', {}, title), ...children);
}
