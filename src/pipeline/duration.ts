// Durations as people write them in .git-ci.yml ("90s", "1h30m") and as we print them back.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

// One "<number><unit>" part; sticky so the parts must cover the whole text.
const PART = /\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/y;
const PLAIN_SECONDS = /^\d+(?:\.\d+)?$/;

/** Turns a config value into milliseconds, or undefined when it is not a positive duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return positiveMs(value * 1_000);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (PLAIN_SECONDS.test(text)) return positiveMs(Number(text) * 1_000);
  return parseUnitParts(text);
}

// "2h 5m 3s" -> sum of parts; each unit at most once so "1m 1m" is caught as a typo.
function parseUnitParts(text: string): number | undefined {
  if (text === '') return undefined;
  const seen = new Set<string>();
  let total = 0;
  let position = 0;
  while (position < text.length) {
    PART.lastIndex = position;
    const match = PART.exec(text);
    if (match === null) return undefined;
    const [, amount, unit] = match as unknown as [string, string, string];
    if (seen.has(unit)) return undefined;
    seen.add(unit);
    total += Number(amount) * (UNIT_MS[unit] as number);
    position = PART.lastIndex;
  }
  return positiveMs(total);
}

function positiveMs(ms: number): number | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const rounded = Math.round(ms);
  return rounded > 0 ? rounded : undefined;
}

/** Prints a duration compactly for logs and the dashboard: "0.4s", "12s", "3m05s", "1h02m". */
export function formatDuration(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  const tenths = Math.round(safe / 100);
  if (tenths < 100) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(safe / 1_000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${pad2(seconds % 60)}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h${pad2(minutes % 60)}m`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
