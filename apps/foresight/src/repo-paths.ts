import { fileURLToPath } from 'node:url';

/** The repository root (this file is apps/foresight/dist/src/repo-paths.js once built). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A path inside the repository. */
export function repoPath(relative: string): string {
  return `${REPO_ROOT}${relative}`;
}
