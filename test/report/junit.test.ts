// JUnit reports: counts from the test cases of every common shape (jest-junit, pytest, maven
// surefire), XML details (entities, CDATA, comments, quotes), and malformed input as a
// JUnitError with line and column instead of wrong counts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyJUnitSummary, formatTestCounts, JUnitError, MAX_LISTED_FAILURES, mergeJUnit, parseJUnit, type JUnitSummary } from '../../src/report/junit.js';

const counts = (s: JUnitSummary): Omit<JUnitSummary, 'failed'> => ({ tests: s.tests, failures: s.failures, errors: s.errors, skipped: s.skipped, moreFailed: s.moreFailed });

/** The JUnitError a report gives (fails the test when it parses). */
function errorOf(xml: string, source?: string): JUnitError {
  try {
    parseJUnit(xml, source);
  } catch (error) {
    if (error instanceof JUnitError) return error;
    throw error;
  }
  throw new Error(`expected a JUnitError, got a summary for ${JSON.stringify(xml.slice(0, 80))}`);
}

const JEST = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="99" failures="0" errors="0" time="1.234">
  <testsuite name="Calculator" errors="0" failures="0" skipped="0" timestamp="2024-05-01T10:00:00" time="0.8" tests="4">
    <testcase classname="Calculator adds two numbers" name="Calculator adds two numbers" time="0.002">
    </testcase>
    <testcase classname="Calculator divides by zero" name="Calculator divides by zero" time="0.004">
      <failure>Error: expect(received).toThrow()

Received function did not throw
    at Object.&lt;anonymous&gt; (/repo/src/calc.test.js:12:31)
    at processTicksAndRejections (node:internal/process/task_queues:95:5)</failure>
    </testcase>
    <testcase classname="Calculator handles &quot;strings&quot;" name="Calculator handles &quot;strings&quot;" time="0">
      <skipped/>
    </testcase>
    <testcase classname="Calculator colours" name="Calculator colours" time="0.001">
      <failure>&#x1B;[31mError: red&#x1B;[39m</failure>
    </testcase>
  </testsuite>
  <testsuite name="Parser" errors="0" failures="0" skipped="0" timestamp="2024-05-01T10:00:01" time="0.1" tests="1">
    <testcase classname="Parser parses" name="Parser parses" time="0.001">
    </testcase>
  </testsuite>
</testsuites>
`;

const PYTEST = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" skipped="2" tests="6" time="0.512" timestamp="2024-05-01T10:00:00.000000" hostname="ci"><testcase classname="tests.test_math" name="test_add" time="0.001" /><testcase classname="tests.test_math" name="test_div" time="0.002"><failure message="ZeroDivisionError: division by zero">def test_div():
&gt;       assert 1 / 0
E       ZeroDivisionError: division by zero

tests/test_math.py:7: ZeroDivisionError</failure></testcase><testcase classname="tests.test_db" name="test_connect" time="0.000"><error message="failed on setup with &quot;ConnectionRefusedError: [Errno 111] Connection refused&quot;">@pytest.fixture
def db():
&gt;   return connect()
E   ConnectionRefusedError: [Errno 111] Connection refused</error></testcase><testcase classname="tests.test_math" name="test_skip" time="0.000"><skipped type="pytest.skip" message="not on linux">tests/test_math.py:12: not on linux</skipped></testcase><testcase classname="tests.test_math" name="test_xfail" time="0.001"><skipped type="pytest.xfail" message="known bug" /></testcase><testcase classname="tests.test_math" name="test_param[a-1]" time="0.001"><system-out>--------------------------------- Captured Out ---------------------------------
printed &lt;testcase name="fake"&gt;</system-out><system-err>warn</system-err></testcase></testsuite></testsuites>`;

