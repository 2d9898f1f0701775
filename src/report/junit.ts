// JUnit XML test reports (jest-junit, pytest --junitxml, maven surefire, gradle, ...) read into
// counts and the names of the tests that failed, for a job's summary line.
//
// Counts come from the <testcase> elements themselves, never from the tests=/failures= totals on
// <testsuite>: generators get those wrong, and nested suites would count twice. A test case is
//   - failed   when it has a <failure> child (an <error> child: errored); the first one decides
//   - skipped  when it has a <skipped> child and no failure or error
//   - passed   otherwise (surefire's <flakyFailure>/<rerunFailure> are passes after a rerun).
// <system-out> and <system-err> are opaque: a log that prints "<testcase" is not a test.
//
// The XML is read by a small hand-written scanner, strict wherever a slip would change the
// counts: tags must nest, attribute values must be quoted, entities must be known, and there is
// exactly one <testsuites> or <testsuite> root. Malformed input throws a JUnitError with its
// line and column instead of returning a summary that is silently wrong.

export interface FailedTest {
  suite: string;
  name: string;
  classname: string;
  /** One line: the message attribute, else the first line of the body, else the type. */
  message: string;
}

export interface JUnitSummary {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  /** The first MAX_LISTED_FAILURES failed or errored tests, in report order. */
  failed: FailedTest[];
  /** Failed or errored tests not listed in `failed`. */
  moreFailed: number;
}

export const MAX_LISTED_FAILURES = 50;
const MAX_MESSAGE_CHARS = 500;
/** Body text kept while looking for a failure's first line. */
const MAX_CAPTURE_CHARS = 4096;

/** A report that is not well-formed JUnit XML, with where (`file:line:column: reason`). */
export class JUnitError extends Error {
  override readonly name = 'JUnitError';

  constructor(
    readonly reason: string,
    readonly source: string,
    readonly line: number,
    readonly column: number,
    readonly offset: number,
  ) {
    super(`${source}:${line}:${column}: ${reason}`);
  }
}

/** A summary of nothing, to start from. */
export function emptyJUnitSummary(): JUnitSummary {
  return { tests: 0, failures: 0, errors: 0, skipped: 0, failed: [], moreFailed: 0 };
}

type CaseStatus = 'passed' | 'skipped' | 'failure' | 'error';

interface OpenCase {
  suite: string;
  name: string;
  classname: string;
  depth: number;
  status: CaseStatus;
  message: string;
}

/** Reads one JUnit XML report; `source` names it in errors (usually the file path). */
export function parseJUnit(xml: string, source = 'junit report'): JUnitSummary {
  if (typeof xml !== 'string') throw new TypeError(`parseJUnit: expected the report's text as a string, got ${typeof xml}`);
  const scanner = new XmlScanner(xml, source);
  const summary = emptyJUnitSummary();
  const suites: Array<{ name: string; depth: number }> = [];
  let testcase: OpenCase | null = null;
  let capture: { depth: number; text: string; type: string } | null = null;
  /** Depth of the <system-out> or <system-err> being skipped, or -1. */
  let opaqueDepth = -1;
  let depth = 0;

  for (let token = scanner.next(); token; token = scanner.next()) {
    if (token.kind === 'text') {
      if (capture && opaqueDepth < 0 && capture.text.length < MAX_CAPTURE_CHARS) capture.text += token.text.slice(0, MAX_CAPTURE_CHARS);
      continue;
    }
    if (token.kind === 'close') {
      depth--;
      if (depth === opaqueDepth) opaqueDepth = -1;
      else if (opaqueDepth >= 0) continue;
      else if (capture && depth === capture.depth) {
        testcase!.message = firstLine(capture.text) || oneLine(capture.type);
        capture = null;
      } else if (testcase && depth === testcase.depth) {
        addCase(summary, testcase);
        testcase = null;
      } else if (suites.length > 0 && suites[suites.length - 1]!.depth === depth) suites.pop();
      continue;
    }

    const at = depth;
    if (!token.selfClosing) depth++;
    if (opaqueDepth >= 0) continue;
    const attr = (key: string): string => token.attributes.get(key) ?? '';
    if (at === 0 && token.name !== 'testsuites' && token.name !== 'testsuite') {
      scanner.fail(`expected a <testsuites> or <testsuite> root element, got <${token.name}>`, token.offset);
    }
    switch (token.name) {
      case 'testsuite':
        if (!testcase && !token.selfClosing) suites.push({ name: attr('name') || (suites[suites.length - 1]?.name ?? ''), depth: at });
        break;
      case 'testcase': {
        if (testcase) scanner.fail(`expected <testcase> only inside a <testsuite>, got one inside <testcase name="${testcase.name}">`, token.offset);
        const found: OpenCase = { suite: suites[suites.length - 1]?.name ?? '', name: attr('name'), classname: attr('classname'), depth: at, status: 'passed', message: '' };
        if (token.selfClosing) addCase(summary, found);
        else testcase = found;
        break;
      }
      case 'skipped':
        if (testcase && at === testcase.depth + 1 && testcase.status === 'passed') testcase.status = 'skipped';
        break;
      case 'failure':
      case 'error':
        if (!testcase || at !== testcase.depth + 1 || testcase.status === 'failure' || testcase.status === 'error') break;
        testcase.status = token.name;
        testcase.message = oneLine(attr('message'));
        if (testcase.message === '' && !token.selfClosing) capture = { depth: at, text: '', type: attr('type') };
        else if (testcase.message === '') testcase.message = oneLine(attr('type'));
        break;
      case 'system-out':
      case 'system-err':
        if (!token.selfClosing) opaqueDepth = at;
        break;
    }
  }
  return summary;
}

