// The workspace files a job's `reports:` globs name: a walk that never follows a link (a job
// could point one anywhere) and stops at a bound, so a huge tree cannot stall the runner.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { matchGlob } from '../pipeline/glob.js';

/** Regular files under root matching any pattern, sorted; at most `limit` of them, looking at most at `maxEntries` entries. */
export async function findFiles(root: string, patterns: string[], limit = 1000, maxEntries = 200_000): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  const walk = async (rel: string): Promise<void> => {
    if (seen > maxEntries) return;
    let entries;
    try {
      entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    seen += entries.length;
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= limit || seen > maxEntries) return;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile() && patterns.some((p) => matchGlob(p, child))) found.push(child);
    }
  };
  await walk('');
  return found;
}
