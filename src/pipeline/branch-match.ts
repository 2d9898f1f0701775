// Which pushed branches build: gitignore-like glob lists such as ["*", "!tmp/*"].

type Compiled = { regex: RegExp } | { error: string };

/** Decides whether a branch builds: the last pattern that matches wins, and no match means no build. */
export function branchMatches(patterns: string[], branch: string): boolean {
  let builds = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const compiled = compileGlob(negated ? pattern.slice(1) : pattern);
    if ('regex' in compiled && compiled.regex.test(branch)) builds = !negated;
  }
  return builds;
}

/** Explains why a pattern can never match as written, so the parser reports it instead of silently skipping it. */
export function branchPatternProblem(pattern: string): string | undefined {
  const glob = pattern.startsWith('!') ? pattern.slice(1) : pattern;
  if (glob === '') return pattern === '' ? 'empty pattern' : 'nothing follows "!"';
  const compiled = compileGlob(glob);
  return 'error' in compiled ? compiled.error : undefined;
}

// `*` -> any run (including "/"), `?` -> one character, `[...]` -> class, `\x` -> literal x.
function compileGlob(glob: string): Compiled {
  const chars = Array.from(glob);
  let source = '';
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    if (c === '*') {
      while (chars[i] === '*') i++;
      source += '.*';
    } else if (c === '?') {
      source += '.';
      i++;
    } else if (c === '\\') {
      if (i + 1 >= chars.length) return { error: 'pattern ends with a lone "\\"' };
      source += escapeRegExp(chars[i + 1] as string);
      i += 2;
    } else if (c === '[') {
      const cls = compileClass(chars, i);
      if ('error' in cls) return cls;
      source += cls.source;
      i = cls.end;
    } else {
      source += escapeRegExp(c);
      i++;
    }
  }
  return { regex: new RegExp(`^${source}$`, 'su') };
}

// Reads `[...]` starting at `start`; a `]` right after `[` or `[!` is a literal, as in shells.
function compileClass(chars: string[], start: number): { source: string; end: number } | { error: string } {
  let i = start + 1;
  const negated = chars[i] === '!' || chars[i] === '^';
  if (negated) i++;
  let body = '';
  let first = true;
  while (i < chars.length && (chars[i] !== ']' || first)) {
    first = false;
    const low = readClassChar(chars, i);
    if (low === undefined) break;
    i = low.end;
    if (chars[i] === '-' && i + 1 < chars.length && chars[i + 1] !== ']') {
      const high = readClassChar(chars, i + 1);
      if (high === undefined) break;
      if ((low.char.codePointAt(0) as number) > (high.char.codePointAt(0) as number)) {
        return { error: `range "${low.char}-${high.char}" is reversed` };
      }
      body += `${escapeClassChar(low.char)}-${escapeClassChar(high.char)}`;
      i = high.end;
    } else {
      body += escapeClassChar(low.char);
    }
  }
  if (chars[i] !== ']') return { error: 'unclosed "[" (write "\\[" for a literal bracket)' };
  return { source: `[${negated ? '^' : ''}${body}]`, end: i + 1 };
}

function readClassChar(chars: string[], i: number): { char: string; end: number } | undefined {
  if (chars[i] === '\\') return i + 1 < chars.length ? { char: chars[i + 1] as string, end: i + 2 } : undefined;
  return i < chars.length ? { char: chars[i] as string, end: i + 1 } : undefined;
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function escapeClassChar(c: string): string {
  return /[\\\]\[^-]/.test(c) ? `\\${c}` : c;
}
