// Hand-written SVG charts (no library): confidence intervals against the allowed change, burn rates against their
// alert thresholds, budget gauges and weekly trends. Each returns SVG markup with role="img" and a text label, so a
// screen reader gets the numbers the picture shows.
import { esc, percent } from './format.js';

const round = (v) => Math.round(v * 10) / 10;

/** "Nice" tick values covering [lo, hi] (about `n` of them). */
export function ticks(lo, hi, n = 5) {
  const span = hi - lo;
  if (!(span > 0)) {
    return [lo];
  }
  const raw = span / n;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const result = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    result.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return result;
}

/**
 * One metric's effect (canary relative to baseline) and confidence interval on a horizontal axis in percent, with
 * the allowed change shaded: for a metric whose increase is bad the band is everything up to +allowed, for a
 * decrease everything down to −allowed, for either direction ±allowed.
 */
export function intervalChart({ effect, ciLow, ciHigh, allowed, direction, classification, label }) {
  const width = 420;
  const height = 64;
  const left = 12;
  const right = width - 12;
  const axisY = 44;
  const margin = allowed ?? 0.1;
  const finite = [effect, ciLow, ciHigh].filter((v) => v !== null && v !== undefined && Number.isFinite(v));
  // The window always shows the allowed band on both sides of 0, and the interval clipped to a readable range.
  const clip = (v) => Math.max(-1, Math.min(4, v));
  let lo = Math.min(-margin * 1.6, ...finite.map(clip));
  let hi = Math.max(margin * 1.6, ...finite.map(clip));
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const x = (v) => left + ((clip(v) - lo) / (hi - lo)) * (right - left);
  const parts = [];
  // Allowed region.
  const bandLo = direction === 'INCREASE' ? lo : -margin;
  const bandHi = direction === 'DECREASE' ? hi : margin;
  parts.push(`<rect class="ci-allowed" x="${round(x(bandLo))}" y="10" width="${round(x(bandHi) - x(bandLo))}" height="${axisY - 14}" rx="2"/>`);
  for (const edge of [bandLo, bandHi]) {
    if (edge !== lo && edge !== hi) {
      parts.push(`<line class="ci-limit" x1="${round(x(edge))}" x2="${round(x(edge))}" y1="8" y2="${axisY}"/>`);
    }
  }
  // Axis with ticks in percent.
  parts.push(`<line class="axis" x1="${left}" x2="${right}" y1="${axisY}" y2="${axisY}"/>`);
  for (const t of ticks(lo, hi, 6)) {
    const tx = round(x(t));
    parts.push(`<line class="${t === 0 ? 'zero' : 'tick'}" x1="${tx}" x2="${tx}" y1="${t === 0 ? 8 : axisY}" y2="${axisY + 4}"/>`);
    parts.push(`<text class="tick-label" x="${tx}" y="${axisY + 15}" text-anchor="middle">${esc(percent(t, Math.abs(hi - lo) < 0.2 ? 1 : 0, true))}</text>`);
  }
  // The interval and the point estimate.
  const tone = classification === 'PASS' ? 'pass' : classification === 'HIGH' || classification === 'LOW' ? 'fail' : 'none';
  if (ciLow !== null && ciLow !== undefined && ciHigh !== null && ciHigh !== undefined) {
    const x1 = round(x(ciLow));
    const x2 = round(x(ciHigh));
    parts.push(`<line class="ci-range ${tone}" x1="${x1}" x2="${x2}" y1="27" y2="27"/>`);
    // A bound beyond the drawn range ends in an arrow instead of a cap.
    const end = (bx, clipped, dir) => (clipped
      ? `<path class="ci-arrow ${tone}" d="M${bx},21 L${bx + 8 * dir},27 L${bx},33 Z"/>`
      : `<line class="ci-cap ${tone}" x1="${bx}" x2="${bx}" y1="21" y2="33"/>`);
    parts.push(end(x1, !(ciLow > -1), -1));
    parts.push(end(x2, !(ciHigh < 4), 1));
    if (!(ciHigh < 4) || !(ciLow > -1)) {
      parts.push(`<text class="tick-label" x="${!(ciHigh < 4) ? right : left}" y="14" text-anchor="${!(ciHigh < 4) ? 'end' : 'start'}">interval continues off scale</text>`);
    }
  }
  if (effect !== null && effect !== undefined) {
    parts.push(`<circle class="ci-point ${tone}" cx="${round(x(effect))}" cy="27" r="5"/>`);
  }
  const summary = effect === null || effect === undefined
    ? `${label}: no effect measured yet`
    : `${label}: effect ${percent(effect, 1, true)}, interval ${percent(ciLow, 1, true)} to ${percent(ciHigh, 1, true)}, allowed change ${allowed === null || allowed === undefined ? 'not set (10 % promotion margin)' : percent(allowed)}`;
  return `<svg class="chart ci-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(summary)}"><title>${esc(summary)}</title>${parts.join('')}</svg>`;
}

/**
 * Burn rates per window as bars on a log scale with the alert thresholds as lines (each threshold applies to the
 * two windows of its rule; a bar is red when its rate is above the threshold of its rule).
 */
