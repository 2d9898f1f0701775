// `git ci serve`: a read-only HTTP server over armed bare repositories. Routes:
//
//   GET /api/repos                                   every repo, each branch's newest run
//   GET /api/<repo>/status/<rev>                     `git ci status --json`
//   GET /api/<repo>/log/<rev>?limit=                 `git ci log --json`
//   GET /api/<repo>/runs?branch=&limit=              newest runs (run.json each), pending first
//   GET /api/<repo>/runs/<id>                        one run
//   GET /api/<repo>/runs/<id>/logs/<job>?offset=&limit=   a byte range of a job's log, text
//   GET /api/<repo>/runs/<id>/logs/<job>/follow      the log as Server-Sent Events (Last-Event-ID resumes)
//   GET /api/<repo>/events                           run and job state changes (SSE, Last-Event-ID resumes)
//   GET /<repo>/badge/<branch>.svg                   status badge
//
// and the dashboard's pages (page-routes.ts): / the overview, /<repo>/log/<branch> commits,
// /<repo>/runs/<id> a run, /<repo>/runs/<id>/logs/<job> a log, /<repo>/runs/<id>/artifacts/<job>.tar.gz.
//
// Nothing a request names reaches a path or git unchecked: repos are looked up by name in the
// served set, run ids must be ULIDs, jobs plain names, revisions a safe ref syntax.
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Repo } from '../store/repo.js';
import { badRequest, isSafeJobName, isSafeRev, logOf, notFound, runOf, runsOf, statusOf, type ApiResult } from './api.js';
import type { LogRowsRead } from './commit-log.js';
import { findJobLog, readLogRange } from './job-log.js';
import { repoLogAccess, SharedLogReaders } from './shared-log-reader.js';
import { renderBadge } from './badge.js';
import { commitRunView } from '../store/results.js';
import { isRunId } from '../store/queue.js';
import { handlePageRequest, MAX_SKIP } from './page-routes.js';
import { loadOverview } from './page-overview.js';
import { RunEvents } from './run-events.js';

export interface ServeOptions {
  repos: Map<string, Repo>;
  host: string;
  port: number;
  /** When set, every request must carry it (Authorization: Bearer <token>, or ?token=). */
  token?: string;
}

export interface Served {
  url: string;
  close: () => Promise<void>;
}

const MAX_LOG_PAGE = 1024 * 1024;

