import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateCondition, MAX_CONDITION_LENGTH, parseCondition, type Condition, type ConditionFacts } from '../../src/pipeline/condition.js';

function conditionOf(text: string): Condition {
  const parsed = parseCondition(text);
  if (!parsed.ok) throw new Error(`expected "${text}" to parse, got: ${parsed.message}`);
  return parsed.condition;
}

function errorOf(text: string): { column: number; message: string } {
  const parsed = parseCondition(text);
  if (parsed.ok) throw new Error(`expected "${text}" not to parse`);
  return { column: parsed.column, message: parsed.message };
}

const onBranch = (branch: string, event = 'push'): ConditionFacts => ({ branch, tag: null, event });
const onTag = (tag: string, event = 'push'): ConditionFacts => ({ branch: null, tag, event });
const holds = (text: string, facts: ConditionFacts) => evaluateCondition(conditionOf(text), facts);

test('comparisons parse into an AST', () => {
  assert.equal(conditionOf('branch == "main"'), { kind: 'compare', subject: 'branch', operator: '==', value: 'main' });
  assert.equal(conditionOf("tag =~ 'v*'"), { kind: 'compare', subject: 'tag', operator: '=~', value: 'v*' });
  assert.equal(conditionOf('tag'), { kind: 'present', subject: 'tag' });
  assert.equal(conditionOf('!branch'), { kind: 'not', operand: { kind: 'present', subject: 'branch' } });
});

test('&& binds tighter than ||, ! tighter than both, and parentheses regroup', () => {
  const a = { kind: 'present', subject: 'branch' } as const;
  const b = { kind: 'present', subject: 'tag' } as const;
  const c = { kind: 'compare', subject: 'event', operator: '==', value: 'push' } as const;
  assert.equal(conditionOf('branch || tag && event == "push"'), { kind: 'or', left: a, right: { kind: 'and', left: b, right: c } });
  assert.equal(conditionOf('(branch || tag) && event == "push"'), { kind: 'and', left: { kind: 'or', left: a, right: b }, right: c });
  assert.equal(conditionOf('!branch && tag'), { kind: 'and', left: { kind: 'not', operand: a }, right: b });
  assert.equal(conditionOf('!branch == "x"'), { kind: 'not', operand: { kind: 'compare', subject: 'branch', operator: '==', value: 'x' } });
  assert.equal(conditionOf('branch && tag && event == "push"'), { kind: 'and', left: { kind: 'and', left: a, right: b }, right: c });
});

test('whitespace is optional and may include newlines', () => {
  assert.equal(conditionOf('branch=="main"&&!tag'), conditionOf('branch == "main" && ! tag'));
  assert.equal(conditionOf('branch == "main"\n  || tag'), conditionOf('branch == "main" || tag'));
});

test('== and != compare exactly; an unset branch or tag equals nothing', () => {
  assert.ok(holds('branch == "main"', onBranch('main')));
  assert.not.ok(holds('branch == "main"', onBranch('main2')));
  assert.not.ok(holds('branch == "main"', onTag('main')));
  assert.ok(holds('branch != "main"', onBranch('dev')));
  assert.ok(holds('branch != "main"', onTag('v1')));
  assert.ok(holds('tag == "v1.0"', onTag('v1.0')));
  assert.ok(holds("event == 'manual'", onBranch('x', 'manual')));
  assert.not.ok(holds("event == 'manual'", onBranch('x', 'push')));
});

test('=~ and !~ match globs as `branches` does: * crosses "/"', () => {
  assert.ok(holds('branch =~ "release/*"', onBranch('release/1.2')));
  assert.ok(holds('branch =~ "release/*"', onBranch('release/1.2/rc1')));
  assert.not.ok(holds('branch =~ "release/*"', onBranch('main')));
  assert.not.ok(holds('branch =~ "*"', onTag('v1')));
  assert.ok(holds('branch !~ "wip/*"', onBranch('main')));
  assert.not.ok(holds('branch !~ "wip/*"', onBranch('wip/x')));
  assert.ok(holds('branch !~ "wip/*"', onTag('v1')));
  assert.ok(holds('tag =~ "v[0-9]*"', onTag('v2.1')));
  assert.not.ok(holds('tag =~ "v[0-9]*"', onTag('vX')));
});

test('bare branch and tag are true when set and non-empty', () => {
  assert.ok(holds('tag', onTag('v1')));
  assert.not.ok(holds('tag', onBranch('main')));
  assert.not.ok(holds('tag', { branch: null, tag: '', event: 'push' }));
  assert.ok(holds('branch', onBranch('main')));
  assert.ok(holds('!tag', onBranch('main')));
});