export function burnRateChart(rates, rules) {
  const width = 480;
  const height = 190;
  const top = 14;
  const bottom = height - 26;
  const left = 44;
  const right = width - 96;
  const maxRate = Math.max(20, ...rates.map((r) => r.rate));
  const floor = 0.1;
  const y = (v) => bottom - ((Math.log10(Math.max(floor, v)) - Math.log10(floor)) / (Math.log10(maxRate * 1.2) - Math.log10(floor))) * (bottom - top);
  const slot = (right - left) / rates.length;
  const parts = [];
  for (const t of [0.1, 1, 10, 100, 1000].filter((v) => v <= maxRate * 1.2)) {
    parts.push(`<line class="grid" x1="${left}" x2="${right}" y1="${round(y(t))}" y2="${round(y(t))}"/>`);
    parts.push(`<text class="tick-label" x="${left - 6}" y="${round(y(t)) + 4}" text-anchor="end">${t}×</text>`);
  }
  rates.forEach((r, i) => {
    // Red above a page threshold of a rule using this window, amber above a ticket threshold.
    const exceeded = rules.filter((x) => (x.long === r.window || x.short === r.window) && r.rate > x.threshold);
    const tone = exceeded.some((x) => x.alert === 'PAGE') ? 'over' : exceeded.length > 0 ? 'ticket' : 'under';
    const bx = left + i * slot + slot * 0.2;
    const by = y(r.rate);
    parts.push(`<rect class="bar ${tone}" x="${round(bx)}" y="${round(by)}" width="${round(slot * 0.6)}" height="${round(Math.max(1, bottom - by))}"><title>${esc(r.window)}: ${r.rate.toFixed(2)}×</title></rect>`);
    parts.push(`<text class="tick-label" x="${round(bx + slot * 0.3)}" y="${bottom + 15}" text-anchor="middle">${esc(r.window)}</text>`);
    parts.push(`<text class="bar-label" x="${round(bx + slot * 0.3)}" y="${round(by) - 4}" text-anchor="middle">${r.rate < 10 ? r.rate.toFixed(1) : Math.round(r.rate)}</text>`);
  });
  const seen = new Set();
  for (const rule of rules) {
    const key = rule.threshold.toFixed(3);
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    const ty = round(y(rule.threshold));
    parts.push(`<line class="threshold ${rule.alert === 'PAGE' ? 'page' : 'ticket'}" x1="${left}" x2="${right}" y1="${ty}" y2="${ty}"/>`);
    parts.push(`<text class="threshold-label ${rule.alert === 'PAGE' ? 'page' : 'ticket'}" x="${right + 4}" y="${ty + 4}">${rule.threshold.toFixed(2)}× ${rule.alert === 'PAGE' ? 'page' : 'ticket'}</text>`);
  }
  parts.push(`<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  const summary = `Burn rates: ${rates.map((r) => `${r.window} ${r.rate.toFixed(2)}×`).join(', ')}`;
  return `<svg class="chart burn-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(summary)}"><title>${esc(summary)}</title>${parts.join('')}</svg>`;
}

/** Remaining error budget as a horizontal gauge (negative: overspent, drawn empty and red). */
export function budgetGauge(remaining) {
  const width = 300;
  const height = 14;
  const fraction = Math.max(0, Math.min(1, remaining));
  const tone = remaining <= 0 ? 'fail' : remaining < 0.25 ? 'warn' : 'pass';
  const label = `Error budget remaining ${percent(remaining)}`;
  return `<svg class="chart gauge" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>`
    + `<rect class="gauge-track" x="0" y="0" width="${width}" height="${height}" rx="7"/>`
    + `<rect class="gauge-fill ${tone}" x="0" y="0" width="${round(width * fraction)}" height="${height}" rx="7"/></svg>`;
}

/** A weekly trend: one line with dots; null weeks leave a gap. */
export function trendChart(points, { format, label }) {
  const width = 300;
  const height = 110;
  const left = 8;
  const right = width - 8;
  const top = 14;
  const bottom = height - 22;
  const values = points.map((p) => p.value).filter((v) => v !== null && v !== undefined);
  const hi = values.length > 0 ? Math.max(...values) : 1;
  const max = hi > 0 ? hi * 1.15 : 1;
  const x = (i) => left + (points.length <= 1 ? (right - left) / 2 : (i / (points.length - 1)) * (right - left));
  const y = (v) => bottom - (v / max) * (bottom - top);
  const parts = [`<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`];
  let path = '';
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) {
      path += ' ';
      return;
    }
    path += `${path === '' || path.endsWith(' ') ? 'M' : 'L'}${round(x(i))},${round(y(p.value))}`;
  });
  if (path.trim() !== '') {
    parts.push(`<path class="trend-line" d="${path.trim()}"/>`);
  }
  points.forEach((p, i) => {
    if (p.value !== null && p.value !== undefined) {
      parts.push(`<circle class="trend-dot" cx="${round(x(i))}" cy="${round(y(p.value))}" r="3"><title>${esc(p.label)}: ${esc(format(p.value))}</title></circle>`);
    }
    if (i === 0 || i === points.length - 1 || i % 3 === 0) {
      parts.push(`<text class="tick-label" x="${round(x(i))}" y="${bottom + 15}" text-anchor="${i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'}">${esc(p.label)}</text>`);
    }
  });
  if (values.length > 0) {
    parts.push(`<text class="tick-label" x="${left}" y="${top - 3}">max ${esc(format(hi))}</text>`);
  }
  const summary = `${label} by week: ${points.map((p) => `${p.label} ${p.value === null || p.value === undefined ? 'no data' : format(p.value)}`).join(', ')}`;
  return `<svg class="chart trend" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(summary)}"><title>${esc(summary)}</title>${parts.join('')}</svg>`;
}
