// SLOs per service: error budget remaining, burn rates per window against the multi-window, multi-burn-rate
// thresholds (Google SRE Workbook ch. 5: 14.4 / 6 page, 3 / 1 ticket, scaled to the SLO's period), alert and gate.
import { query } from './gql.js';
import { clock, count, date, esc, hours, percent } from './format.js';
import { budgetGauge, burnRateChart } from './charts.js';
import { alertBadge, connection, emptyState, errorBox, every, gateBadge } from './ui.js';
import { onCallFields, onCallSection } from './oncall.js';

const sloFields = `name displayName description target window budgetingMethod budgetRemaining timeToExhaustionHours alert
  good total periodStart periodEnd burnRates { window rate }`;
const serviceFields = `name policy { minBudgetRemaining blockOnPage blockOnTicket }
  gate { allowed reason slo budgetRemaining alert checkedAt } slos { ${sloFields} }`;
const servicesQuery = `query Services { services { ${serviceFields} } }`;
const serviceQuery = `query Service($name: String!) { service(name: $name) { ${serviceFields} ${onCallFields} } }`;

/** The workbook's rules (BurnRateAlerting.Rules in the analysis library). */
const workbookRules = [
  { long: '1h', short: '5m', factor: 14.4, alert: 'PAGE' },
  { long: '6h', short: '30m', factor: 6, alert: 'PAGE' },
  { long: '1d', short: '2h', factor: 3, alert: 'TICKET' },
  { long: '3d', short: '6h', factor: 1, alert: 'TICKET' },
];
const thirtyDaysMs = 30 * 24 * 3600 * 1000;

const sloExample = `curl -X POST http://${location.host}/v1/slos -H 'Content-Type: application/yaml' --data-binary @- <<'EOF'
apiVersion: openslo/v1
kind: SLO
metadata: {name: availability}
spec:
  service: checkout
  indicator:
    metadata: {name: checkout-errors}
    spec:
      ratioMetric:
        counter: true
        good:  {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total{code!~"5.."}[1m]))'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total[1m]))'}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{displayName: Good, target: 0.999}]
EOF`;

function rulesFor(slo) {
  const period = new Date(slo.periodEnd).getTime() - new Date(slo.periodStart).getTime();
  const scale = period > 0 ? period / thirtyDaysMs : 1;
  return workbookRules.map((r) => ({ ...r, threshold: r.factor * scale }));
}

function sloCard(service, slo) {
  const rules = rulesFor(slo);
  const rate = (w) => slo.burnRates.find((r) => r.window === w)?.rate ?? 0;
  const ruleRows = rules.map((r) => {
    const firing = rate(r.long) > r.threshold && rate(r.short) > r.threshold;
    return `<tr class="${firing ? 'firing' : ''}"><th scope="row">${r.alert === 'PAGE' ? 'Page' : 'Ticket'}</th>
      <td>${r.long} and ${r.short} &gt; ${r.threshold.toFixed(2)}×</td>
      <td class="num">${rate(r.long).toFixed(2)}× / ${rate(r.short).toFixed(2)}×</td>
      <td>${firing ? '<span class="badge fail">Firing</span>' : '<span class="badge muted">Quiet</span>'}</td></tr>`;
  }).join('');
  const id = `slo-${service}-${slo.name}`.replace(/[^A-Za-z0-9_-]/g, '-');
  return `<article class="slo card" aria-labelledby="${esc(id)}">
    <header class="slo-head"><h3 id="${esc(id)}">${esc(slo.displayName ?? slo.name)}</h3>${alertBadge(slo.alert)}
      <span class="muted-text">target ${percent(slo.target, slo.target >= 0.99 ? 2 : 1)} · ${esc(slo.window)} · ${esc(slo.budgetingMethod.toLowerCase())}</span></header>
    ${slo.description ? `<p class="muted-text">${esc(slo.description)}</p>` : ''}
    <div class="slo-body">
      <div class="budget">
        <p class="big-number" data-budget="${slo.budgetRemaining}">${percent(slo.budgetRemaining)}</p>
        <p class="muted-text">error budget remaining</p>
        ${budgetGauge(slo.budgetRemaining)}
        <dl class="facts compact">
          <div><dt>Time to exhaustion</dt><dd>${slo.timeToExhaustionHours === null ? 'not burning' : hours(slo.timeToExhaustionHours)}</dd></div>
          <div><dt>Good / total</dt><dd>${count(slo.good)} / ${count(slo.total, 'events')}</dd></div>
          <div><dt>Period</dt><dd>${esc(date(slo.periodStart))} → ${esc(date(slo.periodEnd))}</dd></div>
        </dl>
      </div>
      <div class="burn">
        <h4>Burn rate per window</h4>
        ${burnRateChart(slo.burnRates, rules)}
        <table class="data compact" aria-label="Alert rules of ${esc(slo.name)}"><thead><tr><th scope="col">Alert</th><th scope="col">Rule</th>
          <th scope="col" class="num">Long / short</th><th scope="col">State</th></tr></thead><tbody>${ruleRows}</tbody></table>
      </div>
    </div></article>`;
}

