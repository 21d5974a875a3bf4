// The ids GitHub would assign to the objects in a payload (repository, user, pull
// request, workflow run), derived from a stable key so the same input gives the same id.

import { createHash } from 'node:crypto';

/** A stable positive integer for a key such as `repo:github.com/acme/widgets`. */
export function stableId(key: string): number {
  return createHash('sha256').update(key).digest().readUIntBE(0, 6) % 2_000_000_000;
}

/** A GraphQL node id in GitHub's style: a type prefix and the id. */
export function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(String(id)).toString('base64url')}`;
}
