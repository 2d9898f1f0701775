// The Trends page of `git ci serve` in a real headless Chromium (Debian's /usr/bin/chromium) on a
// real armed repository with real pushes: the pass/fail strip, the duration chart with a line a
// job, the links to it, and phone width. Screenshot: test/artifacts/dashboard-trends.png.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { armedRepo, commit, git, push, waitForStatus } from '../helpers/fixture.js';
import { startServe } from '../helpers/serve.js';
import { chromiumAvailable, launchChromium, SHOTS } from '../helpers/browser.js';


// Two jobs whose durations differ from run to run; a file named "fail" fails the test job.
const PIPELINE = `jobs:
  build:
    run: sleep "$(cat pause)"
  test:
    needs: [build]
    run: |
      sleep 0.2
      test ! -f fail
`;

test('the trends page in a real browser: strip of runs, a line a job, links to it, phone width', async () => {
  if (!chromiumAvailable()) return;
  const repo = await armedRepo();
  // One run at a time, each awaited: a newer push would cancel an older run of the branch.
  const pushes: { files: Record<string, string>; unfail?: boolean; expect: string }[] = [
    { files: { '.git-ci.yml': PIPELINE, pause: '0.3' }, expect: 'passed' },
    { files: { pause: '0.9', fail: 'x' }, expect: 'failed' },
    { files: { pause: '0.5' }, unfail: true, expect: 'passed' },
  ];
  const runs: { id: string; state: string }[] = [];
  for (const [i, p] of pushes.entries()) {
    if (p.unfail) await git(repo.clone, 'rm', '-q', 'fail');
    const sha = await commit(repo.clone, p.files, `trends ${i + 1}`);
    await push(repo.clone);
    const done = await waitForStatus(repo.bare, sha, 60);
    assert.is(done.state, p.expect, `run ${i + 1}`);
    runs.push({ id: done.run!, state: done.state! });
  }

  const server = await startServe([repo.bare]);
  const name = path.basename(repo.bare, '.git');
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    context.on('weberror', (e) => errors.push(String(e.error())));
    const page = await context.newPage();

    // Reached from the overview's branch row and from the branch's commit list.
    await page.goto(`${server.url}/`);
    await page.locator(`section.repo[data-repo="${name}"] tbody tr`).filter({ hasText: 'main' }).locator('a.trends-link').click();
    await page.waitForURL(`**/${name}/trends/main`);
    await page.goto(`${server.url}/${name}/log/main`);
    assert.is(await page.getAttribute('a.trends-link', 'href'), `/${name}/trends/main`);

    const res = await page.goto(`${server.url}/${name}/trends/main`);
    assert.is(res!.status(), 200);
    // The strip: a square a run, oldest left, coloured by state, titled and linked to the run.
    const squares = page.locator('ol.strip a.sq');
    assert.is(await squares.count(), runs.length);
    for (const [i, r] of runs.entries()) {
      const sq = squares.nth(i);
      assert.is(await sq.getAttribute('data-state'), r.state);
      assert.match((await sq.getAttribute('class'))!, r.state === 'passed' ? /\bok\b/ : /\bbad\b/);
      assert.match((await sq.getAttribute('title'))!, new RegExp(`^run ${r.id} ${r.state} \\d`));
      assert.is(await sq.getAttribute('href'), `/${name}/runs/${r.id}`);
    }
    const colours = (await page.evaluate("[...document.querySelectorAll('ol.strip a.sq')].map((e) => getComputedStyle(e).backgroundColor)")) as string[];
    assert.is(colours[0], colours[2], 'passed runs share a colour');
    assert.is.not(colours[1], colours[0], 'the failed run stands out');

    // The chart: a series a job, a dot a run, a legend naming the jobs, seconds on the y axis.
    assert.equal(await page.evaluate("[...document.querySelectorAll('svg.plot g.series')].map((g) => g.dataset.job)"), ['build', 'test']);
    assert.is(await page.locator('svg.plot g.series[data-job="build"] circle').count(), runs.length);
    assert.is(await page.locator('svg.plot g.series[data-job="test"] circle.hollow').count(), 1, 'the failed test job');
    assert.equal(await page.locator('.legend li').allTextContents(), ['build', 'test']);
    assert.match((await page.locator('svg.plot text.tick.y').allTextContents()).join(' '), /^0 s .* \d+(\.\d+)? s$/);
    const box = (await page.locator('svg.plot').boundingBox())!;
    assert.ok(box.width > 900 && box.height > 200, `the chart fills the card: ${box.width}x${box.height}`);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-trends.png'), fullPage: true });

    // ?n= takes the last n runs; an unknown branch or repository is the 404 page.
    await page.goto(`${server.url}/${name}/trends/main?n=2`);
    assert.is(await page.locator('ol.strip a.sq').count(), 2);
    assert.is(await page.getAttribute('ol.strip a.sq >> nth=1', 'href'), `/${name}/runs/${runs[2]!.id}`);
    assert.is((await page.goto(`${server.url}/${name}/trends/nope`))!.status(), 404);
    assert.is((await page.goto(`${server.url}/nope/trends/main`))!.status(), 404);
    assert.is((await page.goto(`${server.url}/${name}/trends/-x`))!.status(), 400);

    // Phone width: nothing scrolls sideways.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const small = await phone.newPage();
    await small.goto(`${server.url}/${name}/trends/main`);
    const width = (await small.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= 390, `scrollWidth ${width} > 390`);
    await small.screenshot({ path: path.join(SHOTS, 'dashboard-trends-phone.png'), fullPage: true });
    await phone.close();
    assert.equal(errors, [], 'no script errors');
  } finally {
    await browser.close();
    server.child.kill('SIGTERM');
  }
});

test.run();
