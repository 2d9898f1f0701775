// The `if:` expression language: a tokenizer and recursive-descent parser into an AST, and its evaluation.
//
//   condition  := or
//   or         := and ("||" and)*
//   and        := unary ("&&" unary)*
//   unary      := "!" unary | "(" or ")" | subject [compare string]
//   subject    := "branch" | "tag" | "event"
//   compare    := "==" | "!=" | "=~" | "!~"        (=~ and !~ match a glob, as in `branches`)
//   string     := '"' chars '"' | "'" chars "'"    (no escapes: use the other quote)
//
// A bare `branch` or `tag` is true when it is set; `event` must be compared.

import { branchMatches, branchPatternProblem } from './branch-match.js';
import { closestName } from './did-you-mean.js';

/** What a condition can ask about. */
export type ConditionSubject = 'branch' | 'tag' | 'event';

export type ConditionOperator = '==' | '!=' | '=~' | '!~';

/** A parsed `if:` expression. */
export type Condition =
  | { kind: 'compare'; subject: ConditionSubject; operator: ConditionOperator; value: string }
  | { kind: 'present'; subject: 'branch' | 'tag' }
  | { kind: 'not'; operand: Condition }
  | { kind: 'and'; left: Condition; right: Condition }
  | { kind: 'or'; left: Condition; right: Condition };

/** What a condition is evaluated against; `branch` is null for a tag push and `tag` for a branch push. */
export interface ConditionFacts {
  branch: string | null;
  tag: string | null;
  event: string;
}

/** The events a run can come from, so `event == "psuh"` is caught when the file is read. */
export const CONDITION_EVENTS: readonly string[] = ['push', 'manual', 'local'];

export type ConditionParse = { ok: true; condition: Condition } | { ok: false; column: number; message: string };

// Bounds the parser's and the evaluator's recursion; a real condition is a line or two.
export const MAX_CONDITION_LENGTH = 1_000;

const SUBJECTS: readonly ConditionSubject[] = ['branch', 'tag', 'event'];
const OPERATORS: readonly string[] = ['==', '!=', '=~', '!~'];
const EXPECTED_OPERATOR = 'expected ==, !=, =~ or !~';

type TokenKind = 'word' | 'string' | 'symbol' | 'end';

interface Token {
  kind: TokenKind;
  /** The token as written; for strings, the text between the quotes. */
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

// Thrown inside the parser only, to unwind from deep in the grammar; parseCondition turns it into a result.
class ConditionSyntaxError extends Error {
  constructor(readonly column: number, message: string) {
    super(message);
  }
}

/** Parses an `if:` expression; a problem comes back with its 1-based column and says what was expected there. */
export function parseCondition(text: string): ConditionParse {
  const length = Array.from(text).length;
  if (length > MAX_CONDITION_LENGTH) {
    return { ok: false, column: MAX_CONDITION_LENGTH + 1, message: `expected at most ${MAX_CONDITION_LENGTH} characters, got ${length}` };
  }
  try {
    const parser = new Parser(tokenize(text));
    const condition = parser.parseOr();
    parser.expectEnd();
    return { ok: true, condition };
  } catch (error) {
    if (error instanceof ConditionSyntaxError) return { ok: false, column: error.column, message: error.message };
    throw error;
  }
}

/** Decides whether a job runs: the condition against the run's branch, tag and event. */
export function evaluateCondition(condition: Condition, facts: ConditionFacts): boolean {
  switch (condition.kind) {
    case 'not':
      return !evaluateCondition(condition.operand, facts);
    case 'and':
      return evaluateCondition(condition.left, facts) && evaluateCondition(condition.right, facts);
    case 'or':
      return evaluateCondition(condition.left, facts) || evaluateCondition(condition.right, facts);
    case 'present': {
      const value = facts[condition.subject];
      return value !== null && value !== '';
    }
    case 'compare':
      return compare(facts[condition.subject], condition.operator, condition.value);
  }
}

// An unset branch or tag equals and matches nothing, so `!=` and `!~` hold for it.
function compare(actual: string | null, operator: ConditionOperator, expected: string): boolean {
  switch (operator) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '=~':
      return actual !== null && branchMatches([expected], actual);
    case '!~':
      return actual === null || !branchMatches([expected], actual);
  }
}