/** Starts the server; resolves once it listens. */
export function serve(options: ServeOptions): Promise<Served> {
  const streams = new Set<AbortController>();
  const events = new Map([...options.repos].map(([name, repo]) => [name, new RunEvents(repo)]));
  const logReaders = new SharedLogReaders();
  const server = http.createServer((req, res) => {
    handle(options, req, res, { streams, events, logReaders }).catch((err: Error) => {
      if (!res.headersSent) sendJson(res, { status: 500, body: { error: `internal error: ${err.message}` } });
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address() as { port: number };
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${address.port}`,
        close: () =>
          new Promise((done) => {
            for (const s of streams) s.abort();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** What the server keeps across requests: open streams (closed on close), run events and log readers. */
interface ServerState {
  streams: Set<AbortController>;
  events: Map<string, RunEvents>;
  logReaders: SharedLogReaders;
}

async function handle(options: ServeOptions, req: http.IncomingMessage, res: http.ServerResponse, state: ServerState): Promise<void> {
  const raw = (req.url ?? '/').split('?')[0]!;
  // URL parsing would resolve /x/%2e%2e/ away: a request that walks up is refused, not rewritten.
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(raw)) return sendJson(res, badRequest('path traversal refused'));
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, { status: 405, body: { error: 'read-only: GET only' } });
  if (options.token) {
    const how = tokenGiven(options.token, req, url);
    if (!how) return sendJson(res, { status: 401, body: { error: 'a token is required (Authorization: Bearer <token>, or ?token= once in a browser)' } });
    // A browser that came with ?token= keeps it in a cookie: the pages' links, fetches and
    // EventSource streams then work without carrying it (HttpOnly: page scripts never see it).
    if (how === 'query') res.setHeader('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`);
  }
  let parts: string[];
  try {
    parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return sendJson(res, badRequest('malformed URL encoding'));
  }
  // Encoded slashes too: a part that decodes to ../x is a walk up, whatever it is for.
  if (parts.some((p) => p === '..' || p === '.' || p.includes('../') || p.includes('/..') || p.includes('\\') || p.includes('\0'))) {
    return sendJson(res, badRequest('path traversal refused'));
  }

  if (parts[0] === 'api') {
    if (parts[1] === 'repos' && parts.length === 2) return sendJson(res, { status: 200, body: await repoSummaries(options.repos) });
    const repo = options.repos.get(parts[1] ?? '');
    if (!repo) return sendJson(res, notFound(`no repository ${JSON.stringify(parts[1] ?? '')} is served`));
    const [, , what, ...rest] = parts;
    const limit = clampInt(url.searchParams.get('limit'), 50, 1, 500);
    if (what === 'events' && rest.length === 0) return followRunEvents(state.events.get(parts[1]!)!, req, res, state.streams);
    if (what === 'status' && rest.length > 0) return sendJson(res, await statusOf(repo, rest.join('/')));
    if (what === 'log' && rest.length > 0) {
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      const log = await logOf(repo, rest.join('/'), limit, clampInt(url.searchParams.get('skip'), 0, 0, MAX_SKIP), gone.signal);
      return 'rows' in log ? sendJsonRows(res, log.rows) : sendJson(res, log);
    }
    if (what === 'runs' && rest.length === 0) return sendJson(res, await runsOf(repo, url.searchParams.get('branch') ?? undefined, limit));
    if (what === 'runs' && rest.length === 1) return sendJson(res, await runOf(repo, rest[0]!));
    if (what === 'runs' && rest[1] === 'logs' && (rest.length === 3 || (rest.length === 4 && rest[3] === 'follow'))) {
      const [id, , job] = rest as [string, string, string];
      if (!isRunId(id)) return sendJson(res, badRequest(`not a run id: ${JSON.stringify(id)}`));
      if (!isSafeJobName(job)) return sendJson(res, badRequest(`not a job name: ${JSON.stringify(job)}`));
      if (rest.length === 4) return followLog(state, parts[1]!, repo, id, job, req, res);
      return sendLogRange(repo, id, job, url, res);
    }
    return sendJson(res, notFound(`no such API: ${url.pathname}`));
  }
  if (parts[1] === 'badge' && parts.length >= 3 && options.repos.has(parts[0]!)) {
    const branch = parts.slice(2).join('/').replace(/\.svg$/, '');
    return sendBadge(options.repos.get(parts[0]!)!, branch, res);
  }
  return handlePageRequest(options.repos, parts, res);
}

/** GET /api/repos: the overview's data (kept as the overview keeps it). */
async function repoSummaries(repos: Map<string, Repo>): Promise<unknown> {
  return (await loadOverview(repos)).map(({ name, branches }) => ({ name, branches: branches.map((b) => ({ name: b.name, status: b.status })) }));
}

async function sendLogRange(repo: Repo, id: string, job: string, url: URL, res: http.ServerResponse): Promise<void> {
  const source = await findJobLog(repo, id, job);
  if (!source) return sendJson(res, notFound(`no job ${job} in run ${id}`));
  const offset = clampInt(url.searchParams.get('offset'), 0, 0, Number.MAX_SAFE_INTEGER);
  const limit = clampInt(url.searchParams.get('limit'), 256 * 1024, 1, MAX_LOG_PAGE);
  const { bytes, end } = await readLogRange(repo, source, offset, limit);
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'x-log-offset': String(offset),
    'x-log-next': String(offset + bytes.length),
    // complete: a recorded log read to its end; a running job's log can still grow.
    'x-log-complete': String(source.kind !== 'live' && end),
  });
  res.end(bytes);
}

/**
 * GET …/logs/<job>/follow: the log as SSE from byte 0 or the Last-Event-ID, through the one
 * reader every follower of this log shares.
 */
