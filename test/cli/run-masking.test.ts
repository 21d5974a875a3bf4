// Secrets through `gantry run`: from --secret NAME=VALUE, --secret NAME (the
// environment) and --secret-file, masked as GitHub masks them (with the encoded
// forms the runner registers, line by line for multi-line values, and
// ::add-mask:: values from then on) everywhere the run writes: stdout and stderr,
// every file of the run's log folder, step summaries, annotations, outputs and
// the JSON report.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TempRepo } from '../support/git-repo.ts';
import { gantryRun, jobLines, jobOf, logFiles, stepOf, workflowRepo, type RunOutcome } from '../support/run.ts';

const TOKEN = 'tok-4f9a2c71e8';
const FROM_ENV = 'env-secret-5b3d90';
const FROM_FILE = 'file-secret-7e21c4';
const MULTI_LINES = ['first-line-secret-a81', 'second-line-secret-c42'];
/** Changes under every encoding the runner masks: base64, URL and JSON escaping. */
const SPECIAL = 'sp3c "q" & /s/ v';
const ADDED = 'added-mask-value-93d1';

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Every form of every secret that must appear nowhere. */
const forbidden: [string, string][] = [
  ['TOKEN', TOKEN],
  ['FROM_ENV', FROM_ENV],
  ['FROM_FILE', FROM_FILE],
  ...MULTI_LINES.map((line, i): [string, string] => [`MULTI line ${i + 1}`, line]),
  ['SPECIAL', SPECIAL],
  ['SPECIAL in base64', base64(SPECIAL)],
  ['SPECIAL URL-encoded', encodeURIComponent(SPECIAL)],
  ['SPECIAL JSON-escaped', JSON.stringify(SPECIAL).slice(1, -1)],
  ['TOKEN in base64', base64(TOKEN)],
  ['the ::add-mask:: value', ADDED],
];