/** Adds up the reports of one job (several files, one summary). */
export function mergeJUnit(summaries: readonly JUnitSummary[]): JUnitSummary {
  const merged = emptyJUnitSummary();
  for (const s of summaries) {
    merged.tests += s.tests;
    merged.failures += s.failures;
    merged.errors += s.errors;
    merged.skipped += s.skipped;
    for (const failed of s.failed) {
      if (merged.failed.length < MAX_LISTED_FAILURES) merged.failed.push(failed);
      else merged.moreFailed++;
    }
    merged.moreFailed += s.moreFailed;
  }
  return merged;
}

/** The counts as people read them: `212 passed, 3 failed` (errors count as failed), `, 4 skipped` when any. */
export function formatTestCounts(summary: JUnitSummary): string {
  const failed = summary.failures + summary.errors;
  const passed = Math.max(0, summary.tests - failed - summary.skipped);
  const text = `${passed} passed, ${failed} failed`;
  return summary.skipped > 0 ? `${text}, ${summary.skipped} skipped` : text;
}

function addCase(summary: JUnitSummary, testcase: OpenCase): void {
  summary.tests++;
  if (testcase.status === 'passed') return;
  if (testcase.status === 'skipped') {
    summary.skipped++;
    return;
  }
  if (testcase.status === 'failure') summary.failures++;
  else summary.errors++;
  const { suite, name, classname, message } = testcase;
  if (summary.failed.length < MAX_LISTED_FAILURES) summary.failed.push({ suite, name, classname, message });
  else summary.moreFailed++;
}

function oneLine(text: string): string {
  return cap(text.replace(/\s+/g, ' ').trim());
}

function firstLine(text: string): string {
  for (const line of text.split('\n')) if (line.trim() !== '') return cap(line.trim());
  return '';
}

function cap(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? text.slice(0, MAX_MESSAGE_CHARS - 1) + '…' : text;
}

// ---- The XML scanner -------------------------------------------------------------------------

interface OpenTag {
  kind: 'open';
  name: string;
  attributes: Map<string, string>;
  selfClosing: boolean;
  offset: number;
}

interface CloseTag {
  kind: 'close';
  name: string;
  offset: number;
}

interface Text {
  kind: 'text';
  /** Entities decoded; CDATA as is. */
  text: string;
  offset: number;
}

type XmlToken = OpenTag | CloseTag | Text;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.:\u00B7\u00C0-\uFFFF-]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

// Tokens in document order; checks nesting and the single root as it goes. Comments,
// processing instructions (the <?xml ?> prolog) and a DOCTYPE are skipped.
class XmlScanner {
  private pos: number;
  private readonly open: Array<{ name: string; offset: number }> = [];
  private rootSeen = false;

