// The Trends page's duration chart: a line a job with a dot a run, job names escaped, the y axis
// in seconds, and a note instead of a chart when the branch has no runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderTrendChart, trendSeries, type TrendRun } from '../../src/web/trend-chart.js';

const run = (id: string, jobs: [string, number | null, string?][]): TrendRun => ({
  id,
  jobs: jobs.map(([name, ms, state]) => ({ name, durationMs: ms, state: state ?? 'passed', cached: false })),
});

const count = (text: string, re: RegExp): number => text.match(re)?.length ?? 0;

test('known durations give one dot a run and a segment between each pair, a series a job', () => {
  const runs = [run('r1', [['build', 1000], ['test', 3000]]), run('r2', [['build', 2000], ['test', 2500]]), run('r3', [['build', 1500], ['test', 4000, 'failed']])];
  const html = renderTrendChart(runs);
  assert.is(count(html, /<g class="series"/g), 2);
  assert.is(count(html, /<circle/g), 6);
  const build = /<g class="series" data-job="build"[^>]*>(.*?)<\/g>/.exec(html)![1]!;
  assert.is(count(build, /<circle/g), 3);
  assert.is(count(build, /<line /g), 2);
  assert.is(count(html, /<circle class="hollow"/g), 1, 'the failed job is hollow');
  assert.match(html, '<li data-job="build">');
  assert.match(html, '<li data-job="test">');
  assert.match(html, '<title>test 4.0s failed · run r3</title>');
});

test('points: oldest at 0 %, newest at 100 %, y against a round top of the axis in seconds', () => {
  const { series, maxSeconds } = trendSeries([run('a', [['build', 1000]]), run('b', [['build', 3000]])]);
  assert.is(maxSeconds, 4);
  assert.equal(series[0]!.points.map((p) => [p!.x, p!.y]), [[0, 75], [100, 25]]);
  const html = renderTrendChart([run('a', [['build', 1000]]), run('b', [['build', 3000]])]);
  for (const label of ['0 s', '1 s', '2 s', '3 s', '4 s']) assert.match(html, `>${label}</text>`);
});

test('a run without the job breaks its line; a single run sits in the middle', () => {
  const html = renderTrendChart([run('a', [['build', 1000], ['lint', 500]]), run('b', [['build', 1000]]), run('c', [['build', 1000], ['lint', 700]])]);
  const lint = /<g class="series" data-job="lint"[^>]*>(.*?)<\/g>/.exec(html)![1]!;
  assert.is(count(lint, /<circle/g), 2);
  assert.is(count(lint, /<line /g), 0);
  assert.match(renderTrendChart([run('a', [['build', 1000]])]), 'cx="50%"');
});

test('a job name with markup is escaped everywhere', () => {
  const html = renderTrendChart([run('a', [['<script>alert(1)</script>', 1000]])]);
  assert.not.match(html, '<script>');
  assert.match(html, '&#60;script&#62;alert(1)&#60;/script&#62;');
});

test('an empty history is a "no runs yet" note, not a chart', () => {
  const html = renderTrendChart([]);
  assert.match(html, 'No runs yet');
  assert.not.match(html, '<svg');
});

test.run();
