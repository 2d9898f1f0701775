// The refs under one prefix in git's packed-refs file, without reading all of it. A server's
// file lists every run ref (100,000 runs: 8 MB; reading and searching it took ~120 ms here, a
// quarter of `git ci status`), and git writes it sorted (the header says so), so a binary
// search over byte offsets reads a few blocks, as git itself does.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const PROBE = 4096;
const CHUNK = 64 * 1024;

/** Names of the packed refs that start with `prefix` ([] when there is no packed-refs file). */
export function packedRefsUnder(file: string, prefix: string): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const read = (pos: number, length: number): string => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - pos)));
      const n = buf.length ? readSync(fd, buf, 0, buf.length, pos) : 0;
      // latin1 keeps one character a byte: offsets stay byte offsets, and < compares as git's strcmp sorts.
      return buf.subarray(0, n).toString('latin1');
    };
    const head = read(0, PROBE);
    const firstLine = head.slice(0, head.indexOf('\n') + 1 || undefined);
    const sorted = firstLine.startsWith('#') && /\ssorted(\s|$)/.test(firstLine);
    const start = sorted ? lowerBound(read, size, prefix) : 0;
    return scanFrom(read, size, start, prefix, sorted).map((name) => Buffer.from(name, 'latin1').toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

/** The ref name of a packed-refs line, or undefined for the header and peeled (^) lines. */
function refOfLine(line: string): string | undefined {
  if (line === '' || line.startsWith('#') || line.startsWith('^')) return undefined;
  const space = line.indexOf(' ');
  return space < 0 ? undefined : line.slice(space + 1);
}

/** A line start at or before the first line whose ref sorts at or after `prefix`. */
function lowerBound(read: (pos: number, length: number) => string, size: number, prefix: string): number {
  let lo = 0;
  let hi = size;
  while (hi - lo > CHUNK) {
    const mid = Math.floor((lo + hi) / 2);
    const text = read(mid, PROBE);
    // The first whole line that names a ref after mid.
    let pos = text.indexOf('\n') + 1;
    let ref: string | undefined;
    let lineStart = -1;
    while (pos > 0 && pos < text.length) {
      const end = text.indexOf('\n', pos);
      if (end < 0) break;
      ref = refOfLine(text.slice(pos, end));
      if (ref !== undefined) {
        lineStart = mid + pos;
        break;
      }
      pos = end + 1;
    }
    // No whole line in the probe (a very long name, or the end of the file): scanning from lo is still right.
    if (ref === undefined) break;
    if (ref < prefix) lo = lineStart;
    else hi = mid;
  }
  return lo;
}

/** Refs starting with `prefix`, reading whole lines forward from a line start. */
function scanFrom(read: (pos: number, length: number) => string, size: number, start: number, prefix: string, sorted: boolean): string[] {
  const found: string[] = [];
  let pos = start;
  let rest = '';
  while (pos < size) {
    const text = rest + read(pos, CHUNK);
    pos += CHUNK;
    const lastNl = text.lastIndexOf('\n');
    const whole = pos >= size ? text : text.slice(0, lastNl + 1);
    rest = pos >= size ? '' : text.slice(lastNl + 1);
    for (const line of whole.split('\n')) {
      const ref = refOfLine(line);
      if (ref === undefined) continue;
      if (ref.startsWith(prefix)) found.push(ref);
      else if (sorted && ref > prefix) return found;
    }
  }
  return found;
}
