// Commits as payloads show them: push's `commits` and `head_commit`, workflow_run's
// `head_commit`, and the changed-file lists path filters read.

import type { FileChanges, GitCommit } from '../git.ts';
import type { Payload } from '../payload-fields.ts';
import { loginFor } from './repository.ts';

/** Every file added, removed or modified by any of the changes, sorted, each once. */
export function mergeChanges(...changes: FileChanges[]): string[] {
  return [...new Set(changes.flatMap((change) => [...change.added, ...change.removed, ...change.modified]))].sort();
}

function commitPerson(person: { name: string; email: string }): Payload {
  return { name: person.name, email: person.email, username: loginFor(person.name, person.email) };
}

/** A commit in a push payload (`commits[]`, `head_commit`), with the files it changed (against its first parent). */
export function commitObject(commit: GitCommit, changes: FileChanges, htmlUrl: string): Payload {
  return {
    id: commit.sha,
    tree_id: commit.treeSha,
    distinct: true,
    message: commit.message,
    timestamp: commit.author.date,
    url: `${htmlUrl}/commit/${commit.sha}`,
    author: commitPerson(commit.author),
    committer: commitPerson(commit.committer),
    added: changes.added,
    removed: changes.removed,
    modified: changes.modified,
  };
}

/** The shorter commit object of workflow_run's `head_commit`. */
export function headCommitSummary(commit: GitCommit): Payload {
  return {
    id: commit.sha,
    tree_id: commit.treeSha,
    message: commit.message,
    timestamp: commit.author.date,
    author: { name: commit.author.name, email: commit.author.email },
    committer: { name: commit.committer.name, email: commit.committer.email },
  };
}

/** A commit message's first line (a pull request title) and the rest (its body, or null). */
export function subjectAndBody(message: string): { subject: string; body: string | null } {
  const [subject = '', ...rest] = message.split('\n');
  const body = rest.join('\n').trim();
  return { subject, body: body || null };
}