const SUREFIRE = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report-3.0.xsd" version="3.0" name="com.example.AppTest" time="0.045" tests="2" errors="0" skipped="0" failures="0">
  <properties>
    <property name="java.version" value="17.0.9"/>
    <property name="line.separator" value="&#10;"/>
  </properties>
  <testcase name="testAdd" classname="com.example.AppTest" time="0.002"/>
  <testcase name="testEquals" classname="com.example.AppTest" time="0.011">
    <failure message="expected: &lt;1&gt; but was: &lt;2&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected: <1> but was: <2>
	at com.example.AppTest.testEquals(AppTest.java:20)
]]></failure>
    <system-out><![CDATA[log line with <testcase name="ghost"/> and <failure> in it ]]></system-out>
  </testcase>
  <testcase name="testFlaky" classname="com.example.AppTest" time="0.003">
    <flakyFailure message="timeout" type="java.util.concurrent.TimeoutException">
      <stackTrace><![CDATA[java.util.concurrent.TimeoutException: timeout]]></stackTrace>
    </flakyFailure>
  </testcase>
  <testcase name="testNpe" classname="com.example.AppTest" time="0.001">
    <error type="java.lang.NullPointerException">java.lang.NullPointerException
	at com.example.AppTest.testNpe(AppTest.java:30)</error>
  </testcase>
  <testcase name="testIgnored" classname="com.example.AppTest" time="0">
    <skipped message="@Disabled"/>
  </testcase>
</testsuite>
`;

test('a jest-junit report: counts from the test cases, not the totals attributes', () => {
  const s = parseJUnit(JEST);
  assert.equal(counts(s), { tests: 5, failures: 2, errors: 0, skipped: 1, moreFailed: 0 });
  assert.equal(s.failed, [
    { suite: 'Calculator', name: 'Calculator divides by zero', classname: 'Calculator divides by zero', message: 'Error: expect(received).toThrow()' },
    { suite: 'Calculator', name: 'Calculator colours', classname: 'Calculator colours', message: '\x1b[31mError: red\x1b[39m' },
  ]);
  assert.is(formatTestCounts(s), '2 passed, 2 failed, 1 skipped');
});

test('a pytest report: failure and error messages from attributes, xfail as skipped, captured output ignored', () => {
  const s = parseJUnit(PYTEST);
  assert.equal(counts(s), { tests: 6, failures: 1, errors: 1, skipped: 2, moreFailed: 0 });
  assert.equal(s.failed, [
    { suite: 'pytest', name: 'test_div', classname: 'tests.test_math', message: 'ZeroDivisionError: division by zero' },
    { suite: 'pytest', name: 'test_connect', classname: 'tests.test_db', message: 'failed on setup with "ConnectionRefusedError: [Errno 111] Connection refused"' },
  ]);
  assert.is(formatTestCounts(s), '2 passed, 2 failed, 2 skipped');
});

test('a maven surefire report: bare <testsuite> root, CDATA bodies, flaky passes, messages from the body', () => {
  const s = parseJUnit(SUREFIRE);
  assert.equal(counts(s), { tests: 5, failures: 1, errors: 1, skipped: 1, moreFailed: 0 });
  assert.equal(s.failed, [
    { suite: 'com.example.AppTest', name: 'testEquals', classname: 'com.example.AppTest', message: 'expected: <1> but was: <2>' },
    { suite: 'com.example.AppTest', name: 'testNpe', classname: 'com.example.AppTest', message: 'java.lang.NullPointerException' },
  ]);
});

test('nested suites: each case belongs to its innermost suite, counted once', () => {
  const xml = `<testsuites>
    <testsuite name="outer" tests="100">
      <testcase name="a"/>
      <testsuite name="inner">
        <testcase name="b"><failure message="b broke"/></testcase>
        <testsuite>
          <testcase name="c"><failure message="c broke"/></testcase>
        </testsuite>
      </testsuite>
      <testcase name="d"><error message="d broke"/></testcase>
    </testsuite>
    <testsuite name="other"><testcase name="e"><failure message="e broke"/></testcase></testsuite>
    <testsuite name="empty"/>
  </testsuites>`;
  const s = parseJUnit(xml);
  assert.equal(counts(s), { tests: 5, failures: 3, errors: 1, skipped: 0, moreFailed: 0 });
  assert.equal(s.failed.map((f) => `${f.suite}/${f.name}`), ['inner/b', 'inner/c', 'outer/d', 'other/e']);
});

test('self-closing and text-bearing failure, error and skipped; the first failure or error decides', () => {
  const xml = `<testsuite name="s">
    <testcase name="f1"><failure/></testcase>
    <testcase name="f2"><failure type="AssertionError"/></testcase>
    <testcase name="f3"><failure>

      first line
      second line</failure></testcase>
    <testcase name="e1"><error message="m"></error></testcase>
    <testcase name="s1"><skipped/></testcase>
    <testcase name="s2"><skipped>because</skipped></testcase>
    <testcase name="both"><skipped/><failure message="after skip"/></testcase>
    <testcase name="twice"><error message="first"/><failure message="second"/></testcase>
  </testsuite>`;
  const s = parseJUnit(xml);
  assert.equal(counts(s), { tests: 8, failures: 4, errors: 2, skipped: 2, moreFailed: 0 });
  assert.equal(s.failed.map((f) => [f.name, f.message]), [
    ['f1', ''],
    ['f2', 'AssertionError'],
    ['f3', 'first line'],
    ['e1', 'm'],
    ['both', 'after skip'],
    ['twice', 'first'],
  ]);
});

test('attributes in either quote style, spaced around =, quotes of the other kind inside', () => {
  const xml = `<testsuite name='single'><testcase name = 'it says "hi"' classname="it's" ><failure message='a "b" c'/></testcase></testsuite>`;
  const s = parseJUnit(xml);
  assert.equal(s.failed, [{ suite: 'single', name: 'it says "hi"', classname: "it's", message: 'a "b" c' }]);
});

test('entities and character references are decoded in attributes and text', () => {
  const xml = `<testsuite name="a &amp; b"><testcase name="&lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#x1F600; &#10;x"><failure>&lt;tag&gt; &amp;&amp; &#x3C;</failure></testcase></testsuite>`;
  const [f] = parseJUnit(xml).failed;
  assert.is(f!.suite, 'a & b');
  assert.is(f!.name, `<>&"' AB😀 \nx`);
  assert.is(f!.message, '<tag> && <');
});

