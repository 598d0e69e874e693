// Pieces every page uses: badges, empty states, errors, the connection note.
import { esc, words } from './format.js';

const decisionTone = { PROMOTE: 'pass', ROLLBACK: 'fail', INCONCLUSIVE: 'warn', PENDING: 'info' };
const statusTone = { PROMOTED: 'pass', ROLLED_BACK: 'fail', ABORTED: 'warn', VERIFYING: 'info' };
const alertTone = { NONE: 'pass', TICKET: 'warn', PAGE: 'fail' };
const levelTone = { ELITE: 'pass', HIGH: 'pass-soft', MEDIUM: 'warn', LOW: 'fail' };
const classificationTone = { PASS: 'pass', HIGH: 'fail', LOW: 'fail', NODATA: 'muted', ERROR: 'warn' };

export function badge(tone, text, extra = '') {
  return `<span class="badge ${tone ?? 'muted'}"${extra}>${esc(text)}</span>`;
}

export const decisionBadge = (d) => badge(decisionTone[d], d, ` data-decision="${esc(d)}"`);
export const statusBadge = (s) => badge(statusTone[s], words(s));
export const alertBadge = (a) => badge(alertTone[a], a === 'NONE' ? 'No alert' : a);
export const levelBadge = (l) => (l ? badge(levelTone[l], words(l)) : badge('muted', 'No level'));
export const classificationBadge = (c) => badge(classificationTone[c], c);
export const gateBadge = (allowed) => badge(allowed ? 'pass' : 'fail', allowed ? 'Gate open' : 'Gate closed');

/** An empty state: what is missing and the next step, with an example to copy. */
export function emptyState(title, text, example = '') {
  return `<section class="empty" aria-label="${esc(title)}"><h2>${esc(title)}</h2><p>${text}</p>${
    example ? `<pre class="example"><code>${esc(example)}</code></pre>` : ''}</section>`;
}

export function errorBox(message) {
  return `<div class="error" role="alert"><strong>Could not load this page.</strong> ${esc(message)}</div>`;
}

/** The note at the top right: live, connecting, or when the data was last refreshed. */
export function connection(text, tone = 'muted') {
  const note = document.getElementById('connection');
  note.className = `connection ${tone}`;
  note.textContent = text;
}

/** Repeats `task` every `ms` until the returned function is called; never two runs at once. */
export function every(ms, task) {
  let timer = null;
  let stopped = false;
  const run = async () => {
    try {
      await task();
    } finally {
      if (!stopped) {
        timer = setTimeout(run, ms);
      }
    }
  };
  run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
