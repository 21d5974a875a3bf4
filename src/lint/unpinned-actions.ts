// Third-party actions should be pinned to a full commit SHA: a tag or branch can
// be moved by whoever controls the action's repository.

import type { LintRule } from './rule.ts';

const firstPartyOwners = new Set(['actions', 'github']);
const fullSha = /^[0-9a-f]{40}$/i;

export function unpinnedReason(uses: string): string | undefined {
  if (uses.startsWith('./') || uses.startsWith('docker://')) return undefined;
  const at = uses.lastIndexOf('@');
  if (at < 0) return `"${uses}" names no version; pin it with @<full commit SHA>`;
  const owner = uses.slice(0, uses.indexOf('/')).toLowerCase();
  if (firstPartyOwners.has(owner)) return undefined;
  const ref = uses.slice(at + 1);
  return fullSha.test(ref) ? undefined : `third-party action "${uses}" is pinned to "${ref}", which its owner can move`;
}

export const unpinnedActions: LintRule = {
  id: 'unpinned-action',
  check({ workflow }) {
    const jobUses = workflow.jobs.flatMap((job) =>
      job.call && !job.call.uses.startsWith('./') ? [{ uses: job.call.uses, pos: job.pos }] : [],
    );
    const stepUses = workflow.jobs.flatMap((job) =>
      job.steps.flatMap((step) => (step.uses ? [{ uses: step.uses, pos: step.pos }] : [])),
    );
    return [...jobUses, ...stepUses].flatMap(({ uses, pos }) => {
      const reason = unpinnedReason(uses);
      return reason
        ? [
            {
              file: workflow.file,
              ...pos,
              severity: 'warning' as const,
              rule: 'unpinned-action',
              message: reason,
              hint: 'use owner/repo@<40-character commit SHA> and keep the tag in a comment',
            },
          ]
        : [];
    });
  },
};
