// Numbers with their units, dates in UTC, and HTML escaping for the templates.

const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => entities[c]);
}

const dash = '—';

/** A ratio as a percentage: 0.1234 → "12.3 %"; signed: "+12.3 %". */
export function percent(ratio, digits = 1, signed = false) {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) {
    return dash;
  }
  const value = ratio * 100;
  const text = `${Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : value.toFixed(digits)} %`;
  return signed && value > 0 ? `+${text}` : text.replace('-', '−');
}

/** A duration given in hours, in the unit a person reads best. */
export function hours(value) {
  if (value === null || value === undefined) {
    return dash;
  }
  if (value < 1) {
    return `${Math.round(value * 60)} min`;
  }
  if (value < 48) {
    return `${value.toFixed(1)} h`;
  }
  return `${(value / 24).toFixed(1)} d`;
}

/** Deployments per day. */
export function perDay(value) {
  if (value === null || value === undefined) {
    return dash;
  }
  return value >= 1 ? `${value.toFixed(1)} /day` : `${(value * 7).toFixed(1)} /week`;
}

/** A plain number with a unit suffix, e.g. burn rates "14.4×". */
export function times(value, digits = 2) {
  return value === null || value === undefined ? dash : `${value.toFixed(digits)}×`;
}

/** An integer with thousands separators and an optional unit. */
export function count(value, unit = '') {
  if (value === null || value === undefined) {
    return dash;
  }
  const text = Math.round(value).toLocaleString('en-US');
  return unit ? `${text} ${unit}` : text;
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An ISO date-time as "25 Nov 2026, 22:40 UTC". */
export function dateTime(iso) {
  if (!iso) {
    return dash;
  }
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** An ISO date-time as its UTC day: "25 Nov 2026". */
export function date(iso) {
  if (!iso) {
    return dash;
  }
  const d = new Date(iso);
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** How long ago an ISO time was: "just now", "4 min ago", "3 h ago", "2 d ago". */
export function ago(iso, now = Date.now()) {
  if (!iso) {
    return dash;
  }
  const seconds = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) {
    return 'just now';
  }
  if (seconds < 3600) {
    return `${Math.round(seconds / 60)} min ago`;
  }
  if (seconds < 172800) {
    return `${Math.round(seconds / 3600)} h ago`;
  }
  return `${Math.round(seconds / 86400)} d ago`;
}

/** A time of day "22:40:05 UTC" for "updated at" notes. */
export function clock(date = new Date()) {
  return `${date.toISOString().slice(11, 19)} UTC`;
}

/** An enum value as words: ROLLED_BACK → "Rolled back". */
export function words(value) {
  if (!value) {
    return dash;
  }
  const text = value.replace(/_/g, ' ').toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}
