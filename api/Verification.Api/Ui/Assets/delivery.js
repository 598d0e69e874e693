// Delivery: the DORA metrics with their performance level, the weekly trend (deliveryTrend), and per team and
// per service.
import { query } from './gql.js';
import { clock, count, esc, hours, perDay, percent } from './format.js';
import { trendChart } from './charts.js';
import { connection, emptyState, errorBox, levelBadge } from './ui.js';

const metricFields = `deployments deploymentFrequencyPerDay leadTimeHours leadTimeP90Hours changeFailureRate recoveryTimeHours reworkRate
  levels { deploymentFrequency leadTime changeFailureRate recoveryTime } performance from to`;

const pageQuery = `query Delivery($service: String, $team: String, $days: Int) {
  delivery(service: $service, team: $team, days: $days) { ${metricFields} }
  deliveryTrend(service: $service, team: $team, weeks: 12) { isoYear isoWeek metrics { deployments deploymentFrequencyPerDay leadTimeHours changeFailureRate recoveryTimeHours reworkRate } }
  deployments(first: 1000) { service team }
}`;

/** The five DORA metrics: how to read each, its unit, and its level bands (DORA 2023). */
const metrics = [
  { key: 'deploymentFrequencyPerDay', level: 'deploymentFrequency', title: 'Deployment frequency', format: perDay,
    bands: 'Elite: on demand (≥ 1/day) · High: daily–weekly · Medium: weekly–monthly · Low: less' },
  { key: 'leadTimeHours', level: 'leadTime', title: 'Lead time for changes', format: hours, note: 'median, commit → promotion',
    bands: 'Elite: < 1 day · High: < 1 week · Medium: < 1 month · Low: more' },
  { key: 'changeFailureRate', level: 'changeFailureRate', title: 'Change failure rate', format: (v) => percent(v),
    bands: 'Elite: 0–5 % · High: 5–10 % · Medium: 10–15 % · Low: more' },
  { key: 'recoveryTimeHours', level: 'recoveryTime', title: 'Time to restore service', format: hours, note: 'median',
    bands: 'Elite: < 1 hour · High: < 1 day · Medium: < 1 week · Low: more' },
  { key: 'reworkRate', level: null, title: 'Rework rate', format: (v) => percent(v), note: 'unplanned deployments',
    bands: 'No DORA bands yet: lower is better' },
];

const example = `curl -X POST http://${location.host}/v1/deployments -H 'Content-Type: application/json' -d '{
  "id": "checkout-43", "service": "checkout", "version": "v43", "team": "payments",
  "commitTime": "2026-01-01T09:00:00Z",
  "metrics": [{"name": "errors", "kind": "RATIO", "direction": "INCREASE"}]
}'
# … then, when the CD tool has promoted it:
curl -X POST http://${location.host}/graphql -H 'Content-Type: application/json' \\
  -d '{"query": "mutation { completeDeployment(id: \\"checkout-43\\", status: PROMOTED) { status } }"}'`;

const tableQuery = (kind, names) => `query By${kind}(${names.map((_, i) => `$v${i}: String`).join(', ')}${names.length ? ', ' : ''}$days: Int) {
  ${names.map((_, i) => `r${i}: delivery(${kind === 'Team' ? 'team' : 'service'}: $v${i}, days: $days) { deployments deploymentFrequencyPerDay leadTimeHours changeFailureRate recoveryTimeHours reworkRate performance }`).join('\n  ')}
}`;

function card(m, delivery) {
  const value = delivery[m.key];
  const level = m.level ? delivery.levels[m.level] : null;
  return `<article class="kpi card" aria-labelledby="kpi-${m.key}">
    <h3 id="kpi-${m.key}">${esc(m.title)}</h3>
    <p class="big-number">${esc(m.format(value))}</p>
    <p>${m.level ? levelBadge(level) : ''} <span class="muted-text">${esc(m.note ?? '')}</span></p>
    <p class="bands">${esc(m.bands)}</p>
  </article>`;
}

function byTable(kind, names, rows) {
  if (names.length === 0) {
    return `<p class="muted-text">No ${kind === 'Team' ? 'team' : 'service'} yet${kind === 'Team' ? ': register deployments with a <code>team</code>' : ''}.</p>`;
  }
  return `<div class="table-wrap"><table class="data" aria-label="Delivery by ${kind.toLowerCase()}"><thead><tr><th scope="col">${kind}</th>
    <th scope="col" class="num">Deployments</th><th scope="col" class="num">Frequency</th><th scope="col" class="num">Lead time</th>
    <th scope="col" class="num">Change failure</th><th scope="col" class="num">Restore</th><th scope="col" class="num">Rework</th><th scope="col">Level</th></tr></thead>
    <tbody>${names.map((n, i) => {
      const r = rows[`r${i}`];
      return `<tr><th scope="row">${esc(n)}</th><td class="num">${count(r.deployments)}</td><td class="num">${esc(perDay(r.deploymentFrequencyPerDay))}</td>
        <td class="num">${esc(hours(r.leadTimeHours))}</td><td class="num">${esc(percent(r.changeFailureRate))}</td>
        <td class="num">${esc(hours(r.recoveryTimeHours))}</td><td class="num">${esc(percent(r.reworkRate))}</td><td>${levelBadge(r.performance)}</td></tr>`;
    }).join('')}</tbody></table></div>`;
}

