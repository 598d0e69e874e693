// The on-call view of one service: its latest deployments, newest first, with provenance, verdict and canary deltas,
// next to the pages and incidents that followed each (GraphQL Service.recentDeployments and Deployment.pagesAfter).
import { dateTime, esc, percent } from './format.js';
import { badge, decisionBadge, statusBadge } from './ui.js';

/** The fields the service query asks for (appended to the service's own). */
export const onCallFields = `recentDeployments(first: 10) { id version status startedAt finishedAt commitSha artifact buildId
  provenanceMissing verdict { decision metrics { metric effect } } pagesAfter { id title source openedAt resolvedAt } }`;

function deltas(metrics) {
  const judged = metrics.filter((m) => m.effect !== null);
  return judged.length === 0
    ? '<span class="muted-text">—</span>'
    : judged.map((m) => `<span class="chip">${esc(m.metric)} ${percent(m.effect, 1, true)}</span>`).join(' ');
}

function provenance(d) {
  return d.provenanceMissing.length === 0
    ? badge('pass', 'Full')
    : `${badge('warn', 'Partial')} <span class="muted-text">missing ${esc(d.provenanceMissing.join(', '))}</span>`;
}

function pages(list) {
  return list.length === 0
    ? '<span class="muted-text">none</span>'
    : `<ul class="plain">${list.map((p) => `<li data-page="${esc(p.id)}">${p.resolvedAt ? badge('muted', 'Resolved') : badge('fail', 'Open')}
        <strong>${esc(p.id)}</strong> ${esc(p.title)} <span class="muted-text">${esc(dateTime(p.openedAt))}</span></li>`).join('')}</ul>`;
}

/** The section for one service (null when the query did not ask for the on-call fields). */
export function onCallSection(service) {
  if (!service.recentDeployments) {
    return '';
  }
  const rows = service.recentDeployments.map((d) => `<tr data-id="${esc(d.id)}">
      <th scope="row"><a href="/deployments/${encodeURIComponent(d.id)}">${esc(d.id)}</a><br><code>${esc(d.version)}</code></th>
      <td>${esc(dateTime(d.startedAt))}</td><td>${statusBadge(d.status)}</td><td>${decisionBadge(d.verdict.decision)}</td>
      <td>${provenance(d)}</td><td>${deltas(d.verdict.metrics)}</td><td>${pages(d.pagesAfter)}</td></tr>`).join('');
  return `<section id="oncall" class="card" aria-labelledby="oncall-title"><h2 id="oncall-title">On call: recent deployments and the pages after them</h2>
    ${service.recentDeployments.length === 0
      ? '<p class="muted-text">No deployment of this service yet.</p>'
      : `<table class="data compact" aria-label="Recent deployments of ${esc(service.name)}"><thead><tr><th scope="col">Deployment</th>
        <th scope="col">Started</th><th scope="col">Status</th><th scope="col">Verdict</th><th scope="col">Provenance</th>
        <th scope="col">Canary deltas</th><th scope="col">Pages after</th></tr></thead><tbody>${rows}</tbody></table>`}
  </section>`;
}
