// GitHub's refs/pull/N/merge commit, built without touching the checkout.

import { GitError, commitTree, mergeTrees } from '../git.ts';
import type { GitCommit } from '../git.ts';

const TEST_MERGE_IDENTITY = { name: 'GitHub', email: 'noreply@github.com' };

function laterDate(first: string, second: string): string {
  return Date.parse(first) >= Date.parse(second) ? first : second;
}

/**
 * The test-merge commit: head merged into base. Built in the object store only
 * (merge-tree + commit-tree), never touching the working tree, index or refs. Dated from its
 * parents so the same inputs give the same SHA. Null when the merge conflicts (GitHub then
 * has no merge commit either) or the repository cannot take new objects.
 */
export async function testMergeCommit(repoDir: string, base: GitCommit, head: GitCommit): Promise<string | null> {
  try {
    const { tree } = await mergeTrees(repoDir, base.sha, head.sha);
    if (tree === null) return null;
    const date = laterDate(base.committer.date, head.committer.date);
    return await commitTree(repoDir, tree, [base.sha, head.sha], `Merge ${head.sha} into ${base.sha}`, { ...TEST_MERGE_IDENTITY, date });
  } catch (error) {
    if (error instanceof GitError) return null;
    throw error;
  }
}