test('long or multi-line messages become one line of at most 500 characters', () => {
  const xml = `<testsuite><testcase name="x"><failure message="line one&#10;line   two&#9;end"/></testcase><testcase name="y"><failure message="${'m'.repeat(2000)}"/></testcase></testsuite>`;
  const [x, y] = parseJUnit(xml).failed;
  assert.is(x!.message, 'line one line two end');
  assert.is(y!.message.length, 500);
  assert.ok(y!.message.endsWith('…'));
});

test('comments, the prolog, a DOCTYPE and a byte-order mark are skipped', () => {
  const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE testsuites [ <!ELEMENT testsuites ANY> ]>
<!-- generated by hand: <testcase name="commented"/> -->
<testsuites>
  <!-- <testcase name="also commented"> -->
  <testsuite name="s"><?some-instruction data?>
    <testcase name="real"/><!---->
  </testsuite>
</testsuites>
<!-- trailing comment -->
`;
  assert.equal(counts(parseJUnit(xml)), { tests: 1, failures: 0, errors: 0, skipped: 0, moreFailed: 0 });
});

test('<testcase> text inside CDATA and inside system-out or system-err is never counted', () => {
  const xml = `<testsuite name="s">
    <system-out><![CDATA[<testsuite><testcase name="ghost"><failure/></testcase></testsuite>]]></system-out>
    <testcase name="real">
      <system-out><![CDATA[<testcase name="ghost2"/>]]>&lt;testcase name="ghost3"/&gt;</system-out>
      <system-err><testcase name="element-in-output"><failure/></testcase></system-err>
    </testcase>
    <system-err/>
  </testsuite>`;
  const s = parseJUnit(xml);
  assert.equal(counts(s), { tests: 1, failures: 0, errors: 0, skipped: 0, moreFailed: 0 });
});

test('the failed list is capped at 50, the rest counted', () => {
  const cases = Array.from({ length: 120 }, (_, i) => `<testcase name="t${i}"><failure message="m${i}"/></testcase>`).join('');
  const s = parseJUnit(`<testsuite>${cases}<testcase name="ok"/></testsuite>`);
  assert.is(s.failures, 120);
  assert.is(s.failed.length, MAX_LISTED_FAILURES);
  assert.is(s.failed[49]!.name, 't49');
  assert.is(s.moreFailed, 70);
  assert.is(formatTestCounts(s), '1 passed, 120 failed');
});

test('mergeJUnit adds up several reports and keeps the cap', () => {
  const a = parseJUnit(JEST);
  const b = parseJUnit(PYTEST);
  const many = parseJUnit(`<testsuite>${Array.from({ length: 60 }, (_, i) => `<testcase name="m${i}"><error/></testcase>`).join('')}</testsuite>`);
  const merged = mergeJUnit([a, b, many]);
  assert.equal(counts(merged), { tests: 71, failures: 3, errors: 61, skipped: 3, moreFailed: 14 });
  assert.is(merged.failed.length, 50);
  assert.equal(merged.failed.slice(0, 4).map((f) => f.name), ['Calculator divides by zero', 'Calculator colours', 'test_div', 'test_connect']);
  assert.equal(mergeJUnit([]), emptyJUnitSummary());
  assert.equal(mergeJUnit([a]), a);
});

test('formatTestCounts: errors count as failed, skipped only when any', () => {
  const s = { ...emptyJUnitSummary(), tests: 219, failures: 2, errors: 1, skipped: 4 };
  assert.is(formatTestCounts(s), '212 passed, 3 failed, 4 skipped');
  assert.is(formatTestCounts({ ...emptyJUnitSummary(), tests: 212 }), '212 passed, 0 failed');
  assert.is(formatTestCounts(emptyJUnitSummary()), '0 passed, 0 failed');
});

test('an empty root is zero tests, not an error', () => {
  assert.equal(counts(parseJUnit('<testsuites/>')), counts(emptyJUnitSummary()));
  assert.equal(counts(parseJUnit('<?xml version="1.0"?>\n<testsuite name="x" tests="3"></testsuite>\n')), counts(emptyJUnitSummary()));
});

test('malformed XML is a JUnitError at the right line and column, saying what was expected', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['<testsuites>\n  <testsuite name="a">\n    <testcase name="x">\n  </testsuite>\n</testsuites>', 4, 3, /expected <\/testcase> to close the <testcase> opened at line 3, column 5, got <\/testsuite>/],
    ['<testsuite>\n<testcase name="x"/>\n', 3, 1, /expected <\/testsuite> to close the <testsuite> opened at line 1, column 1, got the end of the file/],
    ['<testsuite><testcase name="a &copy; b"/></testsuite>', 1, 30, /expected an entity such as &amp; &lt; &#60; or &#x3C; after "&", got "&copy; b"/],
    ['<testsuite><testcase name="a"><failure>x & y</failure></testcase></testsuite>', 1, 42, /after "&", got "& y"/],
    ['<testsuite><testcase name="&#0;"/></testsuite>', 1, 28, /after "&", got "&#0;/],
    ['<testsuite><testcase name=x/></testsuite>', 1, 27, /expected a quoted value for attribute name of <testcase>, got "x\/>/],
    ['<testsuite><testcase name="a" name="b"/></testsuite>', 1, 31, /expected attribute name once in <testcase>, got it twice/],
    ['<testsuite><testcase name="a"class="b"/></testsuite>', 1, 30, /expected whitespace, ">" or "\/>" in <testcase>, got "class/],
    ['<testsuite><testcase name="a/></testcase><testcase name="b"/></testsuite>', 1, 31, /expected &lt; for "<" in the value of attribute name of <testcase> \(or a missing closing "\)/],
    ['<testsuite><testcase name="a></testsuite>', 1, 27, /expected a closing " for attribute name of <testcase>, got the end of the file/],
    ['<testsuite/>\n<testsuite/>', 2, 1, /expected a single root element, got a second one <testsuite>/],
    ['<testsuite/>\ntrailing text', 2, 1, /expected only whitespace outside the root element, got "trailing tex…"/],
    ['<testsuite></testsuite></testsuite>', 1, 24, /expected nothing but whitespace after the root element, got <\/testsuite>/],
    ['<!DOCTYPE html>\n<html><body>not a report</body></html>', 2, 1, /expected a <testsuites> or <testsuite> root element, got <html>/],
    ['', 1, 1, /expected a <testsuites> or <testsuite> root element, got no element at all/],
    ['<?xml version="1.0"?>\n<!-- only a comment -->\n', 3, 1, /got no element at all/],
    ['<testsuite>\n<!-- never closed </testsuite>', 2, 1, /expected "-->" to end the comment started here, got the end of the file/],
    ['<testsuite><testcase><system-out><![CDATA[ <x> </system-out></testcase></testsuite>', 1, 34, /expected "]]>" to end the CDATA section started here/],
    ['<testsuite><testcase name="a"><testcase name="b"/></testcase></testsuite>', 1, 31, /expected <testcase> only inside a <testsuite>, got one inside <testcase name="a">/],
    ['<testsuite>< testcase/></testsuite>', 1, 13, /expected an element name after "<", got " testcase/],
    ['<testsuite><testcase name="a" /x></testsuite>', 1, 31, /expected "\/>" to end <testcase>, got "\/x>/],
    ['<testsuite></testsuite >x', 1, 25, /expected only whitespace outside the root element, got "x"/],
  ];
  for (const [xml, line, column, reason] of cases) {
    const error = errorOf(xml, 'out/report.xml');
    assert.match(error.message, reason, xml);
    assert.is(`${error.line}:${error.column}`, `${line}:${column}`, `${xml}\n${error.message}`);
    assert.ok(error.message.startsWith(`out/report.xml:${line}:${column}: `), error.message);
    assert.is(error.name, 'JUnitError');
    assert.instance(error, Error);
  }
});

test('a report cut off anywhere before its end is an error, never a count', () => {
  for (const sample of [PYTEST, SUREFIRE, JEST]) {
    const complete = sample.trimEnd().length;
    for (let length = 0; length < complete; length++) {
      const error = errorOf(sample.slice(0, length));
      assert.ok(error.offset <= length, `offset ${error.offset} within the ${length} characters`);
    }
    parseJUnit(sample.slice(0, complete));
  }
});

test('damaged reports either parse or throw a JUnitError, never anything else', () => {
  let x = 12345;
  const next = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const alphabet = '<>/&;"\'=! ?[]-x\n';
  let errors = 0;
  for (let round = 0; round < 3000; round++) {
    const sample = [PYTEST, SUREFIRE, JEST][round % 3]!;
    const at = next(sample.length);
    const damaged = round % 2 === 0 ? sample.slice(0, at) + sample.slice(at + 1) : sample.slice(0, at) + alphabet[next(alphabet.length)] + sample.slice(at);
    try {
      const s = parseJUnit(damaged);
      assert.ok(s.tests >= 0 && s.failures + s.errors + s.skipped <= s.tests);
    } catch (error) {
      assert.instance(error, JUnitError, `round ${round}: ${String(error)}`);
      errors++;
    }
  }
  assert.ok(errors > 500, `${errors} of 3000 damaged reports were refused`);
});

test('a report of 100 000 test cases parses quickly', () => {
  const cases: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    cases.push(i % 1000 === 0 ? `<testcase classname="c" name="t${i}"><failure message="m"><![CDATA[trace]]></failure></testcase>` : `<testcase classname="c" name="t${i}" time="0.001"/>`);
  }
  const xml = `<testsuites><testsuite name="big">${cases.join('\n')}</testsuite></testsuites>`;
  const started = Date.now();
  const s = parseJUnit(xml);
  const ms = Date.now() - started;
  console.log(`  ${(xml.length / 1048576).toFixed(1)} MiB, 100 000 cases parsed in ${ms} ms`);
  assert.equal(counts(s), { tests: 100_000, failures: 100, errors: 0, skipped: 0, moreFailed: 50 });
  assert.ok(ms < 2000, `${ms} ms`);
});

test('parseJUnit refuses what is not text', () => {
  assert.throws(() => parseJUnit(Buffer.from('<testsuite/>') as unknown as string), /parseJUnit: expected the report's text as a string, got object/);
});

test.run();
