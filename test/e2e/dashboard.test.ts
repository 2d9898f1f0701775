// The dashboard pages of `git ci serve` in a real headless Chromium (Debian's /usr/bin/chromium,
// never a downloaded one), on a real armed repository with real pushes: the overview, a run page
// that updates itself, a log that grows live, an artifact download, log text that stays text,
// and phone width. Screenshots go to test/artifacts/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import * as tar from 'tar';
import { armedRepo, ci, commit, git, push, tempDir, waitForStatus } from '../helpers/fixture.js';
import { startServe } from '../helpers/serve.js';
import { chromiumAvailable, launchChromium, SHOTS } from '../helpers/browser.js';


function status(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (t: string) => (body += t));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}

const PIPELINE = `jobs:
  build:
    run: |
      mkdir -p out
      echo "hello artifact" > out/hello.txt
      printf '\\033[1;32mbuilt\\033[0m ok\\n'
    artifacts: ["out/**"]
  xss:
    run: |
      echo '<script>window.__xss=1</script>'
      echo '<img src=x onerror="window.__xss=2">'
  slow:
    needs: [build]
    run: |
      for i in $(seq 1 20); do echo "tick $i"; sleep 0.2; done
      echo '<img src=x onerror="window.__xss=3">'
      for i in $(seq 21 40); do echo "tick $i"; sleep 0.2; done
      echo "final line"
`;

