// One long-lived `git cat-file --batch` per repository for object reads: a lookup costs a line
// written to a pipe (~0.05 ms) instead of a git process (~11 ms here). Requests are answered in
// order, so they queue; a git that dies fails what is pending and the next read starts another.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cleanGitEnv } from './git.js';

export interface GitObject {
  oid: string;
  type: string;
  content: Buffer;
  /** Bytes (with --batch-check, where content is empty). */
  size: number;
}

interface Pending {
  resolve: (obj: GitObject | undefined) => void;
  reject: (err: Error) => void;
}

export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private corked = false;

  /** `check`: `--batch-check`, which answers with the id, type and size only (content is empty). */
  constructor(
    private readonly gitDir: string,
    private readonly check = false,
  ) {}

  /** The object a revision names (`<commit>:<path>`, `<ref>^{tree}`, an oid…); undefined when it names none. */
  read(rev: string): Promise<GitObject | undefined> {
    // cat-file reads one request per line: a name with a newline cannot be asked for (nor exist as a ref).
    if (/[\n\r]/.test(rev) || rev === '') return Promise.resolve(undefined);
    const child = this.start();
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.keepAlive(true);
      // The requests of one tick go out in one write (many runs of a batch ask at once).
      if (!this.corked) {
        this.corked = true;
        child.stdin.cork();
        process.nextTick(() => {
          this.corked = false;
          child.stdin.uncork();
        });
      }
      child.stdin.write(`${rev}\n`);
    });
  }

  /** Ends the git process (it also ends by itself when this process exits). */
  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn('git', [`--git-dir=${this.gitDir}`, 'cat-file', this.check ? '--batch-check' : '--batch'], { env: cleanGitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.buffer = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.drain();
    });
    const fail = (why: string) => {
      if (this.child === child) this.child = undefined;
      const err = new Error(`git cat-file --batch in ${this.gitDir} ${why}`);
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    child.on('error', (err) => fail(`could not run: ${err.message}`));
    child.on('exit', (code, signal) => fail(`ended (${signal ?? `exit ${code}`})`));
    child.stdin.on('error', () => undefined);
    this.keepAlive(false, child);
    return child;
  }

  /** Holds the event loop open while an answer is due; an idle reader must not keep a runner or a CLI alive. */
  private keepAlive(on: boolean, child = this.child): void {
    if (!child) return;
    const handles = [child, child.stdout, child.stderr, child.stdin] as unknown as { ref?: () => void; unref?: () => void }[];
    for (const h of handles) (on ? h.ref : h.unref)?.call(h);
  }

  // Each answer is `<oid> <type> <size>\n<content>\n`, or `<rev> missing\n` / `<rev> ambiguous\n`.
  private drain(): void {
    for (;;) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString();
      const fields = header.split(' ');
      const last = fields.at(-1);
      if (last === 'missing' || last === 'ambiguous') {
        this.buffer = this.buffer.subarray(nl + 1);
        this.answered()?.resolve(undefined);
        continue;
      }
      const size = Number(fields[2]);
      if (fields.length !== 3 || !Number.isInteger(size)) {
        this.child?.kill();
        return;
      }
      if (this.check) {
        this.buffer = this.buffer.subarray(nl + 1);
        this.answered()?.resolve({ oid: fields[0]!, type: fields[1]!, content: Buffer.alloc(0), size });
        continue;
      }
      if (this.buffer.length < nl + 1 + size + 1) return;
      const content = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + size));
      this.buffer = this.buffer.subarray(nl + 1 + size + 1);
      this.answered()?.resolve({ oid: fields[0]!, type: fields[1]!, content, size });
    }
  }

  private answered(): Pending | undefined {
    const p = this.pending.shift();
    if (this.pending.length === 0) this.keepAlive(false);
    return p;
  }
}

/** One entry of a tree object: its mode as git writes it (`100644`, `40000`…), its name's raw bytes and its object id. */
export interface TreeEntry {
  mode: string;
  name: Buffer;
  oid: string;
}

/**
 * The entries of a tree object's content (`<mode> <name>\0<raw id>` each), as cat-file --batch
 * gives it; `oidBytes` is 20 for sha1 repositories, 32 for sha256. Throws on a malformed tree.
 */
export function parseTree(content: Buffer, oidBytes: number): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    const nul = space < 0 ? -1 : content.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > content.length) throw new Error(`malformed tree object at byte ${at}`);
    entries.push({ mode: content.toString('latin1', at, space), name: content.subarray(space + 1, nul), oid: content.toString('hex', nul + 1, nul + 1 + oidBytes) });
    at = nul + 1 + oidBytes;
  }
  return entries;
}