// Positions are counted in characters (code points), as an editor shows them.
function tokenize(text: string): Token[] {
  const chars = Array.from(text);
  const tokens: Token[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    const column = i + 1;
    if (/\s/u.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < chars.length && /[A-Za-z0-9_]/.test(chars[end] as string)) end++;
      tokens.push({ kind: 'word', text: chars.slice(i, end).join(''), column });
      i = end;
    } else if (c === '"' || c === "'") {
      const close = chars.indexOf(c, i + 1);
      if (close === -1) throw new ConditionSyntaxError(column, `unterminated string starting at column ${column}; expected a closing ${c}`);
      tokens.push({ kind: 'string', text: chars.slice(i + 1, close).join(''), column });
      i = close + 1;
    } else {
      const pair = c + (chars[i + 1] ?? '');
      const text = ['==', '!=', '=~', '!~', '&&', '||'].includes(pair) ? pair : c;
      tokens.push({ kind: 'symbol', text, column });
      i += text.length;
    }
  }
  tokens.push({ kind: 'end', text: '', column: chars.length + 1 });
  return tokens;
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  parseOr(): Condition {
    let left = this.parseAnd();
    while (this.peek().text === '||' && this.peek().kind === 'symbol') {
      this.position++;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw unexpected(token, 'expected &&, || or the end of the condition');
  }

  private parseAnd(): Condition {
    let left = this.parseUnary();
    while (this.peek().text === '&&' && this.peek().kind === 'symbol') {
      this.position++;
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): Condition {
    const token = this.next();
    if (token.kind === 'symbol' && token.text === '!') return { kind: 'not', operand: this.parseUnary() };
    if (token.kind === 'symbol' && token.text === '(') {
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== 'symbol' || close.text !== ')') throw unexpected(close, `expected ) to close the ( at column ${token.column}`);
      return inner;
    }
    if (token.kind === 'word') return this.parseSubject(token);
    throw unexpected(token, 'expected branch, tag, event, ! or (');
  }

  private parseSubject(token: Token): Condition {
    const subject = SUBJECTS.find((name) => name === token.text);
    if (subject === undefined) {
      const guess = closestName(token.text, SUBJECTS);
      const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
      throw new ConditionSyntaxError(token.column, `unknown name "${token.text}" at column ${token.column}; expected branch, tag or event${hint}`);
    }
    const operator = this.peek();
    if (operator.kind === 'symbol' && OPERATORS.includes(operator.text)) {
      this.position++;
      return { kind: 'compare', subject, operator: operator.text as ConditionOperator, value: this.parseValue(subject, operator) };
    }
    // A word, a string or a lone "=" right after a subject is a comparison written wrong.
    if (operator.kind === 'word' || operator.kind === 'string' || operator.text === '=' || operator.text === '~') {
      throw unexpected(operator, EXPECTED_OPERATOR);
    }
    if (subject === 'event') throw unexpected(operator, `${EXPECTED_OPERATOR} after "event" (for example: event == "push")`);
    return { kind: 'present', subject };
  }

  private parseValue(subject: ConditionSubject, operator: Token): string {
    const token = this.next();
    if (token.kind === 'word') {
      throw unexpected(token, `expected a quoted string like "${token.text}"`);
    }
    if (token.kind !== 'string') throw unexpected(token, `expected a quoted string after ${operator.text}`);
    const problem = valueProblem(subject, operator.text, token);
    if (problem !== undefined) throw new ConditionSyntaxError(token.column, problem);
    return token.text;
  }

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }
}

// Checks a literal's meaning: a glob must compile, and an event compared exactly must exist.
function valueProblem(subject: ConditionSubject, operator: string, token: Token): string | undefined {
  const at = `at column ${token.column}`;
  const value = token.text;
  if (operator === '=~' || operator === '!~') {
    if (value === '') return `empty pattern ${at}; expected a glob like "release/*"`;
    if (value.startsWith('!')) return `pattern "${value}" ${at} starts with "!"; write ${operator === '=~' ? '!~' : '=~'} to negate`;
    const problem = branchPatternProblem(value);
    return problem === undefined ? undefined : `invalid pattern "${value}" ${at}: ${problem}`;
  }
  if (subject !== 'event' || CONDITION_EVENTS.includes(value)) return undefined;
  const guess = closestName(value, CONDITION_EVENTS);
  const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
  return `unknown event "${value}" ${at}; expected ${CONDITION_EVENTS.slice(0, -1).join(', ')} or ${CONDITION_EVENTS.at(-1)}${hint}`;
}

function unexpected(token: Token, expected: string): ConditionSyntaxError {
  if (token.kind === 'end') return new ConditionSyntaxError(token.column, `unexpected end of condition; ${expected}`);
  const what = token.kind === 'string' ? `string ${JSON.stringify(token.text)}` : JSON.stringify(token.text);
  return new ConditionSyntaxError(token.column, `unexpected ${what} at column ${token.column}; ${expected}`);
}