describe('gantry run: secrets are masked everywhere', () => {
  let repo: TempRepo;
  let run: RunOutcome;
  let logs: Map<string, string>;
  before(async () => {
    assert.notEqual(encodeURIComponent(SPECIAL), SPECIAL);
    assert.notEqual(JSON.stringify(SPECIAL).slice(1, -1), SPECIAL);
    repo = await workflowRepo({
      'secrets.yml': `
        name: Secrets
        on: push
        env:
          TOKEN: \${{ secrets.TOKEN }}
        jobs:
          leak:
            runs-on: ubuntu-latest
            outputs:
              leaked: \${{ steps.out.outputs.leak }}
              clean: \${{ steps.out.outputs.clean }}
              added: \${{ steps.out.outputs.added }}
            steps:
              - name: Deploy with \${{ secrets.TOKEN }}
                id: plain
                run: |
                  echo "token: $TOKEN"
                  echo "token in the script: \${{ secrets.TOKEN }}"
                  echo "on stderr: $TOKEN" >&2
                  echo "from the environment: \${{ secrets.FROM_ENV }}"
                  echo "from the file: \${{ secrets.FROM_FILE }}"
                  echo "not in the environment under its own name: [\${FROM_ENV:-unset}]"
              - id: encoded
                env:
                  SPECIAL: \${{ secrets.SPECIAL }}
                run: |
                  echo "raw: $SPECIAL"
                  echo "base64: $(printf '%s' "$SPECIAL" | base64 -w0)"
                  echo "token base64: $(printf '%s' "$TOKEN" | base64 -w0)"
                  python3 -c 'import os, urllib.parse; print("url:", urllib.parse.quote(os.environ["SPECIAL"], safe=""))'
                  python3 -c 'import os, json; print("json:", json.dumps(os.environ["SPECIAL"]))'
              - id: multi
                env:
                  MULTI: \${{ secrets.MULTI }}
                run: |
                  printf '%s\\n' "$MULTI"
                  echo "just the second: $(printf '%s\\n' "$MULTI" | tail -n 1)"
              - id: added
                run: |
                  value="added-mask-$(echo value)-93d1"
                  echo "::add-mask::$value"
                  echo "after add-mask: $value"
                  echo "ADDED=$value" >> "$GITHUB_ENV"
              - id: out
                run: |
                  echo "still masked in a later step: $ADDED"
                  echo "leak=prefix-$TOKEN" >> "$GITHUB_OUTPUT"
                  echo "clean=nothing secret" >> "$GITHUB_OUTPUT"
                  echo "added=$ADDED" >> "$GITHUB_OUTPUT"
                  echo "### Summary with $TOKEN and $ADDED" >> "$GITHUB_STEP_SUMMARY"
                  echo "::error title=Bad $TOKEN::failed with $TOKEN"
                  echo "::warning::also $ADDED"
              - id: fail
                run: |
                  echo "$TOKEN is about to fail"
                  exit 1
      `,
    });
    const secretFile = path.join(repo.dir, '.gantry-secrets.env');
    await writeFile(secretFile, `FROM_FILE=${FROM_FILE}\nMULTI="${MULTI_LINES.join('\\n')}"\n`);
    run = await gantryRun(repo, ['--secret', `TOKEN=${TOKEN}`, '--secret', 'FROM_ENV', '--secret-file', secretFile, '--secret', `SPECIAL=${SPECIAL}`], {
      FROM_ENV,
    });
    logs = await logFiles(run.report!);
  });
  after(() => repo.remove());

  it('runs, and the failing step fails the run', () => {
    assert.equal(run.code, 1, run.stderr);
    assert.equal(jobOf(run.report!, 'leak').conclusion, 'failure');
    assert.ok(logs.size > 0);
  });

  it('masks the secrets on stdout, with *** where they were', () => {
    const lines = jobLines(run.stdout, 'Secrets', 'leak');
    for (const expected of [
      '| token: ***',
      '| token in the script: ***',
      '| on stderr: ***',
      '| from the environment: ***',
      '| from the file: ***',
      '| raw: ***',
      '| base64: ***',
      '| token base64: ***',
      '| url: ***',
      '| json: "***"',
      '| ***',
      '| just the second: ***',
      '| after add-mask: ***',
      '| still masked in a later step: ***',
      '| *** is about to fail',
    ]) {
      assert.ok(lines.some((line) => line.endsWith(expected)), `no line ending in "${expected}":\n${lines.join('\n')}`);
    }
  });

  it('does not put a secret in the environment under its own name', () => {
    assert.ok(jobLines(run.stdout, 'Secrets', 'leak').some((line) => line.endsWith('| not in the environment under its own name: [unset]')));
  });

  it('drops a job output that holds a secret, with a warning', () => {
    const job = jobOf(run.report!, 'leak');
    assert.deepEqual(Object.keys(job.outputs).sort(), ['clean']);
    assert.equal(job.outputs.clean, 'nothing secret');
    assert.ok(jobLines(run.stdout, 'Secrets', 'leak').some((line) => line.includes("Skip output 'leaked' since it may contain secret.")), run.stdout);
    assert.ok(jobLines(run.stdout, 'Secrets', 'leak').some((line) => line.includes("Skip output 'added' since it may contain secret.")), run.stdout);
  });

  it('masks step outputs, summaries, annotations and step names in the report', () => {
    const job = jobOf(run.report!, 'leak');
    assert.equal(stepOf(job, 'out').outputs.leak, 'prefix-***');
    assert.equal(stepOf(job, 'out').outputs.added, '***');
    assert.equal(stepOf(job, 'plain').name, 'Deploy with ***');
    assert.deepEqual(
      job.summaries.map((s) => s.markdown),
      ['### Summary with *** and ***\n'],
    );
    assert.deepEqual(
      job.annotations.map((a) => [a.level, a.title, a.message]),
      [
        ['error', 'Bad ***', 'failed with ***'],
        ['warning', undefined, 'also ***'],
      ],
    );
  });

  for (const [what, value] of forbidden) {
    it(`leaves no trace of ${what}: not on stdout or stderr, not in the log folder, not in the report`, () => {
      assert.ok(!run.stdout.includes(value), `stdout holds ${what}`);
      assert.ok(!run.stderr.includes(value), `stderr holds ${what}`);
      assert.ok(!run.reportText.includes(value), `the report holds ${what}`);
      for (const [file, content] of logs) {
        assert.ok(!file.includes(value), `the log file name ${file} holds ${what}`);
        assert.ok(!content.includes(value), `${file} holds ${what}`);
      }
    });
  }
});