function followLog(state: ServerState, name: string, repo: Repo, id: string, job: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const last = req.headers['last-event-id'];
  const from = clampInt(typeof last === 'string' ? last : null, 0, 0, Number.MAX_SAFE_INTEGER);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', connection: 'keep-alive' });
  res.write('retry: 1000\n\n');
  const stop = new AbortController();
  state.streams.add(stop);
  return new Promise<void>((resolve) => {
    let leave = () => {};
    const end = () => {
      if (!state.streams.delete(stop)) return;
      leave();
      res.end();
      resolve();
    };
    const follower = { offset: from, write: (text: string) => void res.write(text), backlog: () => res.writableLength, end };
    leave = state.logReaders.follow(`${name}\0${id}\0${job}`, () => repoLogAccess(repo, id, job), follower);
    req.on('close', end);
    stop.signal.addEventListener('abort', end, { once: true });
  });
}

/** GET /api/<repo>/events: run and job state changes as SSE (`id` = the event's number, Last-Event-ID resumes). */
function followRunEvents(hub: RunEvents, req: http.IncomingMessage, res: http.ServerResponse, streams: Set<AbortController>): Promise<void> {
  const last = req.headers['last-event-id'];
  const after = typeof last === 'string' && /^\d+$/.test(last) ? Number(last) : undefined;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', connection: 'keep-alive' });
  res.write('retry: 1000\n\n');
  const stop = new AbortController();
  streams.add(stop);
  const { replayed, stop: unsubscribe } = hub.subscribe((e) => res.write(`event: ${e.type}\nid: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`), after);
  // Too far behind to replay: the client reads the present from the API again.
  if (!replayed) res.write(`event: reset\nid: ${hub.last}\ndata: {}\n\n`);
  // Comments keep proxies from closing an idle stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  return new Promise<void>((resolve) => {
    const end = () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(stop);
      res.end();
      resolve();
    };
    req.on('close', end);
    stop.signal.addEventListener('abort', end, { once: true });
  });
}

async function sendBadge(repo: Repo, branch: string, res: http.ServerResponse): Promise<void> {
  if (!isSafeRev(branch)) return sendJson(res, badRequest(`not a branch name: ${JSON.stringify(branch)}`));
  const commit = await repo.git.oid(`refs/heads/${branch}^{commit}`);
  if (!commit) return sendJson(res, notFound(`no branch ${branch}`));
  const { status } = await commitRunView(repo, commit);
  res.writeHead(200, { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'no-cache, max-age=0', etag: `"${commit.slice(0, 12)}-${status.run ?? 'none'}-${status.state ?? 'none'}"` });
  res.end(renderBadge(status.state));
}

function sendJson(res: http.ServerResponse, result: ApiResult): void {
  const body = JSON.stringify(result.body, null, 2);
  res.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

/**
 * Rows as one JSON array, the same text as sendJson's: kept rows at once, streamed ones as they
 * come. A failure midway still closes the array, and says so in the X-Git-Ci-Error trailer.
 */
async function sendJsonRows(res: http.ServerResponse, read: LogRowsRead): Promise<void> {
  if ('whole' in read) return sendJson(res, { status: 200, body: read.whole });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', trailer: 'x-git-ci-error' });
  res.write('[');
  let count = 0;
  try {
    for await (const batch of read.batches) {
      let text = '';
      for (const row of batch) text += `${count++ > 0 ? ',' : ''}\n  ${JSON.stringify(row, null, 2).replace(/\n/g, '\n  ')}`;
      if (text) res.write(text);
    }
  } catch (err) {
    res.addTrailers({ 'x-git-ci-error': (err as Error).message.replace(/[^\x20-\x7e]+/g, ' ').slice(0, 500) });
  }
  res.end(count ? '\n]' : ']');
}

const TOKEN_COOKIE = 'git-ci-token';

/** How a request proved it knows the token (header, query or cookie); undefined when it did not. */
function tokenGiven(token: string, req: http.IncomingMessage, url: URL): 'header' | 'query' | 'cookie' | undefined {
  const same = (given: string) => {
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Bearer ') && same(header.slice(7))) return 'header';
  const query = url.searchParams.get('token');
  if (query !== null && same(query)) return 'query';
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== TOKEN_COOKIE) continue;
    try {
      if (same(decodeURIComponent(value.join('=')))) return 'cookie';
    } catch {
      // a malformed cookie proves nothing
    }
  }
  return undefined;
}

function clampInt(text: string | null, fallback: number, min: number, max: number): number {
  if (text === null || !/^\d+$/.test(text)) return fallback;
  return Math.min(max, Math.max(min, Number(text)));
}
