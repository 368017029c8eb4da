// A small DOM builder: h('td', {class: 'state'}, text, child...) with on* handlers and data-* attributes.
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name in element && !name.includes('-')) {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export function table(headers, rows, render, attrs = {}) {
  return h(
    'table',
    attrs,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((name) => h('th', { scope: 'col' }, name)),
      ),
    ),
    h('tbody', {}, rows.map(render)),
  );
}

export function time(value) {
  return value ? new Date(value).toLocaleString() : '';
}

export function percent(value) {
  return value === undefined || value === null ? '' : (value * 100).toFixed(0) + ' %';
}

export function json(value) {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}
