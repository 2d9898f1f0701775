// The repository a command works on: --repo, else the one the current directory is in.
import { openRepo, type Repo } from '../store/repo.js';

export function repoFromArgs(argv: { repo?: string | undefined }): Promise<Repo> {
  return openRepo(argv.repo ?? process.cwd());
}
