// CI history in a clone: which refs a fetch brings, where they land, and the git config that
// makes plain `git fetch` and `git log` keep doing it.
//
// Run records and artifacts are written once, by the server's runner, under ids nobody else
// makes: they are mirrored as they are (refs/ci/runs/*, refs/ci/artifacts/*). Notes are not:
// a clone's own refs/notes/ci may hold notes its user wrote, and a forced fetch into it would
// throw them away. The server's notes land in refs/notes/remotes/<remote>/ci, and every reader
// takes the union of that and the local ref (note lines are self-contained, one per run).
import type { Git } from './git.js';
import { UserError } from './errors.js';
import { NOTES_REF } from './notes.js';

/** Where a remote's CI notes are fetched to. */
export function remoteNotesRef(remote: string): string {
  return `refs/notes/remotes/${remote}/ci`;
}

/** The refspecs that bring a remote's CI history. */
export function ciRefspecs(remote: string): string[] {
  return [`+${NOTES_REF}:${remoteNotesRef(remote)}`, '+refs/ci/runs/*:refs/ci/runs/*', '+refs/ci/artifacts/*:refs/ci/artifacts/*'];
}

/** `git clone -c` settings for a clone that brings the CI history in its first fetch. */
export function ciCloneConfig(remote: string): string[] {
  return [...ciRefspecs(remote).map((spec) => `remote.${remote}.fetch=${spec}`), ...NOTES_CONFIG.map(([key, value]) => `${key}=${value}`)];
}

// git log shows CI notes; a rebase or an amend carries a commit's notes to the rewritten commit
// (readers mark them inherited: the new commit has not been built).
const NOTES_CONFIG: [string, string][] = [
  ['notes.displayRef', NOTES_REF],
  ['notes.displayRef', 'refs/notes/remotes/*/ci'],
  ['notes.rewriteRef', NOTES_REF],
  ['notes.rewriteRef', 'refs/notes/remotes/*/ci'],
];

export interface ConfigChange {
  key: string;
  value: string;
}

/** Adds what is missing of the CI refspecs and notes settings; returns what it added. */
export async function configureCiRemote(git: Git, remote: string): Promise<ConfigChange[]> {
  const url = await git.run(['config', '--get', `remote.${remote}.url`], { okExitCodes: [1] });
  if (url.exitCode !== 0) throw new UserError(`no remote named ${remote} in ${git.gitDir} (git remote -v lists them)`);
  const wanted: [string, string][] = [...ciRefspecs(remote).map((spec): [string, string] => [`remote.${remote}.fetch`, spec]), ...NOTES_CONFIG];
  const added: ConfigChange[] = [];
  for (const [key, value] of wanted) {
    const current = await git.run(['config', '--get-all', key], { okExitCodes: [1] });
    if (current.stdout.split('\n').includes(value)) continue;
    await git.run(['config', '--add', key, value]);
    added.push({ key, value });
  }
  return added;
}
