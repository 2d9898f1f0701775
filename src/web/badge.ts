// The status badge: a small SVG in the usual two-part look (label | state), drawn here so the
// dashboard needs no external service. Pure: no I/O.

const COLOURS: Record<string, string> = {
  passed: '#2da44e',
  failed: '#cf222e',
  error: '#cf222e',
  canceled: '#6e7781',
  running: '#bf8700',
  queued: '#bf8700',
  none: '#6e7781',
};

const WORDS: Record<string, string> = { passed: 'passing', failed: 'failing', error: 'error', canceled: 'canceled', running: 'running', queued: 'queued', none: 'no runs' };

/** An SVG badge for a state (passed, failed, running… or null for a commit without a run). */
export function renderBadge(state: string | null, label = 'ci'): string {
  const key = state && WORDS[state] ? state : 'none';
  const word = WORDS[key]!;
  // Verdana 11px is ~6.5px a character; a little padding each side.
  const width = (text: string) => Math.round(text.length * 6.5 + 12);
  const left = width(label);
  const right = width(word);
  const total = left + right;
  const text = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${text(label)}: ${text(word)}">`,
    `<title>${text(label)}: ${text(word)}</title>`,
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
    `<clipPath id="r"><rect width="${total}" height="20" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${COLOURS[key]}"/><rect width="${total}" height="20" fill="url(#s)"/></g>`,
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`,
    `<text x="${left / 2}" y="14">${text(label)}</text><text x="${left + right / 2}" y="14">${text(word)}</text>`,
    `</g></svg>`,
  ].join('');
}
