// `git ci serve` against real armed repositories and real pushes: the JSON API mirrors the
// CLI's --json, logs are served by byte range, a running job's log follows live over SSE and
// resumes with Last-Event-ID, badges, and bad requests get precise errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { armedRepo, ci, commit, git, push, run, tempDir, waitForStatus } from '../helpers/fixture.js';
import { readSse, startServe, type SseEvent } from '../helpers/serve.js';

async function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  // The path goes out as written (a URL object would resolve %2e%2e segments before sending).
  const { hostname, port } = new URL(url);
  const rawPath = url.replace(/^http:\/\/[^/]+/, '') || '/';
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads SSE events until `until` says stop (or the stream ends); returns them and closes. */
async function readEvents(url: string, headers: Record<string, string>, until: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  await readSse(url, headers, (e) => {
    events.push(e);
    return until(events);
  });
  return events;
}

/**
 * A job `slow` that prints `line` ($i: 1 to `count`) every 0.1 s, followed once it runs (asked as a
 * user asks: git ci status --json), and git ci serve on its repository.
 */
async function servedRunningJob(line: string, count: number) {
  const repo = await armedRepo();
  const sha = await commit(repo.clone, { '.git-ci.yml': `jobs:\n  slow:\n    run: for i in $(seq 1 ${count}); do echo "${line}"; sleep 0.1; done\n` });
  await push(repo.clone);
  let runId = '';
  for (let i = 0; i < 200 && !runId; i++) {
    const s = JSON.parse((await ci(repo.bare, 'status', sha, '--json')).stdout);
    if (s.state === 'running' && s.jobs.length > 0) runId = s.run;
    else await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(runId, 'the run started');
  const server = await startServe([repo.bare]);
  return { repo, sha, runId, server, follow: `${server.url}/api/${path.basename(repo.bare, '.git')}/runs/${runId}/logs/slow/follow` };
}

test('the JSON API mirrors the CLI: repos, status, log, runs, one run; logs by byte range; badges', async () => {
  const repo = await armedRepo();
  const pipeline = 'jobs:\n  build:\n    run: for i in $(seq 1 2000); do echo "build line $i"; done\n  test:\n    needs: [build]\n    run: echo "<script>alert(1)</script>"\n';
  const sha = await commit(repo.clone, { '.git-ci.yml': pipeline });
  await push(repo.clone);
  const built = await waitForStatus(repo.bare, sha, 60);
  assert.is(built.state, 'passed');
  const server = await startServe([repo.bare]);
  try {
    const name = path.basename(repo.bare, '.git');
    const repos = JSON.parse((await get(`${server.url}/api/repos`)).body);
    assert.is(repos[0].name, name);
    assert.is(repos[0].branches[0].name, 'main');
    assert.is(repos[0].branches[0].status.state, 'passed');

    const status = await get(`${server.url}/api/${name}/status/main`);
    assert.is(status.status, 200);
    assert.match(String(status.headers['content-type']), 'application/json');
    assert.equal(JSON.parse(status.body), JSON.parse((await ci(repo.bare, 'status', 'main', '--json')).stdout), 'the same as git ci status --json');
    assert.equal(JSON.parse((await get(`${server.url}/api/${name}/log/main?limit=5`)).body), JSON.parse((await ci(repo.bare, 'log', 'main', '-n', '5', '--json')).stdout));
    const runs = JSON.parse((await get(`${server.url}/api/${name}/runs?branch=main`)).body);
    assert.equal(runs.pending, []);
    assert.is(runs.runs[0].id, built.run);
    const one = JSON.parse((await get(`${server.url}/api/${name}/runs/${built.run}`)).body);
    assert.equal(one.record.jobs.map((j: { name: string }) => j.name), ['build', 'test']);

    // A log in pages of 1000 bytes is the log.
    const whole = (await ci(repo.bare, 'logs', built.run!, 'build')).stdout;
    let offset = 0;
    let paged = '';
    for (let pages = 0; pages < 200; pages++) {
      const page = await get(`${server.url}/api/${name}/runs/${built.run}/logs/build?offset=${offset}&limit=1000`);
      assert.is(page.status, 200);
      paged += page.body;
      offset = Number(page.headers['x-log-next']);
      if (page.headers['x-log-complete'] === 'true') break;
    }
    assert.is(paged, whole);
    assert.ok(paged.includes('build line 2000'));
    // A log is text, never HTML: a job printing a script tag cannot make the browser run it.
    const xss = await get(`${server.url}/api/${name}/runs/${built.run}/logs/test`);
    assert.match(xss.body, '<script>alert(1)</script>');
    assert.match(String(xss.headers['content-type']), 'text/plain');
    assert.is(xss.headers['x-content-type-options'], 'nosniff');

    // The log is kept while the branch and the notes stay; a new run moves the notes: read again.
    const next = await commit(repo.clone, { 'n.txt': 'n\n' });
    await push(repo.clone);
    const nextRun = await waitForStatus(repo.bare, next, 60);
    const after = JSON.parse((await get(`${server.url}/api/${name}/log/main?limit=5`)).body);
    assert.is(after[0].commit, next);
    assert.is(after[0].run, nextRun.run);
    assert.is(after[0].state, nextRun.state);

    const badge = await get(`${server.url}/${name}/badge/main.svg`);
    assert.is(badge.status, 200);
    assert.match(String(badge.headers['content-type']), 'image/svg+xml');
    assert.match(String(badge.headers['cache-control']), 'no-cache');
    assert.match(badge.body, 'passing');
  } finally {
    server.child.kill('SIGTERM');
  }
});

/** A GET that notes when the first byte and the end came, with the body and the trailers. */
function timedGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; trailers: NodeJS.Dict<string>; body: string; firstByteMs: number; doneMs: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let firstByteMs = 0;
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        firstByteMs ||= performance.now() - t;
        body += text;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, trailers: res.trailers, body, firstByteMs, doneMs: performance.now() - t }));
    }).on('error', reject);
  });
}