  constructor(
    private readonly xml: string,
    private readonly source: string,
  ) {
    this.pos = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  next(): XmlToken | null {
    const xml = this.xml;
    while (this.pos < xml.length) {
      const start = this.pos;
      if (xml.charCodeAt(start) !== LT) {
        const next = xml.indexOf('<', start);
        const end = next < 0 ? xml.length : next;
        this.pos = end;
        const raw = xml.slice(start, end);
        if (this.open.length > 0) return { kind: 'text', text: this.decode(raw, start), offset: start };
        const stray = raw.search(/\S/);
        if (stray >= 0) this.fail(`expected only whitespace outside the root element, got ${quote(raw.slice(stray))}`, start + stray);
        continue;
      }
      if (xml.startsWith('<!--', start)) {
        this.pos = this.endOf('-->', start + 4, 'comment', start);
      } else if (xml.startsWith('<![CDATA[', start)) {
        if (this.open.length === 0) this.fail('expected a CDATA section inside an element, got one outside the root element', start);
        this.pos = this.endOf(']]>', start + 9, 'CDATA section', start);
        return { kind: 'text', text: xml.slice(start + 9, this.pos - 3), offset: start };
      } else if (xml.startsWith('<?', start)) {
        this.pos = this.endOf('?>', start + 2, 'processing instruction', start);
      } else if (xml.startsWith('<!DOCTYPE', start)) {
        this.skipDoctype(start);
      } else if (xml.startsWith('</', start)) {
        return this.closeTag(start);
      } else {
        return this.openTag(start);
      }
    }
    const top = this.open[this.open.length - 1];
    if (top) this.fail(`expected </${top.name}> to close the <${top.name}> opened at ${this.where(top.offset)}, got the end of the file`, xml.length);
    if (!this.rootSeen) this.fail('expected a <testsuites> or <testsuite> root element, got no element at all', xml.length);
    return null;
  }

  fail(reason: string, offset: number): never {
    const { line, column } = lineAndColumn(this.xml, offset);
    throw new JUnitError(reason, this.source, line, column, offset);
  }

  private openTag(start: number): OpenTag {
    const xml = this.xml;
    const name = this.readName(start + 1, 'an element name after "<"');
    const attributes = new Map<string, string>();
    let i = start + 1 + name.length;
    let selfClosing = false;
    for (;;) {
      const spaceStart = i;
      i = skipSpace(xml, i);
      const c = xml.charCodeAt(i);
      if (c === GT) {
        i++;
        break;
      }
      if (c === SLASH) {
        if (xml.charCodeAt(i + 1) !== GT) this.fail(`expected "/>" to end <${name}>, got ${this.describe(i)}`, i);
        i += 2;
        selfClosing = true;
        break;
      }
      if (i >= xml.length) this.fail(`expected ">" to end the <${name}> tag, got the end of the file`, start);
      if (i === spaceStart) this.fail(`expected whitespace, ">" or "/>" in <${name}>, got ${this.describe(i)}`, i);
      const key = this.readName(i, `an attribute name, ">" or "/>" in <${name}>`);
      const keyAt = i;
      i = skipSpace(xml, i + key.length);
      if (xml[i] !== '=') this.fail(`expected "=" after attribute ${key} of <${name}>, got ${this.describe(i)}`, i);
      i = skipSpace(xml, i + 1);
      const mark = xml[i];
      if (mark !== '"' && mark !== "'") this.fail(`expected a quoted value for attribute ${key} of <${name}>, got ${this.describe(i)}`, i);
      const end = xml.indexOf(mark, i + 1);
      if (end < 0) this.fail(`expected a closing ${mark} for attribute ${key} of <${name}>, got the end of the file`, i);
      const raw = xml.slice(i + 1, end);
      const lt = raw.indexOf('<');
      if (lt >= 0) this.fail(`expected &lt; for "<" in the value of attribute ${key} of <${name}> (or a missing closing ${mark}), got a raw "<"`, i + 1 + lt);
      if (attributes.has(key)) this.fail(`expected attribute ${key} once in <${name}>, got it twice`, keyAt);
      attributes.set(key, this.decode(raw.replace(/[\t\n\r]/g, ' '), i + 1));
      i = end + 1;
    }
    if (this.open.length === 0) {
      if (this.rootSeen) this.fail(`expected a single root element, got a second one <${name}>`, start);
      this.rootSeen = true;
    }
    if (!selfClosing) this.open.push({ name, offset: start });
    this.pos = i;
    return { kind: 'open', name, attributes, selfClosing, offset: start };
  }

  private closeTag(start: number): CloseTag {
    const name = this.readName(start + 2, 'an element name after "</"');
    const i = skipSpace(this.xml, start + 2 + name.length);
    if (this.xml.charCodeAt(i) !== GT) this.fail(`expected ">" to end </${name}>, got ${this.describe(i)}`, i);
    const top = this.open.pop();
    if (!top) this.fail(`expected nothing but whitespace after the root element, got </${name}>`, start);
    if (top.name !== name) this.fail(`expected </${top.name}> to close the <${top.name}> opened at ${this.where(top.offset)}, got </${name}>`, start);
    this.pos = i + 1;
    return { kind: 'close', name, offset: start };
  }

  private readName(at: number, expected: string): string {
    NAME.lastIndex = at;
    const match = NAME.exec(this.xml);
    if (!match) this.fail(`expected ${expected}, got ${this.describe(at)}`, at);
    return match[0];
  }

  /** Index just past `terminator`, searched from `from`. */
  private endOf(terminator: string, from: number, what: string, start: number): number {
    const at = this.xml.indexOf(terminator, from);
    if (at < 0) this.fail(`expected "${terminator}" to end the ${what} started here, got the end of the file`, start);
    return at + terminator.length;
  }

  private skipDoctype(start: number): void {
    if (this.rootSeen) this.fail('expected <!DOCTYPE> only before the root element, got one after it', start);
    let quoteChar = '';
    let inSubset = false;
    for (let i = start + 9; i < this.xml.length; i++) {
      const c = this.xml[i]!;
      if (quoteChar) {
        if (c === quoteChar) quoteChar = '';
      } else if (c === '"' || c === "'") quoteChar = c;
      else if (c === '[') inSubset = true;
      else if (c === ']') inSubset = false;
      else if (c === '>' && !inSubset) {
        this.pos = i + 1;
        return;
      }
    }
    this.fail('expected ">" to end the <!DOCTYPE> started here, got the end of the file', start);
  }

  /** Replaces entities and character references; `offset` is where `raw` starts in the file. */
  private decode(raw: string, offset: number): string {
    let amp = raw.indexOf('&');
    if (amp < 0) return raw;
    let out = '';
    let from = 0;
    while (amp >= 0) {
      out += raw.slice(from, amp);
      const semi = raw.indexOf(';', amp + 1);
      const char = semi < 0 || semi - amp > 10 ? undefined : entityText(raw.slice(amp + 1, semi));
      if (char === undefined) {
        this.fail(`expected an entity such as &amp; &lt; &#60; or &#x3C; after "&", got ${quote(raw.slice(amp, amp + 12))}`, offset + amp);
      }
      out += char;
      from = semi + 1;
      amp = raw.indexOf('&', from);
    }
    return out + raw.slice(from);
  }

  private describe(at: number): string {
    return at >= this.xml.length ? 'the end of the file' : quote(this.xml.slice(at, at + 12));
  }

  private where(offset: number): string {
    const { line, column } = lineAndColumn(this.xml, offset);
    return `line ${line}, column ${column}`;
  }
}

/** The text an entity stands for (name without & and ;), or undefined when it is not one. */
function entityText(name: string): string | undefined {
  const predefined = PREDEFINED[name];
  if (predefined !== undefined) return predefined;
  const match = /^#(?:([0-9]{1,7})|x([0-9a-fA-F]{1,6}))$/.exec(name);
  if (!match) return undefined;
  const code = match[1] !== undefined ? Number(match[1]) : parseInt(match[2]!, 16);
  // Control characters are allowed (reports escape ANSI colours as &#27;); NUL and lone surrogates are not.
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
  return String.fromCodePoint(code);
}

function skipSpace(text: string, at: number): number {
  let i = at;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d; c = text.charCodeAt(++i));
  return i;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl >= 0 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function quote(text: string): string {
  const short = text.length > 12 ? text.slice(0, 12) + '…' : text;
  return JSON.stringify(short);
}