function serviceSection(service) {
  return `<section class="service" aria-labelledby="svc-${esc(service.name)}">
    <header class="service-head"><h2 id="svc-${esc(service.name)}"><a href="/slos/${encodeURIComponent(service.name)}">${esc(service.name)}</a></h2>
      ${gateBadge(service.gate.allowed)}<span class="muted-text">${esc(service.gate.reason)}</span></header>
    <p class="muted-text policy">Release policy: no promotion while an SLO has ≤ ${percent(service.policy.minBudgetRemaining, 0)} budget left${
      service.policy.blockOnPage ? ', or pages' : ''}${service.policy.blockOnTicket ? ', or raises a ticket' : ''}.</p>
    ${service.slos.length === 0
      ? '<p class="card muted-text">No SLO defined for this service yet (it is listed for its release policy or incidents): apply an OpenSLO document for it with POST /v1/slos or applySlo.</p>'
      : service.slos.map((s) => sloCard(service.name, s)).join('')}
    ${onCallSection(service)}
  </section>`;
}

export function sloPage(main, name) {
  document.title = `${name ? `${name} · ` : ''}SLOs · Verification`;
  main.innerHTML = `${name ? `<nav class="crumbs" aria-label="Breadcrumb"><a href="/slos">SLOs</a> <span aria-hidden="true">/</span> <span>${esc(name)}</span></nav>` : ''}
    <div class="page-head"><div><h1>${name ? `SLOs of ${esc(name)}` : 'SLOs'}</h1>
    <p class="lede">Error budgets and multi-window burn rates; page at 14.4× (1h & 5m) or 6× (6h & 30m), ticket at 3× (1d & 2h) or 1× (3d & 6h), scaled to each SLO's period. Refreshed every 15 s.</p></div></div>
    <div id="services"><p class="loading">Loading SLOs…</p></div>`;
  let loaded = false;
  return every(15000, async () => {
    const host = main.querySelector('#services');
    try {
      const services = name ? [(await query(serviceQuery, { name })).service].filter(Boolean) : (await query(servicesQuery)).services;
      loaded = true;
      host.innerHTML = services.length === 0
        ? emptyState(name ? `No SLOs for “${name}”` : 'No SLOs yet',
          'Define an SLO in OpenSLO v1 YAML and apply it, then send good/total events (POST /v1/slo-events or recordSloEvents). Its budget and burn rates appear here.',
          sloExample)
        : services.slice().sort((a, b) => (b.slos.length > 0) - (a.slos.length > 0) || a.name.localeCompare(b.name)).map(serviceSection).join('');
      connection(`Updated ${clock()}`);
    } catch (e) {
      if (!loaded) {
        host.innerHTML = errorBox(e.message);
      }
      connection('Cannot reach the server; retrying', 'fail');
    }
  });
}