/**
 * A stand-in `git` first on the server's PATH: `git log` prints what the real one prints, then
 * takes 2 s more to exit (a long log), or exits 3 (git failing after its first bytes) while
 * the file `mode` says `fail`; everything else is the real git.
 */
async function slowGitLog(): Promise<{ path: string; mode: string }> {
  const dir = tempDir('slow-git');
  const real = (await run('sh', ['-c', 'command -v git'], '/')).stdout.trim();
  const mode = path.join(dir, 'mode');
  writeFileSync(mode, 'slow');
  const script = `#!/bin/sh
for a in "$@"; do
  if [ "$a" = log ]; then
    "${real}" "$@"; code=$?
    if [ "$(cat '${mode}')" = fail ]; then echo "fatal: stand-in failure" >&2; exit 3; fi
    sleep 2; exit $code
  fi
done
exec "${real}" "$@"
`;
  writeFileSync(path.join(dir, 'git'), script);
  chmodSync(path.join(dir, 'git'), 0o755);
  return { path: `${dir}:${process.env.PATH}`, mode };
}

test('the commit list streams: rows go out as git log prints them, a kept log goes out whole, a failure midway still ends the answer cleanly', async () => {
  const repo = await armedRepo();
  await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  t:\n    run: "true"\n' }, 'first');
  for (let i = 2; i <= 60; i++) await git(repo.clone, 'commit', '-q', '--allow-empty', '-m', `commit ${i} <i>${i}</i>`);
  await push(repo.clone);
  await waitForStatus(repo.bare, 'main', 60);
  const slow = await slowGitLog();
  const server = await startServe([repo.bare], '/', { PATH: slow.path });
  const name = path.basename(repo.bare, '.git');
  try {
    // git log takes 2 s to end: the rows come long before.
    const api = await timedGet(`${server.url}/api/${name}/log/main?limit=30`);
    assert.is(api.status, 200);
    assert.ok(api.doneMs >= 1900, `the answer ended with git (${api.doneMs} ms)`);
    assert.ok(api.firstByteMs < 1500, `the first bytes before git log ended (${api.firstByteMs} ms)`);
    const rows = JSON.parse(api.body);
    assert.is(rows.length, 30, 'a valid JSON array of every row');
    assert.equal(rows, JSON.parse((await ci(repo.bare, 'log', 'main', '-n', '30', '--json')).stdout), 'the rows of git ci log --json');
    assert.is(api.trailers['x-git-ci-error'], undefined);
    // Nothing moved: kept, sent whole without git log, and the same text.
    const kept = await timedGet(`${server.url}/api/${name}/log/main?limit=30`);
    assert.ok(kept.doneMs < 1500, `a kept log needs no git log (${kept.doneMs} ms)`);
    assert.is(kept.body, api.body);
    const older = JSON.parse((await timedGet(`${server.url}/api/${name}/log/main?limit=5&skip=58`)).body);
    assert.equal(older.map((r: { subject: string }) => r.subject), ['commit 2 <i>2</i>', 'first']);

    // The page: its head and table at once, the rows, then the end of the document.
    const page = await timedGet(`${server.url}/${name}/log/main`);
    assert.ok(page.firstByteMs < 1500 && page.doneMs >= 1900, `page: first byte ${page.firstByteMs} ms, end ${page.doneMs} ms`);
    assert.is(page.body.match(/<tr data-commit=/g)?.length, 50);
    assert.match(page.body, 'commit 60 &#60;i&#62;60&#60;/i&#62;');
    assert.match(page.body, /class="load-more" href="\/[^"]+\/log\/main\?skip=50"/);
    assert.match(page.body, /<\/html>\s*$/);

    // git fails after printing: the array is still closed (and the trailer says why); the page shows an error row and ends.
    writeFileSync(slow.mode, 'fail');
    const failed = await timedGet(`${server.url}/api/${name}/log/main?limit=20`);
    assert.is(JSON.parse(failed.body).length, 20, 'a closed, valid array');
    assert.match(failed.trailers['x-git-ci-error'] ?? '', 'stand-in failure');
    const failedPage = await timedGet(`${server.url}/${name}/log/main?skip=3`);
    assert.match(failedPage.body, /<tr class="note error-row"><td colspan="6" class="run-error">The list is cut short: git log exited 3: fatal: stand-in failure<\/td><\/tr>/);
    assert.match(failedPage.body, /<\/html>\s*$/);
    // A failed read is not kept.
    writeFileSync(slow.mode, 'slow');
    assert.is((await timedGet(`${server.url}/api/${name}/log/main?limit=20`)).trailers['x-git-ci-error'], undefined);
  } finally {
    server.child.kill('SIGTERM');
  }
});

