// Small pieces the dashboard pages share: the state pill, ages, durations, short ids, links.
import { escapeHtml } from './escape-html.js';
import { formatDuration } from '../pipeline/duration.js';

const PILL_CLASS: Record<string, string> = {
  passed: 'ok',
  failed: 'bad',
  error: 'bad',
  running: 'busy',
  queued: 'busy',
  pending: 'busy',
  canceled: 'off',
  skipped: 'off',
};

/** The colour class of a state (ok, bad, busy, off) that pills and the trends strip share. */
export function stateClass(state: string | null | undefined): string {
  return PILL_CLASS[state ?? 'none'] ?? 'off';
}

/** A coloured pill for a run or job state; null (no run) is a grey "none". */
export function statePill(state: string | null | undefined): string {
  const word = state ?? 'none';
  return `<span class="pill ${stateClass(word)}" data-state="${escapeHtml(word)}">${escapeHtml(word)}</span>`;
}

/** "3 min ago" from an ISO time or epoch ms; empty when unknown. */
export function formatAge(when: string | number | null | undefined, now = Date.now()): string {
  if (when === null || when === undefined || when === '') return '';
  const t = typeof when === 'number' ? when : Date.parse(when);
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 86400 * 60) return `${Math.round(s / 86400)} days ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** A <time> element with the age as text and the exact time as its title. */
export function ageHtml(when: string | number | null | undefined, now = Date.now()): string {
  const text = formatAge(when, now);
  if (!text) return '';
  const iso = new Date(typeof when === 'number' ? when : Date.parse(String(when))).toISOString();
  return `<time datetime="${iso}" title="${iso}">${escapeHtml(text)}</time>`;
}

/** A duration, or a dash when there is none yet. */
export function durationText(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '–' : formatDuration(ms);
}

/** The abbreviated commit id shown everywhere. */
export function shortSha(commit: string): string {
  return commit.slice(0, 8);
}

/** A path under the dashboard from raw segments, each URL-encoded (a branch keeps its slashes). */
export function pagePath(...segments: string[]): string {
  return '/' + segments.map((s) => s.split('/').map(encodeURIComponent).join('/')).join('/');
}

/** An <a> with an escaped href and text. */
export function link(href: string, text: string, cls = ''): string {
  return `<a href="${escapeHtml(href)}"${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</a>`;
}