test('the dashboard in a real browser: overview, run page, live log, artifact download, escaping, phone width', async () => {
  if (!chromiumAvailable()) return;
  const repo = await armedRepo();
  // Server and browser first: the log page must open while the slow job still prints.
  const server = await startServe([repo.bare]);
  const name = path.basename(repo.bare, '.git');
  const browser = await launchChromium();
  try {
    // bypassCSP: the pages' Content-Security-Policy would block injected script anyway; without it
    // the test proves the escaping itself (and lets Playwright evaluate its own checks).
    const context = await browser.newContext({ acceptDownloads: true, bypassCSP: true, viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    context.on('weberror', (e) => errors.push(String(e.error())));
    const logPage = await context.newPage();
    const runningPage = await context.newPage();
    const sha = await commit(repo.clone, { '.git-ci.yml': PIPELINE }, 'dashboard <b>subject</b>');
    await push(repo.clone);
    let runId = '';
    for (let i = 0; i < 400 && !runId; i++) {
      const s = JSON.parse((await ci(repo.bare, 'status', sha, '--json')).stdout || '{}');
      if (s.state === 'running' && s.jobs?.some((j: { name: string; state: string }) => j.name === 'slow' && j.state === 'running')) runId = s.run;
      else await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(runId, 'the slow job started');

    // A run page opened while the run runs updates itself to its final state.
    await runningPage.goto(`${server.url}/${name}/runs/${runId}`);
    assert.is(await runningPage.getAttribute('.headline h1 .pill', 'data-state'), 'running');
    assert.match((await runningPage.locator('tr[data-job="slow"] .needs').textContent())!, 'build → slow', 'needs shown while running');

    // The log of the running job grows while the page is open, then its last line arrives.
    await logPage.goto(`${server.url}/${name}/runs/${runId}/logs/slow`);
    await logPage.waitForSelector('#live');
    await logPage.waitForFunction("document.querySelectorAll('#log .line').length >= 1", undefined, { timeout: 20_000 });
    const before = await logPage.locator('#log .line').count();
    const firstLines = await logPage.locator('#log .line .tx').allTextContents();
    await logPage.waitForTimeout(1200);
    const later = await logPage.locator('#log .line').count();
    assert.ok(later > before, `the log grew live: ${before} -> ${later} lines`);
    assert.ok(!firstLines.includes('final line'), `the page was opened before the job ended (${before} lines)`);
    await logPage.waitForFunction("[...document.querySelectorAll('#log .line .tx')].some((t) => t.textContent === 'final line')", undefined, { timeout: 30_000 });
    await logPage.waitForFunction("document.body.dataset.ended === 'true'", undefined, { timeout: 10_000 });
    const lines = await logPage.locator('#log .line .tx').allTextContents();
    assert.equal(lines.filter((l) => l.startsWith('tick')), Array.from({ length: 40 }, (_, i) => `tick ${i + 1}`), 'every line once, in order');
    assert.ok(lines.includes('<img src=x onerror="window.__xss=3">'), 'a live line is text');
    assert.is(await logPage.evaluate('window.__xss'), undefined);
    assert.is(await logPage.getAttribute('#L31 .ln', 'href'), '#L31');
    await logPage.waitForSelector('.headline h1 .pill[data-state="passed"]', { timeout: 15_000 });
    await logPage.screenshot({ path: path.join(SHOTS, 'dashboard-log.png'), fullPage: true });

    const done = await waitForStatus(repo.bare, sha, 60);
    assert.is(done.state, 'passed');
    await runningPage.waitForSelector('.headline h1 .pill[data-state="passed"]', { timeout: 15_000 });

    // Overview: the branch with its state, linking to the run and the commits.
    const page = await context.newPage();
    const overview = await page.goto(server.url + '/');
    assert.match(overview!.headers()['content-security-policy'] ?? '', "script-src 'self'");
    const row = page.locator(`section.repo[data-repo="${name}"] tbody tr`).filter({ hasText: 'main' });
    assert.is(await row.count(), 1);
    assert.is(await row.locator('.pill').getAttribute('data-state'), 'passed');
    assert.match((await row.textContent())!, sha.slice(0, 8));
    assert.match((await row.textContent())!, 'dashboard <b>subject</b>', 'the subject shows literally');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-overview.png'), fullPage: true });
    await row.locator('a.run-link').click();
    await page.waitForURL(`**/runs/${runId}`);

    // Run page: jobs in DAG order with needs, states and the artifact link.
    const jobs = (await page.evaluate("[...document.querySelectorAll('tr[data-job]')].map((r) => r.dataset.job)")) as string[];
    assert.ok(jobs.indexOf('build') < jobs.indexOf('slow'), `DAG order: ${jobs.join(', ')}`);
    assert.match((await page.locator('tr[data-job="slow"] .needs').textContent())!, 'build → slow');
    assert.is(await page.getAttribute('tr[data-job="slow"] .pill', 'data-state'), 'passed');
    assert.is((await page.locator('tr[data-job="slow"] [data-field="exit"]').textContent())!.trim(), '0');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-run.png'), fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('tr[data-job="build"] a.download').click()]);
    assert.is(download.suggestedFilename(), 'build.tar.gz');
    const file = path.join(tempDir('dashboard'), 'build.tar.gz');
    await download.saveAs(file);
    const bytes = readFileSync(file);
    assert.ok(bytes[0] === 0x1f && bytes[1] === 0x8b, 'a gzip');
    const listed: string[] = [];
    await tar.t({ file, onReadEntry: (e) => listed.push(e.path) });
    assert.ok(listed.includes('out/hello.txt'), `listing: ${listed.join(', ')}`);

    // A recorded log: colours as classes, a job printing HTML shows it as text and runs nothing.
    await page.goto(`${server.url}/${name}/runs/${runId}/logs/build`);
    assert.is(await page.locator('#log .fg32.b').textContent(), 'built');
    await page.goto(`${server.url}/${name}/runs/${runId}/logs/xss`);
    const text = await page.locator('#log').textContent();
    assert.match(text!, '<script>window.__xss=1</script>');
    assert.match(text!, '<img src=x onerror="window.__xss=2">');
    assert.is(await page.locator('#log script, #log img').count(), 0);
    assert.is(await page.evaluate('window.__xss'), undefined);

    // Bad requests are HTML error pages with the message escaped.
    const bad = await page.goto(`${server.url}/${name}/runs/not-an-id`);
    assert.is(bad!.status(), 400);
    const missing = await page.goto(`${server.url}/%3Cimg%20src%3Dx%20onerror%3D%22window.__xss%3D4%22%3E`);
    assert.is(missing!.status(), 404);
    assert.match((await page.locator('main').textContent())!, '<img src=x');
    assert.is(await page.evaluate('window.__xss'), undefined);
    assert.is((await status(`${server.url}/${name}/runs/${runId}/artifacts/xss.tar.gz`)).status, 404);
    assert.is((await status(`${server.url}/${name}/runs/${runId}/logs/..%2F..%2Fconfig`)).status, 400);
    const commits = await status(`${server.url}/${name}/log/main`);
    assert.is(commits.status, 200);
    assert.match(commits.type, 'text/html');
    assert.match(commits.body, 'dashboard &#60;b&#62;subject&#60;/b&#62;');

    // Phone width: nothing scrolls sideways (a log may, inside its own box).
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, bypassCSP: true });
    const small = await phone.newPage();
    for (const url of [`${server.url}/`, `${server.url}/${name}/runs/${runId}`, `${server.url}/${name}/log/main`]) {
      await small.goto(url);
      const width = (await small.evaluate('document.documentElement.scrollWidth')) as number;
      assert.ok(width <= 390, `${url}: scrollWidth ${width} > 390`);
    }
    await small.screenshot({ path: path.join(SHOTS, 'dashboard-commits-phone.png'), fullPage: true });
    await small.goto(`${server.url}/${name}/runs/${runId}`);
    await small.screenshot({ path: path.join(SHOTS, 'dashboard-run-phone.png'), fullPage: true });
    await phone.close();
    assert.equal(errors, [], 'no script errors');
  } finally {
    await browser.close();
    server.child.kill('SIGTERM');
  }
});

// A log past the page's first MiB: 12,000 lines of 103 bytes, then a coloured line and one that looks like markup.
const LONG_LOG = `jobs:
  t:
    run: |
      awk 'BEGIN { for (i = 1; i <= 12000; i++) { printf "line %06d ", i; for (j = 0; j < 90; j++) printf "x"; print "" } }'
      printf '\\033[31mred\\033[0m <b>bold</b>\\n'
      echo '<img src=x onerror="window.__xss=6">'
`;

test('"load more" in a real browser: older commits and the rest of a long log are appended as the server renders them, text from git stays text', async () => {
  if (!chromiumAvailable()) return;
  const repo = await armedRepo();
  await commit(repo.clone, { '.git-ci.yml': LONG_LOG }, 'first');
  // 60 commits: the 5th is on the second page.
  for (let i = 2; i <= 60; i++) await git(repo.clone, 'commit', '-q', '--allow-empty', '-m', i === 5 ? '<img src=x onerror="window.__xss=5"> & <b>bold</b>' : `commit ${i}`);
  await push(repo.clone);
  assert.is((await waitForStatus(repo.bare, 'main', 60)).state, 'passed');
  const server = await startServe([repo.bare]);
  const name = path.basename(repo.bare, '.git');
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    context.on('weberror', (e) => errors.push(String(e.error())));
    const page = await context.newPage();
    await page.goto(`${server.url}/${name}/log/main`);
    const rows = page.locator('table.commits tbody tr[data-commit]');
    assert.is(await rows.count(), 50);
    assert.is(await page.getAttribute('a.load-more', 'href'), `/${name}/log/main?skip=50`);
    await page.click('a.load-more');
    await page.waitForFunction("document.querySelectorAll('table.commits tbody tr[data-commit]').length === 60", undefined, { timeout: 10_000 });
    assert.is(await page.locator('a.load-more').count(), 0, 'no older commits: the link is gone');

    // The appended rows are the server's rows of the next page, markup for markup.
    const appended = (await rows.evaluateAll((trs) => trs.slice(50).map((tr) => tr.outerHTML))) as string[];
    const served = (await page.evaluate(`fetch('/${name}/log/main?skip=50').then((r) => r.text()).then((html) =>
      [...new DOMParser().parseFromString(html, 'text/html').querySelectorAll('table.commits tbody tr[data-commit]')].map((tr) => tr.outerHTML))`)) as string[];
    assert.equal(appended, served);
    // And built like the first page's rows: the same cells, classes and elements.
    const shape = "(tr) => [...tr.children].map((td) => td.tagName + '.' + td.className + '[' + td.dataset.label + ']' + [...td.querySelectorAll('*')].map((e) => e.tagName + '.' + e.className).join(','))";
    const shapes = (await page.evaluate(`[...document.querySelectorAll('table.commits tbody tr[data-commit]')].map(${shape}).map((s) => s.join('|'))`)) as string[];
    assert.is(shapes[55], shapes[1], 'an appended row and a first-page row (both without a run) have the same structure');
    assert.equal(shapes.slice(50), served.map(() => shapes[1]));

    // Text from git stays text.
    const subjects = await page.locator('table.commits td.subject-cell').allTextContents();
    assert.ok(subjects.includes('<img src=x onerror="window.__xss=5"> & <b>bold</b>'), 'the subject shows literally');
    assert.is(await page.locator('table.commits img, table.commits b').count(), 0);
    assert.is(await page.evaluate('window.__xss'), undefined);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-commits.png'), fullPage: true });

    // The log: its first MiB rendered, the rest appended as lines by "load more", numbered on.
    await page.locator('table.commits tbody tr').first().locator('a').first().click();
    await page.waitForSelector('tr[data-job="t"]');
    await page.goto(page.url() + '/logs/t');
    const shown = (await page.evaluate("document.querySelectorAll('#log .line').length")) as number;
    assert.ok(shown > 9000 && shown < 12000, `the first MiB: ${shown} lines`);
    const lineOf = (text: string) => `[...document.querySelectorAll('#log .line')].find((l) => l.textContent.includes('${text}')).outerHTML`;
    const serverLine = (await page.evaluate(lineOf('line 000002 '))) as string;
    await page.click('a.load-more-log');
    await page.waitForFunction("!document.querySelector('a.load-more-log')", undefined, { timeout: 15_000 });
    const texts = (await page.evaluate("[...document.querySelectorAll('#log .line .tx')].map((t) => t.textContent)")) as string[];
    assert.ok(texts.length > shown, `appended: ${shown} -> ${texts.length} lines`);
    assert.equal(texts.filter((t) => /^line \d{6} /.test(t)), Array.from({ length: 12000 }, (_, i) => `line ${String(i + 1).padStart(6, '0')} ${'x'.repeat(90)}`), 'every line once, in order');
    assert.ok(texts.includes('red <b>bold</b>') && texts.includes('<img src=x onerror="window.__xss=6">'), 'the last lines, as text');
    // Appended lines are numbered on and built like server-rendered ones.
    const numbers = (await page.evaluate("[...document.querySelectorAll('#log .line')].map((l) => l.id + ' ' + l.querySelector('.ln').getAttribute('href') + ' ' + l.querySelector('.ln').textContent)")) as string[];
    assert.equal(numbers, numbers.map((_, i) => `L${i + 1} #L${i + 1} ${i + 1}`));
    const appendedLine = (await page.evaluate(lineOf('line 012000 '))) as string;
    assert.is(appendedLine.replace(/\d+/g, 'N'), serverLine.replace(/\d+/g, 'N'));
    assert.is(await page.locator('#log .fg31').last().textContent(), 'red');
    assert.is(await page.locator('#log img, #log b').count(), 0);
    assert.is(await page.evaluate('window.__xss'), undefined);
    assert.equal(errors, [], 'no script errors');
  } finally {
    await browser.close();
    server.child.kill('SIGTERM');
  }
});

test.run();