test('bad requests: unknown repo, run or job are 404 with a JSON error; malformed ids, traversal and writes are refused', async () => {
  const repo = await armedRepo();
  const sha = await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  t:\n    run: exit 1\n' });
  await push(repo.clone);
  const built = await waitForStatus(repo.bare, sha, 60);
  const server = await startServe([repo.bare]);
  const name = path.basename(repo.bare, '.git');
  try {
    const cases: [string, number, string][] = [
      [`/api/nope/runs`, 404, 'no repository "nope"'],
      [`/api/${name}/runs/01JZZZZZZZZZZZZZZZZZZZZZZZ`, 404, 'no run 01JZZZZZZZZZZZZZZZZZZZZZZZ'],
      [`/api/${name}/runs/${built.run}/logs/nojob`, 404, `no job nojob in run ${built.run}`],
      [`/api/${name}/runs/not-an-id`, 400, 'not a run id'],
      [`/api/${name}/runs/${built.run}/logs/..%2F..%2Fconfig`, 400, 'path traversal refused'],
      [`/api/${name}/runs/${built.run}/logs/%2e%2e`, 400, 'path traversal refused'],
      [`/api/${name}/status/--output=%2Ftmp%2Fx`, 400, 'not a revision'],
      [`/api/${name}/status/main..HEAD`, 400, 'not a revision'],
      [`/api/${name}/status/nosuchbranch`, 404, 'unknown revision nosuchbranch'],
      [`/api/${name}/status/%E0%A4%A`, 400, 'malformed URL encoding'],
      [`/${name}/badge/nobranch.svg`, 404, 'no branch nobranch'],
      [`/api/${name}/whatever`, 404, 'no such API'],
    ];
    for (const [url, code, message] of cases) {
      const r = await get(server.url + url);
      assert.is(r.status, code, `${url}: ${r.body}`);
      assert.match(JSON.parse(r.body).error, message, url);
    }
    const post = await get(`${server.url}/api/repos`, {}, 'POST');
    assert.is(post.status, 405);
    assert.match((await get(`${server.url}/${name}/badge/main.svg`)).body, 'failing');
  } finally {
    server.child.kill('SIGTERM');
  }
});

