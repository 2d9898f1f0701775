// Secrets reach jobs as environment variables; their values must never reach a stored or shown
// log. Every occurrence of a secret's value in the job's output becomes `***`.
//
// Rules, the same for the stream and for one-shot strings:
//   - Occurrences are found on bytes (indexOf, no regex, so metacharacters mean nothing).
//   - Overlapping occurrences (of one secret or of several, a secret that is a prefix of another)
//     merge into one range and become one `***`: no byte of any occurrence survives, so the
//     longest secret is always masked whole. Occurrences that only touch stay two `***`.
//   - Empty secrets are ignored. Short ones (< MIN_SECRET_BYTES) are still masked here: masking
//     is the last line of defence and never leaks. Refusing them is policy, done earlier by
//     validateSecretValue where secrets are read from git config.
//   - Transformed values (base64, URL-encoded, split by the job itself) are not recognised.
//
// Streaming: a chunk is masked together with the bytes held back from the one before. Bytes
// are held back only from the first position whose remainder is a proper prefix of some secret
// (at most longest - 1 bytes), so ordinary output passes at once. Everything is bytes, so a
// UTF-8 character split across chunks comes out byte-exact. A `***` that runs into held-back
// bytes remembers how far it reaches (`maskedUntil`), so a secret that overlaps it across the
// boundary joins it. Use one masker per source (stdout, stderr): a secret interleaved with
// another stream's chunk cannot be matched.
import { Transform, type TransformCallback } from 'node:stream';

export const MASK = '***';

/** Secrets shorter than this (in UTF-8 bytes) are refused by validateSecretValue. */
export const MIN_SECRET_BYTES = 4;

const MASK_BYTES = Buffer.from(MASK, 'latin1');
const EMPTY = Buffer.alloc(0);

/** Refuses secret values too short to mask: they occur by chance everywhere, and a log full of
 *  `***` in place of "ab" would both wreck the log and give the value away. null when usable. */
export function validateSecretValue(name: string, value: string): string | null {
  if (typeof value !== 'string') return `secret ${name}: expected a string value, got ${typeof value}`;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes === 0 || bytes >= MIN_SECRET_BYTES) return null;
  return `secret ${name}: expected a value of at least ${MIN_SECRET_BYTES} bytes so it can be masked in job logs, got ${bytes} byte${bytes === 1 ? '' : 's'}`;
}

/** Masks a whole string at once, for text that never streams (a job's reason line, an error). */
export function maskAll(text: string, secrets: string[]): string {
  const ranges = coveredRanges<string>(text, usableSecrets(secrets, 'maskAll'));
  if (ranges.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const [start, end] of ranges) {
    out += text.slice(pos, start) + MASK;
    pos = end;
  }
  return out + text.slice(pos);
}

/** The job output filter: pipe stdout or stderr through it before the log sees a byte. */
export class SecretMasker extends Transform {
  /** Longest first, so a prefix check can stop at the first secret too short to matter. */
  private readonly secrets: Buffer[];
  private readonly longest: number;
  /** startsSecret[b] is 1 when some secret begins with byte b. */
  private readonly startsSecret = new Uint8Array(256);
  private pending: Buffer = EMPTY;
  /** Bytes at the start of `pending` already inside a `***` that was pushed. */
  private maskedUntil = 0;

  constructor(secrets: string[]) {
    super();
    this.secrets = usableSecrets(secrets, 'SecretMasker')
      .map((value) => Buffer.from(value, 'utf8'))
      .sort((a, b) => b.length - a.length);
    this.longest = this.secrets[0]?.length ?? 0;
    for (const secret of this.secrets) this.startsSecret[secret[0]!] = 1;
  }

  /** Bytes received but not yet pushed; never more than the longest secret's length - 1. */
  get heldBackBytes(): number {
    return this.pending.length;
  }

  override _transform(chunk: Buffer | string, encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    if (bytes.length === 0) return callback();
    const data = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    const out = this.mask(data, false);
    if (out.length > 0) this.push(out);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const out = this.mask(this.pending, true);
    if (out.length > 0) this.push(out);
    callback();
  }

  /** Masks `data` (held-back bytes + new chunk) up to the point where a secret could still be
   *  arriving, keeps the rest as the new `pending` and returns what may be pushed. */
  private mask(data: Buffer, final: boolean): Buffer {
    const cut = final || this.longest === 0 ? data.length : this.holdFrom(data);
    const parts: Buffer[] = [];
    let pos = this.maskedUntil;
    for (const [start, end] of coveredRanges<Buffer>(data, this.secrets)) {
      if (start >= cut) break;
      if (start < pos) {
        pos = Math.max(pos, end);
        continue;
      }
      if (start > pos) parts.push(data.subarray(pos, start));
      parts.push(MASK_BYTES);
      pos = end;
    }
    if (pos < cut) parts.push(data.subarray(pos, cut));
    this.maskedUntil = Math.max(0, pos - cut);
    // A copy, so a huge chunk is not kept alive by the few bytes held back from it.
    this.pending = cut < data.length ? Buffer.from(data.subarray(cut)) : EMPTY;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The first position from which the rest of `data` is a proper prefix of some secret (a
   *  secret may be arriving there), or data.length when there is none. */
  private holdFrom(data: Buffer): number {
    const length = data.length;
    for (let p = Math.max(0, length - this.longest + 1); p < length; p++) {
      if (this.startsSecret[data[p]!] === 0) continue;
      const rest = length - p;
      for (const secret of this.secrets) {
        if (secret.length <= rest) break;
        if (data.compare(secret, 0, rest, p, length) === 0) return p;
      }
    }
    return length;
  }
}

/** Checks the argument and returns the distinct non-empty secrets. */
function usableSecrets(secrets: string[], caller: string): string[] {
  if (!Array.isArray(secrets)) throw new TypeError(`${caller}: expected an array of secret values, got ${typeof secrets}`);
  const distinct = new Set<string>();
  secrets.forEach((value, i) => {
    if (typeof value !== 'string') throw new TypeError(`${caller}: expected secrets[${i}] to be a string, got ${typeof value}`);
    if (value !== '') distinct.add(value);
  });
  return [...distinct];
}

interface Searchable<T> {
  readonly length: number;
  indexOf(needle: T, from: number): number;
}

/** Sorted [start, end) ranges covered by occurrences of the needles; overlapping ones merged. */
function coveredRanges<T extends { length: number }>(haystack: Searchable<T>, needles: T[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const needle of needles) {
    for (let at = haystack.indexOf(needle, 0); at >= 0; at = haystack.indexOf(needle, at + 1)) {
      found.push([at, at + needle.length]);
    }
  }
  if (found.length < 2) return found;
  found.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [found[0]!];
  for (let i = 1; i < found.length; i++) {
    const [start, end] = found[i]!;
    const last = merged[merged.length - 1]!;
    if (start < last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
