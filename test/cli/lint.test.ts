import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runGantry } from '../support/cli.ts';
import { createRepo, type TempRepo } from '../support/git-repo.ts';

const seedWorkflows = fileURLToPath(new URL('../../../shared/seed/workflows', import.meta.url));

describe('gantry lint', () => {
  let repo: TempRepo;
  before(async () => {
    repo = await createRepo({
      '.github/workflows/broken.yml': 'on: push\njobs:\n  a:\n    runs-on: x\n    needs: ghost\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n',
    });
  });
  after(() => repo.remove());

  it('passes the seed workflows with warnings only and exit code 0', async () => {
    const result = await runGantry(['lint', seedWorkflows]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /: error:/);
    assert.match(result.stdout, /ci\.yml:\d+:\d+: warning: third-party action "snok\/install-poetry@v1"/);
    assert.match(result.stderr, /2 file\(s\) checked: 0 error\(s\)/);
  });

  it('reports errors as file:line:col lines and exits 1, from .github/workflows by default', async () => {
    const result = await runGantry(['lint'], { cwd: repo.dir });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^\.github\/workflows\/broken\.yml:5:12: error: Job 'a' depends on unknown job 'ghost'\./m);
    assert.match(result.stdout, /broken\.yml:7:19: warning: .*github\.event\.issue\.title/);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('prints JSON and SARIF', async () => {
    const json = await runGantry(['lint', '--format', 'json'], { cwd: repo.dir });
    const diagnostics = JSON.parse(json.stdout) as { rule: string; line: number }[];
    assert.ok(diagnostics.some((d) => d.rule === 'job-graph' && d.line === 5));
    const sarif = JSON.parse((await runGantry(['lint', '--format', 'sarif'], { cwd: repo.dir })).stdout);
    assert.equal(sarif.version, '2.1.0');
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'script-injection');
    assert.equal(result.level, 'warning');
    assert.equal(result.locations[0].physicalLocation.region.startLine, 7);
  });

  it('exits 2 for usage errors and missing paths, with one line and no stack', async () => {
    const badFormat = await runGantry(['lint', '--format', 'yaml']);
    assert.equal(badFormat.code, 2);
    const missing = await runGantry(['lint', 'no/such/folder']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), 'gantry: no workflow file or folder at no/such/folder');
  });
});