test("a running job's log follows live over SSE; a reconnect with Last-Event-ID resumes where it was, nothing lost or repeated", async () => {
  const { repo, sha, runId, server, follow } = await servedRunningJob('tick $i', 40);
  try {
    const first = await readEvents(follow, {}, (events) => events.length >= 5);
    assert.ok(first.length >= 5);
    assert.ok(first.some((e) => e.data === 'tick 1'));
    const status = JSON.parse((await ci(repo.bare, 'status', sha, '--json')).stdout);
    assert.is(status.state, 'running', 'followed while it ran');
    const rest = await readEvents(follow, { 'last-event-id': first.at(-1)!.id! }, (events) => events.some((e) => e.event === 'end'));
    const lines = [...first, ...rest].filter((e) => !e.event).map((e) => e.data);
    assert.equal(lines.filter((l) => l.startsWith('tick')), Array.from({ length: 40 }, (_, i) => `tick ${i + 1}`));
    assert.is(rest.at(-1)!.event, 'end');
    const ended = await waitForStatus(repo.bare, sha, 60);
    assert.is(ended.state, 'passed');
    // Every line once, in order: the followed lines are the stored log.
    assert.equal(lines, (await ci(repo.bare, 'logs', runId, 'slow')).stdout.replace(/\n$/, '').split('\n'));
  } finally {
    server.child.kill('SIGTERM');
  }
});

test('followers of one running log share its reader: at once, late, and resuming with Last-Event-ID, each gets every byte once, in order', async () => {
  const { repo, sha, runId, server, follow } = await servedRunningJob('tick $i <b>', 30);
  try {
    const toEnd = (events: SseEvent[]) => events.some((e) => e.event === 'end');
    const together = [readEvents(follow, {}, toEnd), readEvents(follow, {}, toEnd)];
    const leaving = await readEvents(follow, {}, (events) => events.some((e) => e.data.startsWith('tick 3 ')));
    const resumed = readEvents(follow, { 'last-event-id': leaving.at(-1)!.id! }, toEnd);
    await new Promise((r) => setTimeout(r, 1000));
    const late = readEvents(follow, {}, toEnd);
    assert.is((await waitForStatus(repo.bare, sha, 60)).state, 'passed');
    const stored = (await ci(repo.bare, 'logs', runId, 'slow')).stdout;
    /** The bytes a client got, each event's id checked to be the offset just past its line. */
    const bytesOf = (events: SseEvent[], from: number) => {
      let at = from;
      let text = '';
      for (const e of events.filter((x) => !x.event)) {
        at += Buffer.byteLength(e.data) + 1;
        assert.is(Number(e.id), at, 'the id is the byte offset past the line');
        text += `${e.data}\n`;
      }
      return text;
    };
    const from = Number(leaving.at(-1)!.id);
    for (const [who, events, start] of [['first', await together[0]!, 0], ['second', await together[1]!, 0], ['late', await late, 0], ['resumed', await resumed, from]] as const) {
      assert.is(events.at(-1)!.event, 'end', `${who} ended`);
      assert.is(bytesOf(events, start), stored.slice(start), `${who}: every byte once, in order`);
    }
    assert.is(bytesOf(leaving, 0), stored.slice(0, from), 'the one that left had every byte before its last id');
    assert.ok(stored.includes('tick 30 <b>'));
  } finally {
    server.child.kill('SIGTERM');
  }
});

