// Typed errors the CLI turns into messages and exit codes.

/** A git command failed; carries the command and git's own words. */
export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || 'no message'}`);
    this.name = 'GitError';
  }
}

/** The user named something that is not there or not usable (a repo, a revision, a run). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 128,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
