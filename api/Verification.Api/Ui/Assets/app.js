// The built-in UI: a small router over the history API. Every page is a function that renders into <main> and
// returns a function that stops whatever it keeps running (polling, subscriptions).
import { deploymentPage, deploymentsPage } from './deployments.js';
import { sloPage } from './slos.js';
import { deliveryPage } from './delivery.js';
import { errorBox } from './ui.js';

const routes = [
  { pattern: /^\/(?:deployments\/?)?$/, section: 'deployments', render: () => deploymentsPage },
  { pattern: /^\/deployments\/([^/]+)$/, section: 'deployments', render: (m) => (main) => deploymentPage(main, decodeURIComponent(m[1])) },
  { pattern: /^\/slos\/?$/, section: 'slos', render: () => (main) => sloPage(main, null) },
  { pattern: /^\/slos\/([^/]+)$/, section: 'slos', render: (m) => (main) => sloPage(main, decodeURIComponent(m[1])) },
  { pattern: /^\/delivery\/?$/, section: 'delivery', render: () => deliveryPage },
];

let stop = () => {};

function show(path, focus) {
  stop();
  stop = () => {};
  const main = document.getElementById('main');
  document.getElementById('connection').textContent = '';
  const route = routes.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  for (const link of document.querySelectorAll('nav a[data-section]')) {
    if (route && link.dataset.section === route.r.section) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  if (!route) {
    document.title = 'Not found · Verification';
    main.innerHTML = `<h1>Page not found</h1>${errorBox('There is no page at this address. Use the navigation above.')}`;
    return;
  }
  const result = route.r.render(route.m)(main);
  stop = typeof result === 'function' ? result : () => {};
  if (focus) {
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
}

/** Follows a link of this app without reloading the page. */
export function navigate(href) {
  history.pushState(null, '', href);
  show(location.pathname, true);
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || url.pathname === '/graphql' || link.target) {
    return;
  }
  event.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', () => show(location.pathname, true));
show(location.pathname, false);
