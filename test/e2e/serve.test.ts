// `git ci serve` against real armed repositories and real pushes: the JSON API mirrors the
// CLI's --json, logs are served by byte range, a running job's log follows live over SSE and
// resumes with Last-Event-ID, badges, and bad requests get precise errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http from 'node:http';
import path from 'node:path';
import { armedRepo, ci, commit, push, waitForStatus } from '../helpers/fixture.js';
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
  const repo = await armedRepo();
  const sha = await commit(repo.clone, { '.git-ci.yml': 'jobs:\n  slow:\n    run: for i in $(seq 1 40); do echo "tick $i"; sleep 0.1; done\n' });
  await push(repo.clone);
  let runId = '';
  for (let i = 0; i < 200 && !runId; i++) {
    const s = JSON.parse((await ci(repo.bare, 'status', sha, '--json')).stdout);
    if (s.state === 'running' && s.jobs.length > 0) runId = s.run;
    else await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(runId, 'the run started');
  const server = await startServe([repo.bare]);
  const name = path.basename(repo.bare, '.git');
  try {
    const follow = `${server.url}/api/${name}/runs/${runId}/logs/slow/follow`;
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
