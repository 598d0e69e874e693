// Deployments: the live list with decision badges, and one deployment's verdict with the evidence per metric,
// updated over the verdictChanged subscription.
import { query, subscribe } from './gql.js';
import { ago, clock, count, dateTime, esc, percent, words } from './format.js';
import { intervalChart } from './charts.js';
import { classificationBadge, connection, decisionBadge, emptyState, errorBox, every, gateBadge, statusBadge } from './ui.js';

const listQuery = `query Deployments($first: Int) {
  deployments(first: $first) {
    id service version environment team status startedAt finishedAt
    verdict { decision reason score decidedAt }
  }
}`;

const verdictFields = `decision reason score decidedAt
  metrics { metric classification critical pValue effect ciLow ciHigh baselineCount canaryCount }
  gate { allowed reason slo budgetRemaining alert }`;

const deploymentQuery = `query Deployment($id: ID!) {
  deployment(id: $id) {
    id service version environment team commitSha commitTime startedAt finishedAt status unplanned
    analysis { method alpha minDurationSeconds maxDurationSeconds }
    metrics { name kind direction critical allowedChange }
    summaries { metric cohort observations count total mean }
    verdict { ${verdictFields} }
  }
}`;

const verdictSubscription = `subscription VerdictChanged($id: ID!) { verdictChanged(deploymentId: $id) { ${verdictFields} } }`;

const registerExample = `curl -X POST http://${location.host}/v1/deployments -H 'Content-Type: application/json' -d '{
  "id": "checkout-42", "service": "checkout", "version": "v42",
  "metrics": [{"name": "errors", "kind": "RATIO", "direction": "INCREASE", "critical": true}]
}'`;

const decisions = ['PENDING', 'PROMOTE', 'ROLLBACK', 'INCONCLUSIVE'];

export function deploymentsPage(main) {
  document.title = 'Deployments · Verification';
  main.innerHTML = `
    <div class="page-head">
      <div><h1>Deployments</h1><p class="lede">Canary verdicts of every deployment, newest first. The list refreshes every 5 s.</p></div>
    </div>
    <form class="filters" id="filters" role="search" aria-label="Filter deployments">
      <label>Service <select name="service"><option value="">All services</option></select></label>
      <label>Verdict <select name="decision"><option value="">All verdicts</option>${decisions.map((d) => `<option>${d}</option>`).join('')}</select></label>
      <label>Search <input name="text" type="search" placeholder="id or version" autocomplete="off"></label>
    </form>
    <div id="summary" class="chips" aria-live="polite"></div>
    <div id="list"><p class="loading">Loading deployments…</p></div>`;
  const form = main.querySelector('#filters');
  let all = null;

  const render = () => {
    const list = main.querySelector('#list');
    if (all.length === 0) {
      main.querySelector('#filters').hidden = true;
      main.querySelector('#summary').innerHTML = '';
      list.innerHTML = emptyState('No deployments yet',
        'Register a deployment from your CD tool (HTTP, GraphQL <code>registerDeployment</code>, Flagger or the CLI), then send baseline and canary samples. It appears here within 5 seconds.',
        registerExample);
      return;
    }
    form.hidden = false;
    const services = [...new Set(all.map((d) => d.service))].sort();
    const select = form.elements.service;
    const chosen = select.value;
    select.innerHTML = `<option value="">All services</option>${services.map((s) => `<option${s === chosen ? ' selected' : ''}>${esc(s)}</option>`).join('')}`;
    const text = form.elements.text.value.trim().toLowerCase();
    const shown = all.filter((d) => (!select.value || d.service === select.value)
      && (!form.elements.decision.value || d.verdict.decision === form.elements.decision.value)
      && (!text || d.id.toLowerCase().includes(text) || d.version.toLowerCase().includes(text)));
    const tally = decisions.map((d) => [d, all.filter((x) => x.verdict.decision === d).length]).filter(([, n]) => n > 0);
    main.querySelector('#summary').innerHTML = tally.map(([d, n]) => `<span class="chip">${decisionBadge(d)} <strong>${n}</strong></span>`).join('')
      + `<span class="chip muted-text">${count(all.length)} total</span>`;
    list.innerHTML = shown.length === 0
      ? emptyState('No deployment matches these filters', 'Clear the search or choose “All services” and “All verdicts”.')
      : `<div class="table-wrap"><table class="data" aria-label="Deployments">
          <thead><tr><th scope="col">Deployment</th><th scope="col">Service</th><th scope="col">Version</th><th scope="col">Environment</th>
          <th scope="col">Team</th><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Verdict</th><th scope="col" class="num">Score</th></tr></thead>
          <tbody>${shown.map((d) => `<tr data-id="${esc(d.id)}">
            <th scope="row"><a href="/deployments/${encodeURIComponent(d.id)}">${esc(d.id)}</a></th>
            <td>${esc(d.service)}</td><td><code>${esc(d.version)}</code></td><td>${esc(d.environment)}</td><td>${esc(d.team ?? '—')}</td>
            <td><time datetime="${esc(d.startedAt)}" title="${esc(dateTime(d.startedAt))}">${esc(ago(d.startedAt))}</time></td>
            <td>${statusBadge(d.status)}</td><td>${decisionBadge(d.verdict.decision)}</td>
            <td class="num">${d.verdict.score === null ? '—' : `${d.verdict.score.toFixed(0)} / 100`}</td></tr>`).join('')}</tbody></table></div>`;
  };

  form.addEventListener('input', () => all && render());
  form.addEventListener('submit', (e) => e.preventDefault());
  return every(5000, async () => {
    try {
      const data = await query(listQuery, { first: 500 });
      all = data.deployments.slice().sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      render();
      connection(`Updated ${clock()}`);
    } catch (e) {
      if (all === null) {
        main.querySelector('#list').innerHTML = errorBox(e.message);
      }
      connection('Cannot reach the server; retrying', 'fail');
    }
  });
}