test('run events over SSE: a push shows up as running, its job states, then recorded; Last-Event-ID replays what was missed', async () => {
  const repo = await armedRepo();
  await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  a:\n    run: sleep 0.5\n' });
  const server = await startServe([repo.bare]);
  const name = path.basename(repo.bare, '.git');
  try {
    const url = `${server.url}/api/${name}/events`;
    type Ev = { id?: string; event?: string; data: string };
    const seen = readEvents(url, {}, (events) => events.some((e) => e.event === 'recorded'));
    await new Promise((r) => setTimeout(r, 400));
    await push(repo.clone);
    const events = (await seen) as Ev[];
    const kinds = events.map((e) => `${e.event}:${JSON.parse(e.data).job ?? ''}:${JSON.parse(e.data).state}`);
    assert.ok(kinds.includes('running::running'), kinds.join(' '));
    assert.ok(kinds.includes('job:a:passed') || kinds.includes('job:a:running'), kinds.join(' '));
    assert.is(kinds.at(-1), 'recorded::passed');
    const run = JSON.parse(events.at(-1)!.data).run;
    assert.is(JSON.parse((await ci(repo.bare, 'status', 'main', '--json')).stdout).run, run);
    // Reconnecting after the first event: the rest is replayed, in order, once.
    const again = await readEvents(url, { 'last-event-id': events[0]!.id! }, (evs) => evs.some((e) => e.event === 'recorded'));
    assert.equal(again.map((e) => e.id), events.slice(1).map((e) => e.id));
    // From before this server's time: a reset says to read the present again.
    const reset = await readEvents(url, { 'last-event-id': '999999' }, (evs) => evs.length > 0);
    assert.is(reset[0]!.event, 'reset');
  } finally {
    server.child.kill('SIGTERM');
  }
});

test('a token guards every request; listening beyond loopback without one warns', async () => {
  const repo = await armedRepo();
  const guarded = await startServe([repo.bare, '--token', 'letmein-123']);
  try {
    assert.is((await get(`${guarded.url}/api/repos`)).status, 401);
    assert.is((await get(`${guarded.url}/api/repos`, { authorization: 'Bearer wrong-token' })).status, 401);
    assert.is((await get(`${guarded.url}/api/repos`, { authorization: 'Bearer letmein-123' })).status, 200);
    const viaQuery = await get(`${guarded.url}/api/repos?token=letmein-123`);
    assert.is(viaQuery.status, 200);
    // A browser that came with ?token= gets a cookie: its links and streams need no token after.
    const cookie = String(viaQuery.headers['set-cookie']).split(';')[0]!;
    assert.match(String(viaQuery.headers['set-cookie']), 'HttpOnly');
    assert.is((await get(`${guarded.url}/api/repos`, { cookie })).status, 200);
    assert.is((await get(`${guarded.url}/api/repos`, { cookie: 'git-ci-token=wrong-token' })).status, 401);
  } finally {
    guarded.child.kill('SIGTERM');
  }
  const open = await startServe([repo.bare, '--host', '0.0.0.0']);
  try {
    await new Promise((r) => setTimeout(r, 200));
    assert.match(open.stderr(), 'without --token');
  } finally {
    open.child.kill('SIGTERM');
  }
});

test.run();