test('combinations', () => {
  const release = '(branch == "main" || branch =~ "release/*") && event != "local"';
  assert.ok(holds(release, onBranch('main')));
  assert.ok(holds(release, onBranch('release/2')));
  assert.not.ok(holds(release, onBranch('main', 'local')));
  assert.not.ok(holds(release, onBranch('dev')));
  assert.ok(holds('tag =~ "v*" || branch == "main"', onTag('v3')));
});

test('a lone "=" says which operators exist, with its column', () => {
  assert.equal(errorOf('branch = "main"'), { column: 8, message: 'unexpected "=" at column 8; expected ==, !=, =~ or !~' });
  assert.equal(errorOf('branch ~ "main"'), { column: 8, message: 'unexpected "~" at column 8; expected ==, !=, =~ or !~' });
  assert.equal(errorOf('branch "main"'), { column: 8, message: 'unexpected string "main" at column 8; expected ==, !=, =~ or !~' });
});

test('unquoted values, unknown names and unknown events', () => {
  assert.equal(errorOf('branch == main').message, 'unexpected "main" at column 11; expected a quoted string like "main"');
  assert.equal(errorOf('brnch == "main"').message, 'unknown name "brnch" at column 1; expected branch, tag or event (did you mean "branch"?)');
  assert.equal(errorOf('ref == "main"').message, 'unknown name "ref" at column 1; expected branch, tag or event');
  assert.equal(errorOf('event == "psuh"').message, 'unknown event "psuh" at column 10; expected push, manual or local (did you mean "push"?)');
  assert.ok(parseCondition('event =~ "p*"').ok);
});

test('event must be compared', () => {
  assert.equal(errorOf('event').message, 'unexpected end of condition; expected ==, !=, =~ or !~ after "event" (for example: event == "push")');
  assert.equal(errorOf('event && tag').message, 'unexpected "&&" at column 7; expected ==, !=, =~ or !~ after "event" (for example: event == "push")');
});

test('glob patterns are checked when parsed', () => {
  assert.equal(errorOf('branch =~ "!wip/*"').message, 'pattern "!wip/*" at column 11 starts with "!"; write !~ to negate');
  assert.equal(errorOf('tag !~ "!v*"').message, 'pattern "!v*" at column 8 starts with "!"; write =~ to negate');
  assert.equal(errorOf('branch =~ "[a"').message, 'invalid pattern "[a" at column 11: unclosed "[" (write "\\[" for a literal bracket)');
  assert.equal(errorOf('branch !~ ""').message, 'empty pattern at column 11; expected a glob like "release/*"');
});

test('structural errors name what was expected', () => {
  assert.equal(errorOf(''), { column: 1, message: 'unexpected end of condition; expected branch, tag, event, ! or (' });
  assert.equal(errorOf('branch &&').message, 'unexpected end of condition; expected branch, tag, event, ! or (');
  assert.equal(errorOf('branch & tag').message, 'unexpected "&" at column 8; expected &&, || or the end of the condition');
  assert.equal(errorOf('(branch || tag').message, 'unexpected end of condition; expected ) to close the ( at column 1');
  assert.equal(errorOf('branch)').message, 'unexpected ")" at column 7; expected &&, || or the end of the condition');
  assert.equal(errorOf('branch == "main" tag').message, 'unexpected "tag" at column 18; expected &&, || or the end of the condition');
  assert.equal(errorOf('branch == "main').message, 'unterminated string starting at column 11; expected a closing "');
  assert.equal(errorOf('branch == ').message, 'unexpected end of condition; expected a quoted string after ==');
  assert.equal(errorOf('branch == == "x"').message, 'unexpected "==" at column 11; expected a quoted string after ==');
});

test('columns count characters, not bytes', () => {
  assert.equal(errorOf('branch == "é" &').column, 15);
});

test('the other quote needs no escaping', () => {
  assert.equal(conditionOf(`branch == "it's"`), { kind: 'compare', subject: 'branch', operator: '==', value: "it's" });
  assert.equal(conditionOf(`branch == 'say "hi"'`), { kind: 'compare', subject: 'branch', operator: '==', value: 'say "hi"' });
});

test('overlong conditions are refused instead of recursing deeply', () => {
  const long = `${'!'.repeat(MAX_CONDITION_LENGTH)}tag`;
  assert.equal(errorOf(long).message, `expected at most ${MAX_CONDITION_LENGTH} characters, got ${MAX_CONDITION_LENGTH + 3}`);
  assert.ok(parseCondition(`${'!'.repeat(MAX_CONDITION_LENGTH - 3)}tag`).ok);
  assert.ok(parseCondition(`${'('.repeat(300)}tag${')'.repeat(300)}`).ok);
});

test.run();
