// Arbiter's operator console: hash routes (#/overview, #/tasks, #/tasks/<id>, #/agents, #/agents/<id>, #/audit,
// #/limits), REST for each view, the live event stream for what changes.
import { session, LiveStream } from './session.js';
import { views } from './views.js';

const $ = (id) => document.getElementById(id);
let current = null;

const stream = new LiveStream(
  (event) => current && current.onEvent && current.onEvent(event),
  (state) => {
    $('live').textContent = state;
    $('live').className = state === 'live' ? 'on' : 'off';
  },
);

function route() {
  const [name, id] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view = views[name] ? name : 'overview';
  return { view, id };
}

async function show() {
  if (!session.token) return;
  if (current && current.leave) current.leave();
  const { view, id } = route();
  document.querySelectorAll('header nav a').forEach((a) => {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  const main = $('view');
  main.replaceChildren();
  main.dataset.view = view;
  document.title = `Arbiter console: ${view}`;
  current = views[view](main, id) || null;
}

function signedIn() {
  const { sub, tenant } = session.claims;
  $('who').textContent = `${sub || '?'} · ${tenant || '?'} · ${session.roles.join(', ')}`;
  $('signout').hidden = false;
  if ($('signin').open) $('signin').close();
  stream.open().catch(() => {});
  show();
}

function askSignIn(message) {
  $('who').textContent = '';
  $('signout').hidden = true;
  $('view').replaceChildren();
  $('signin-error').textContent = message || '';
  if (!$('signin').open) $('signin').showModal();
  $('token').focus();
}

$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = $('token').value.trim();
  $('token').value = '';
  if (session.signIn(token)) signedIn();
  else askSignIn('That is not a valid, unexpired token.');
});
$('signin').addEventListener('cancel', (e) => e.preventDefault());
$('signout').addEventListener('click', () => {
  stream.close();
  session.signOut();
  if (current && current.leave) current.leave();
  current = null;
  askSignIn('Signed out.');
});
// Moving to another view moves keyboard and screen-reader focus to its content.
window.addEventListener('hashchange', () => {
  show();
  $('view').focus({ preventScroll: true });
});
window.addEventListener('arbiter:unauthorized', () => {
  stream.close();
  session.signOut();
  askSignIn('The server refused the token (expired or revoked): sign in again.');
});

// A link from the former dashboard may still carry #token=…: it is dropped unread, so it leaves the address bar.
const carriedToken = /(^#|&)token=/.test(location.hash);
if (carriedToken) history.replaceState(null, '', location.pathname);

if (session.restore()) signedIn();
else askSignIn(carriedToken ? 'Tokens in the address are not accepted: paste it here instead.' : '');