export function deliveryPage(main) {
  document.title = 'Delivery · Verification';
  const params = new URLSearchParams(location.search);
  main.innerHTML = `<div class="page-head"><div><h1>Delivery</h1>
      <p class="lede">DORA metrics of production deployments, with their performance level, weekly trend, and per team and service.</p></div></div>
    <form class="filters" id="filters" aria-label="Delivery filters">
      <label>Team <select name="team"><option value="">All teams</option></select></label>
      <label>Service <select name="service"><option value="">All services</option></select></label>
      <label>Window <select name="days">${[7, 30, 90, 365].map((d) => `<option value="${d}"${String(d) === (params.get('days') ?? '30') ? ' selected' : ''}>last ${d} days</option>`).join('')}</select></label>
    </form>
    <div id="delivery"><p class="loading">Loading delivery metrics…</p></div>`;
  const form = main.querySelector('#filters');
  let generation = 0;

  const load = async () => {
    const mine = ++generation;
    const host = main.querySelector('#delivery');
    const team = form.elements.team.value || params.get('team') || null;
    const service = form.elements.service.value || params.get('service') || null;
    const days = Number(form.elements.days.value);
    try {
      const data = await query(pageQuery, { service, team, days });
      const teams = [...new Set(data.deployments.map((d) => d.team).filter(Boolean))].sort();
      const services = [...new Set(data.deployments.map((d) => d.service))].sort();
      const [byTeam, byService] = await Promise.all([
        teams.length ? query(tableQuery('Team', teams), { ...Object.fromEntries(teams.map((t, i) => [`v${i}`, t])), days }) : {},
        services.length ? query(tableQuery('Service', services), { ...Object.fromEntries(services.map((s, i) => [`v${i}`, s])), days }) : {},
      ]);
      if (mine !== generation) {
        return;
      }
      const fill = (select, names, chosen, all) => {
        select.innerHTML = `<option value="">${all}</option>${names.map((n) => `<option${n === chosen ? ' selected' : ''}>${esc(n)}</option>`).join('')}`;
      };
      fill(form.elements.team, teams, team, 'All teams');
      fill(form.elements.service, services, service, 'All services');
      const d = data.delivery;
      if (data.deployments.length === 0) {
        host.innerHTML = emptyState('No deployments yet',
          'DORA metrics come from production deployments: register them (with <code>commitTime</code> for lead time and <code>team</code> for the per-team view) and complete them with the CD tool’s outcome.',
          example);
        connection(`Updated ${clock()}`);
        return;
      }
      const weekLabel = (w) => `W${String(w.isoWeek).padStart(2, '0')}`;
      host.innerHTML = `
        <section aria-labelledby="overall"><h2 id="overall" class="section-title">${esc(team ? `Team ${team}` : service ?? 'All services')}:
          ${levelBadge(d.performance)} <span class="muted-text">${count(d.deployments, 'production deployments')} in the last ${days} days</span></h2>
          ${d.deployments === 0 ? '<p class="muted-text">No production deployment in this window: widen the window or clear the filters.</p>' : ''}
          <div class="kpi-grid">${metrics.map((m) => card(m, d)).join('')}</div></section>
        <section class="card" aria-labelledby="trend-title"><h2 id="trend-title">Weekly trend (12 ISO weeks)</h2>
          <div class="trend-grid">${metrics.map((m) => `<figure><figcaption>${esc(m.title)}</figcaption>${
            trendChart(data.deliveryTrend.map((w) => ({ label: weekLabel(w), value: w.metrics[m.key] })), { format: m.format, label: m.title })}</figure>`).join('')}</div></section>
        <section class="card" aria-labelledby="team-title"><h2 id="team-title">By team</h2>${byTable('Team', teams, byTeam)}</section>
        <section class="card" aria-labelledby="service-title"><h2 id="service-title">By service</h2>${byTable('Service', services, byService)}</section>`;
      connection(`Updated ${clock()}`);
    } catch (e) {
      host.innerHTML = errorBox(e.message);
    }
  };

  form.addEventListener('change', () => {
    params.delete('team');
    params.delete('service');
    load();
  });
  load();
  return () => {
    generation += 1;
  };
}
