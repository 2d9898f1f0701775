// Globs over workspace-relative POSIX paths, for `artifacts`, `reports` and the checks on `inputs`.
//
// Patterns are anchored at the workspace root and split on "/". Within a segment `*` matches any run of
// characters but "/" (dotfiles included), `?` one such character, `[abc]`, `[a-z]`, `[!a-z]` one character of a
// class. A whole segment `**` matches any number of segments, zero included. A path matches when it, or one of
// the folders above it, matches the pattern: so `dist`, `dist/` and `dist/**` all take everything under dist.
// There is no escaping: a backslash is an error, since it would be a separator on Windows.

/** Compiles a workspace glob; an unclosed `[` is taken literally (checkWorkspacePattern reports it). */
export function globToRegExp(pattern: string): RegExp {
  // `**/**` means what `**` means; collapsing it keeps the RegExp from backtracking over the same path twice.
  const segments = stripTrailingSlash(pattern).split('/').filter((segment, i, all) => segment !== '**' || all[i - 1] !== '**');
  let source = '';
  let needSlash = false;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') {
      if (last) source += needSlash ? '(?:/.*)?' : '.*';
      else source += needSlash ? '/(?:.*/)?' : '(?:.*/)?';
      needSlash = false;
      return;
    }
    source += (needSlash ? '/' : '') + segmentSource(segment);
    needSlash = true;
  });
  return new RegExp(`^${source}(?:/.*)?$`, 'su');
}

/** Tells whether a workspace-relative path (no leading "./") is taken by a pattern, folders taking their contents. */
export function matchGlob(pattern: string, path: string): boolean {
  return globToRegExp(pattern).test(path);
}

/** Explains why a pattern could reach outside the workspace or never match, or null when it is fine. */
export function checkWorkspacePattern(pattern: string): string | null {
  const shown = JSON.stringify(pattern);
  if (pattern.trim() === '') return 'expected a non-empty path, got an empty string';
  if (pattern.includes('\\')) return `expected "/" between folders and no backslashes, got ${shown}`;
  if (pattern.startsWith('/')) return `expected a relative path, got the absolute path ${shown}`;
  const segments = stripTrailingSlash(pattern).split('/');
  if (segments.includes('..')) return `expected a path that stays inside the workspace, got ".." in ${shown}`;
  if (segments.includes('.')) return `expected a path without "." segments, got ${shown}${dotHint(segments)}`;
  if (segments.includes('')) return `expected a path without empty segments ("//"), got ${shown}`;
  const classes = segments.map(classProblem).find((problem) => problem !== undefined);
  return classes === undefined ? null : `${classes} in ${shown}`;
}

/** Drops the one trailing "/" that marks a folder, so `dist/` and `dist` are the same path. */
export function stripTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

// `./dist` is the commonest "." segment; show the plain spelling.
function dotHint(segments: string[]): string {
  const rest = segments.filter((segment) => segment !== '.');
  return rest.length === 0 ? '' : ` (write ${JSON.stringify(rest.join('/'))})`;
}

function segmentSource(segment: string): string {
  const chars = Array.from(segment);
  let source = '';
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    const cls = c === '[' ? readClass(chars, i) : undefined;
    if (cls !== undefined) {
      source += cls.source;
      i = cls.end;
      continue;
    }
    if (c === '*') {
      if (chars[i - 1] !== '*') source += '[^/]*';
    } else if (c === '?') source += '[^/]';
    else source += escapeRegExp(c);
    i++;
  }
  return source;
}

interface ClassRead {
  source: string;
  end: number;
  reversed: string | undefined;
}

// Reads `[...]` at `start`, or undefined when it is not closed. A `]` first in the class is literal, as in
// shells. A reversed range (`z-a`) matches nothing rather than making the RegExp throw.
function readClass(chars: string[], start: number): ClassRead | undefined {
  let i = start + 1;
  const negated = chars[i] === '!' || chars[i] === '^';
  if (negated) i++;
  let body = '';
  let reversed: string | undefined;
  let first = true;
  while (i < chars.length && (chars[i] !== ']' || first)) {
    first = false;
    const low = chars[i] as string;
    const high = chars[i + 2];
    if (chars[i + 1] === '-' && high !== undefined && high !== ']') {
      if ((low.codePointAt(0) as number) > (high.codePointAt(0) as number)) reversed ??= `${low}-${high}`;
      else body += `${escapeClassChar(low)}-${escapeClassChar(high)}`;
      i += 3;
    } else {
      body += escapeClassChar(low);
      i++;
    }
  }
  if (i >= chars.length) return undefined;
  // A class never matches "/", even negated, so it stays inside one segment.
  const source = body === '' ? (negated ? '[^/]' : '(?!)') : `(?!/)[${negated ? '^' : ''}${body}]`;
  return { source, end: i + 1, reversed };
}

function classProblem(segment: string): string | undefined {
  const chars = Array.from(segment);
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== '[') continue;
    const cls = readClass(chars, i);
    if (cls === undefined) return 'unclosed "["';
    if (cls.reversed !== undefined) return `range "${cls.reversed}" is reversed`;
    i = cls.end - 1;
  }
  return undefined;
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function escapeClassChar(c: string): string {
  return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}
