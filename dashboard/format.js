// Display formatting: durations, relative and clock times, measured values.

function duration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
export const since = (start, end) => (start ? duration((end ?? Date.now()) - start) : '');

export function ago(time) {
  if (!time) return '';
  const t = typeof time === 'number' ? time : Date.parse(time);
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return new Date(t).toLocaleDateString();
}
export const clock = (time) => new Date(time).toLocaleTimeString([], { hour12: false });

export function formatValue(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 4 : 2);
}