function allowedText(definition) {
  if (!definition || definition.allowedChange === null || definition.allowedChange === undefined) {
    return 'not set (10 % margin to promote)';
  }
  const a = percent(definition.allowedChange);
  return definition.direction === 'INCREASE' ? `up to +${a}` : definition.direction === 'DECREASE' ? `down to −${a}` : `± ${a}`;
}

function metricCard(judgement, definition) {
  const direction = definition?.direction ?? 'EITHER';
  const badChange = { INCREASE: 'an increase is bad', DECREASE: 'a decrease is bad', EITHER: 'any change is bad' }[direction];
  return `<article class="metric" aria-labelledby="m-${esc(judgement.metric)}">
    <header><h3 id="m-${esc(judgement.metric)}">${esc(judgement.metric)}</h3>
      ${classificationBadge(judgement.classification)}${judgement.critical ? '<span class="badge outline">Critical</span>' : ''}
      <span class="muted-text">${esc(words(definition?.kind))} · ${esc(badChange)}</span></header>
    ${intervalChart({ ...judgement, allowed: definition?.allowedChange ?? null, direction, label: judgement.metric })}
    <dl class="facts compact">
      <div><dt>Effect</dt><dd>${percent(judgement.effect, 1, true)}</dd></div>
      <div><dt>Interval</dt><dd>${judgement.ciLow === null ? '—' : `${percent(judgement.ciLow, 1, true)} … ${percent(judgement.ciHigh, 1, true)}`}</dd></div>
      <div><dt>Allowed change</dt><dd>${esc(allowedText(definition))}</dd></div>
      <div><dt>p-value</dt><dd>${judgement.pValue === null ? '—' : judgement.pValue < 0.0001 ? '&lt; 0.0001' : judgement.pValue.toFixed(4)}</dd></div>
      <div><dt>Baseline</dt><dd>${count(judgement.baselineCount, definition?.kind === 'RATIO' ? 'events' : 'values')}</dd></div>
      <div><dt>Canary</dt><dd>${count(judgement.canaryCount, definition?.kind === 'RATIO' ? 'events' : 'values')}</dd></div>
    </dl></article>`;
}

function renderVerdict(main, deployment, verdict) {
  const definitions = new Map(deployment.metrics.map((m) => [m.name, m]));
  main.querySelector('#verdict').innerHTML = `
    <div class="verdict-line"><span id="verdict-decision" class="decision-large">${decisionBadge(verdict.decision)}</span>
      <p id="verdict-reason" class="reason">${esc(verdict.reason)}</p></div>
    <dl class="facts">
      <div><dt>Score</dt><dd>${verdict.score === null ? '—' : `${verdict.score.toFixed(0)} / 100`}</dd></div>
      <div><dt>Decided</dt><dd>${verdict.decidedAt ? esc(dateTime(verdict.decidedAt)) : 'not yet'}</dd></div>
      ${verdict.gate ? `<div><dt>Release gate</dt><dd>${gateBadge(verdict.gate.allowed)} ${esc(verdict.gate.reason)}</dd></div>` : ''}
    </dl>`;
  main.querySelector('#metrics').innerHTML = verdict.metrics.length === 0
    ? emptyState('No metric judged yet', 'Send baseline and canary samples for this deployment (POST /v1/samples or recordSamples).')
    : `<p class="legend"><span class="key allowed"></span> allowed change <span class="key interval"></span> confidence interval of the effect (canary vs baseline) <span class="key point"></span> estimate</p>
       <div class="metric-grid">${verdict.metrics.map((j) => metricCard(j, definitions.get(j.metric))).join('')}</div>`;
}

