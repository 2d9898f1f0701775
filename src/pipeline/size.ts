// Sizes as people write them in .git-ci.yml ("512M", "2GiB") and as we print them back.

// Every unit is a power of 1024, with or without "i": memory sizes are binary in practice, and "2G" of RAM means 2 GiB.
const UNIT_BYTES: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const UNIT_NAMES = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

// "<number> <unit>", where the unit is B, K/M/G/T, KB/MB/GB/TB or KiB/MiB/GiB/TiB.
const SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|(b))?$/i;

/** Turns a config value into bytes, or undefined when it is not a positive size. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = SIZE.exec(value.trim());
  if (match === null) return undefined;
  const [, amount, prefix, bytesUnit] = match as unknown as [string, string, string | undefined, string | undefined];
  const unit = (prefix ?? bytesUnit ?? '').toLowerCase();
  const bytes = Math.floor(Number(amount) * (UNIT_BYTES[unit] as number));
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** Prints a size in the largest binary unit that fits: "100 B", "900 KiB", "1.5 GiB"; exact when whole, else one decimal. */
export function formatSize(bytes: number): string {
  const safe = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  let index = 0;
  // Move up while the amount, rounded to one decimal, would still read 1024 or more.
  while (index < UNIT_NAMES.length - 1 && Math.round((safe / 1024 ** index) * 10) / 10 >= 1024) index += 1;
  const amount = safe / 1024 ** index;
  const text = Number.isInteger(amount) ? String(amount) : (Math.round(amount * 10) / 10).toFixed(1);
  return `${text} ${UNIT_NAMES[index] as string}`;
}
