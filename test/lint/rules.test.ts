import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintRules } from '../../src/lint/index.ts';
import { untrustedFieldIn } from '../../src/lint/script-injection.ts';
import { unpinnedReason } from '../../src/lint/unpinned-actions.ts';
import { parseWorkflowText } from '../../src/workflow/load.ts';

async function lint(text: string, rule: string) {
  const loaded = await parseWorkflowText('wf.yml', text);
  assert.ok(loaded.workflow, 'workflow should parse');
  const target = { workflow: loaded.workflow, content: loaded.content };
  return lintRules.filter((r) => r.id === rule).flatMap((r) => r.check(target));
}

describe('script-injection rule', () => {
  it('flags untrusted event fields interpolated into run, at the expression position', async () => {
    const found = await lint(
      `on: pull_request_target
jobs:
  a:
    runs-on: x
    steps:
      - run: |
          echo ok
          echo "\${{ github.event.pull_request.title }}"
      - run: echo \${{ github.head_ref }}
      - env:
          TITLE: \${{ github.event.issue.title }}
        run: echo "$TITLE" \${{ github.sha }}
`,
      'script-injection',
    );
    assert.deepEqual(
      found.map((d) => [d.line, d.column, d.severity]),
      [
        [8, 17, 'warning'],
        [9, 19, 'warning'],
      ],
    );
    assert.match(found[0]!.message, /github\.event\.pull_request\.title/);
    assert.match(found[0]!.hint!, /env/);
  });

  it('recognises array and bracket forms of untrusted fields', () => {
    assert.equal(untrustedFieldIn('github.event.commits[0].message'), 'github.event.commits.0.message');
    assert.equal(untrustedFieldIn("github['head_ref']"), 'github.head_ref');
    assert.equal(untrustedFieldIn("github.event.pull_request.head.ref || 'x'"), 'github.event.pull_request.head.ref');
    assert.equal(untrustedFieldIn('github.event.pull_request.number'), undefined);
    assert.equal(untrustedFieldIn('github.event.pull_request.title_length'), undefined);
  });
});

describe('unpinned-action rule', () => {
  it('warns for third-party actions on tags or branches, not for SHAs, first-party or local actions', () => {
    assert.match(unpinnedReason('snok/install-poetry@v1')!, /"v1"/);
    assert.match(unpinnedReason('aquasecurity/trivy-action@master')!, /"master"/);
    assert.equal(unpinnedReason('snok/install-poetry@8a1ac0e2e1a2b3c4d5e6f708192a3b4c5d6e7f80'), undefined);
    assert.equal(unpinnedReason('actions/checkout@v4'), undefined);
    assert.equal(unpinnedReason('github/codeql-action/upload-sarif@v2'), undefined);
    assert.equal(unpinnedReason('./local/action'), undefined);
    assert.match(unpinnedReason('owner/repo')!, /no version/);
  });

  it('reports the step position', async () => {
    const found = await lint(
      'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/login-action@v3\n',
      'unpinned-action',
    );
    assert.deepEqual(
      found.map((d) => [d.line, d.column]),
      [[7, 9]],
    );
  });
});

describe('job-references rule', () => {
  it('flags needs.<id> outside the needs list and steps.<id> before the step ran', async () => {
    const found = await lint(
      `on: push
jobs:
  a:
    runs-on: x
    outputs:
      v: \${{ steps.nope.outputs.v }}
    steps:
      - run: echo \${{ steps.later.outputs.x }}
      - id: later
        run: echo hi
  b:
    runs-on: x
    needs: a
    if: needs.a.result == 'success'
    steps:
      - run: echo \${{ needs.c.outputs.v }}
  c:
    runs-on: x
    steps: [{ run: echo }]
`,
      'job-references',
    );
    const messages = found.map((d) => d.message);
    assert.deepEqual(messages.sort(), [
      "job 'a' has no step with id 'nope'",
      "job 'b' reads needs.c, but 'c' is not in its needs",
      "step 'later' is read before it runs in job 'a'",
    ]);
  });
});