export function deploymentPage(main, id) {
  document.title = `${id} · Deployments · Verification`;
  main.innerHTML = `<nav class="crumbs" aria-label="Breadcrumb"><a href="/deployments">Deployments</a> <span aria-hidden="true">/</span> <span>${esc(id)}</span></nav>
    <div id="deployment"><p class="loading">Loading deployment…</p></div>`;
  let stopped = false;
  let unsubscribe = () => {};
  query(deploymentQuery, { id }).then((data) => {
    if (stopped) {
      return;
    }
    const d = data.deployment;
    const host = main.querySelector('#deployment');
    if (!d) {
      host.innerHTML = emptyState(`No deployment “${id}”`, 'Check the id, or pick one from the <a href="/deployments">list of deployments</a>.');
      return;
    }
    document.title = `${d.service} ${d.version} · Deployments · Verification`;
    const summaries = d.summaries.map((s) => `<tr><th scope="row">${esc(s.metric)}</th><td>${esc(words(s.cohort))}</td>
      <td class="num">${count(s.observations)}</td><td class="num">${s.total === null ? '—' : count(s.total, 'events')}</td>
      <td class="num">${s.count === null ? '—' : count(s.count)}</td><td class="num">${s.mean === null ? '—' : s.mean.toFixed(3)}</td></tr>`).join('');
    host.innerHTML = `
      <div class="page-head"><div><h1>${esc(d.service)} <code>${esc(d.version)}</code></h1>
        <p class="lede">Deployment <code>${esc(d.id)}</code> to ${esc(d.environment)}${d.team ? `, team ${esc(d.team)}` : ''} · ${statusBadge(d.status)}</p></div></div>
      <section class="card" aria-labelledby="verdict-title"><h2 id="verdict-title">Verdict</h2><div id="verdict"></div></section>
      <section class="card" aria-labelledby="metrics-title"><h2 id="metrics-title">Evidence per metric</h2><div id="metrics"></div></section>
      <div class="two">
      <section class="card" aria-labelledby="facts-title"><h2 id="facts-title">Deployment</h2><dl class="facts">
        <div><dt>Started</dt><dd>${esc(dateTime(d.startedAt))}</dd></div>
        <div><dt>Finished</dt><dd>${d.finishedAt ? esc(dateTime(d.finishedAt)) : 'still verifying'}</dd></div>
        <div><dt>Commit</dt><dd>${d.commitSha ? `<code>${esc(d.commitSha.slice(0, 12))}</code>` : '—'}</dd></div>
        <div><dt>Analysis</dt><dd>${esc(words(d.analysis.method))}, α = ${d.analysis.alpha}</dd></div>
        <div><dt>Minimum duration</dt><dd>${d.analysis.minDurationSeconds === null ? 'none' : count(d.analysis.minDurationSeconds, 's')}</dd></div>
        <div><dt>Maximum duration</dt><dd>${d.analysis.maxDurationSeconds === null ? 'none' : count(d.analysis.maxDurationSeconds, 's')}</dd></div>
        <div><dt>Unplanned</dt><dd>${d.unplanned ? 'yes (a fix: counts as rework)' : 'no'}</dd></div>
      </dl></section>
      <section class="card" aria-labelledby="ingested-title"><h2 id="ingested-title">Ingested telemetry</h2>
        ${summaries ? `<div class="table-wrap"><table class="data compact" aria-labelledby="ingested-title"><thead><tr><th scope="col">Metric</th><th scope="col">Cohort</th>
        <th scope="col" class="num">Stored</th><th scope="col" class="num">Total</th><th scope="col" class="num">Count</th><th scope="col" class="num">Mean</th></tr></thead>
        <tbody>${summaries}</tbody></table></div>` : '<p class="muted-text">Nothing ingested yet: send samples with POST /v1/samples, OTLP or remote write.</p>'}
      </section></div>`;
    renderVerdict(main, d, d.verdict);
    unsubscribe = subscribe(verdictSubscription, { id }, {
      next: (event) => {
        renderVerdict(main, d, event.verdictChanged);
        connection(`Live · verdict at ${clock()}`, 'pass');
      },
      error: (errors) => connection(`Subscription refused: ${errors.map((e) => e.message).join('; ')}`, 'fail'),
      status: (s) => connection(s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Disconnected; reconnecting', s === 'live' ? 'pass' : 'warn'),
    });
  }).catch((e) => {
    if (!stopped) {
      main.querySelector('#deployment').innerHTML = errorBox(e.message);
    }
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}
