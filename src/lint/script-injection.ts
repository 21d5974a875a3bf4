// GitHub's security hardening guide: event fields that an outside contributor
// controls must not be interpolated into a script; pass them through `env:`.

import type { LintRule } from './rule.ts';
import { embeddedExpressions, locateText } from './source-positions.ts';

const untrustedFields = [
  'github.event.issue.title',
  'github.event.issue.body',
  'github.event.pull_request.title',
  'github.event.pull_request.body',
  'github.event.comment.body',
  'github.event.review.body',
  'github.event.review_comment.body',
  'github.event.pages.*.page_name',
  'github.event.commits.*.message',
  'github.event.commits.*.author.email',
  'github.event.commits.*.author.name',
  'github.event.head_commit.message',
  'github.event.head_commit.author.email',
  'github.event.head_commit.author.name',
  'github.event.pull_request.head.ref',
  'github.event.pull_request.head.label',
  'github.event.pull_request.head.repo.default_branch',
  'github.event.workflow_run.head_branch',
  'github.event.workflow_run.head_commit.message',
  'github.event.workflow_run.head_commit.author.email',
  'github.event.workflow_run.head_commit.author.name',
  'github.event.discussion.title',
  'github.event.discussion.body',
  'github.head_ref',
];

const untrustedPatterns = untrustedFields.map(
  (field) => new RegExp(`^${field.replaceAll('.', '\\.').replaceAll('*', '[^.]+')}(\\.|$)`, 'i'),
);

/** `github.event.commits[0].message` and `github['head_ref']` in dotted form. */
function normalisePropertyPaths(expression: string): string[] {
  const dotted = expression
    .replace(/\[\s*'([^']*)'\s*\]/g, '.$1')
    .replace(/\[\s*(\d+|\*)\s*\]/g, '.$1');
  return dotted.match(/[A-Za-z_][\w.*-]*/g) ?? [];
}

export function untrustedFieldIn(expression: string): string | undefined {
  return normalisePropertyPaths(expression).find((path) => untrustedPatterns.some((pattern) => pattern.test(path)));
}

export const scriptInjection: LintRule = {
  id: 'script-injection',
  check({ workflow, content }) {
    return workflow.jobs.flatMap((job) =>
      job.steps.flatMap((step) => {
        const run = step.run;
        if (run?.kind !== 'expression' || !run.source || !run.pos) return [];
        return embeddedExpressions(run.source).flatMap(({ text, inner }) => {
          const field = untrustedFieldIn(inner);
          if (!field) return [];
          const at = locateText(content, run.pos!, text);
          return [
            {
              file: workflow.file,
              ...at,
              severity: 'warning' as const,
              rule: 'script-injection',
              message: `"${field}" is attacker-controlled and is pasted into the script of job '${job.id}' unescaped`,
              hint: `pass it through the step's env (env: { VALUE: \${{ ${field} }} }) and use "$VALUE" in the script`,
            },
          ];
        });
      }),
    );
  },
};
