import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../support/cli.ts';
import { createRepo, type TempRepo } from '../support/git-repo.ts';

const seed = (name: string) => readFile(new URL(`../../../shared/seed/workflows/${name}`, import.meta.url), 'utf8');

interface PlanJson {
  event: { name: string; ref: string };
  workflows: {
    file: string;
    name: string;
    triggered: boolean;
    reason: string;
    inputs: Record<string, unknown>;
    jobs: { id: string; name: string; needs: string[]; matrix: Record<string, unknown> | null; runsOn: unknown; environment: string | null }[];
  }[];
}

async function plan(repo: TempRepo, ...args: string[]): Promise<PlanJson> {
  const result = await runGantry(['plan', '-C', repo.dir, '--format', 'json', ...args]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as PlanJson;
}

const byFile = (p: PlanJson, file: string) => p.workflows.find((w) => w.file === file)!;

describe('gantry plan on the seed workflows', () => {
  let repo: TempRepo;
  before(async () => {
    repo = await createRepo({
      '.github/workflows/ci.yml': await seed('ci.yml'),
      '.github/workflows/deploy.yml': await seed('deploy.yml'),
      'backend/app.py': 'print(1)\n',
    });
    await repo.git('branch', 'develop');
    await repo.git('branch', 'feature/x');
  });
  after(() => repo.remove());

  for (const branch of ['main', 'develop']) {
    it(`a push to ${branch} triggers ci.yml: two backend legs, then docker-build, then security-scan`, async () => {
      const result = await plan(repo, '--ref', branch);
      assert.equal(result.event.ref, `refs/heads/${branch}`);
      const ci = byFile(result, '.github/workflows/ci.yml');
      assert.equal(ci.triggered, true);
      assert.equal(ci.name, 'Continuous Integration');
      assert.deepEqual(
        ci.jobs.map((j) => [j.id, j.name, j.matrix]),
        [
          ['backend-test', 'backend-test (3.10)', { 'python-version': '3.10' }],
          ['backend-test', 'backend-test (3.11)', { 'python-version': '3.11' }],
          ['frontend-test', 'frontend-test', null],
          ['llm-gateway-test', 'llm-gateway-test', null],
          ['docker-build', 'docker-build', null],
          ['security-scan', 'security-scan', null],
        ],
      );
      assert.deepEqual(ci.jobs[4]!.needs, ['backend-test', 'frontend-test', 'llm-gateway-test']);
      assert.deepEqual(ci.jobs[5]!.needs, ['docker-build']);
      assert.equal(ci.jobs[0]!.runsOn, 'ubuntu-latest');
      assert.equal(byFile(result, '.github/workflows/deploy.yml').triggered, false);
    });
  }

  it('a push to feature/x triggers nothing and says why', async () => {
    const result = await plan(repo, '--ref', 'feature/x');
    assert.deepEqual(
      result.workflows.map((w) => w.triggered),
      [false, false],
    );
    assert.match(byFile(result, '.github/workflows/ci.yml').reason, /'feature\/x' does not match branches \[main, develop\]/);
  });

  it('a completed "Continuous Integration" run on main triggers deploy.yml with its environments', async () => {
    const result = await plan(repo, '--event', 'workflow_run', '--triggering-workflow', 'Continuous Integration', '--ref', 'main');
    const deploy = byFile(result, '.github/workflows/deploy.yml');
    assert.equal(deploy.triggered, true);
    assert.deepEqual(
      deploy.jobs.map((j) => [j.id, j.environment, j.needs]),
      [
        ['deploy-staging', 'staging', []],
        ['e2e-tests', null, ['deploy-staging']],
        ['deploy-production', 'production', ['e2e-tests']],
      ],
    );
    assert.equal(byFile(result, '.github/workflows/ci.yml').triggered, false);
  });

  it('a completed run of another workflow, or on another branch, does not trigger deploy.yml', async () => {
    const other = await plan(repo, '--event', 'workflow_run', '--triggering-workflow', 'Nightly', '--ref', 'main');
    assert.equal(byFile(other, '.github/workflows/deploy.yml').triggered, false);
    const develop = await plan(repo, '--event', 'workflow_run', '--triggering-workflow', 'Continuous Integration', '--ref', 'develop');
    assert.equal(byFile(develop, '.github/workflows/deploy.yml').triggered, false);
  });

  it('a pull request into main triggers ci.yml; into develop it does not', async () => {
    const intoMain = await plan(repo, '--event', 'pull_request', '--base', 'main', '--head', 'feature/x');
    assert.equal(intoMain.event.ref, 'refs/pull/1/merge');
    assert.equal(byFile(intoMain, '.github/workflows/ci.yml').triggered, true);
    const intoDevelop = await plan(repo, '--event', 'pull_request', '--base', 'develop', '--head', 'feature/x');
    assert.equal(byFile(intoDevelop, '.github/workflows/ci.yml').triggered, false);
  });

  it('prints a readable tree, Mermaid and dot', async () => {
    const text = await runGantry(['plan', '-C', repo.dir, '--ref', 'main']);
    assert.match(text.stdout, /● Continuous Integration \(\.github\/workflows\/ci\.yml\)/);
    assert.match(text.stdout, /├─ backend-test \(3\.10\) {2}runs-on: ubuntu-latest/);
    assert.match(text.stdout, /└─ security-scan {2}runs-on: ubuntu-latest {2}needs: docker-build/);
    assert.match(text.stdout, /○ Deploy .*\n {2}not triggered: the workflow listens to workflow_run, not push/);
    const mermaid = await runGantry(['plan', '-C', repo.dir, '--ref', 'main', '--format', 'mermaid']);
    assert.match(mermaid.stdout, /^graph LR/);
    assert.match(mermaid.stdout, /w0_docker_build --> w0_security_scan/);
    const dot = await runGantry(['plan', '-C', repo.dir, '--ref', 'main', '--format', 'dot']);
    assert.match(dot.stdout, /w0_backend_test -> w0_docker_build;/);
  });
});

describe('gantry plan with dispatch inputs, event files and broken workflows', () => {
  let repo: TempRepo;
  before(async () => {
    repo = await createRepo({
      '.github/workflows/release.yml': `name: Release
on:
  workflow_dispatch:
    inputs:
      level: { type: choice, options: [patch, minor], required: true }
      dry-run: { type: boolean, default: true }
jobs:
  build:
    runs-on: \${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest]
        node: [18, 20]
        exclude:
          - os: macos-latest
            node: 18
    steps: [{ run: echo }]
`,
      'events/push.json': JSON.stringify({ ref: 'refs/heads/main', after: '0'.repeat(40), commits: [] }),
      'events/bad.json': '{\n  "ref": "refs/heads/main",\n  oops\n}\n',
    });
  });
  after(() => repo.remove());

  it('types dispatch inputs and expands the matrix with exclude', async () => {
    const result = await plan(repo, '--event', 'workflow_dispatch', '--input', 'level=minor');
    const release = result.workflows[0]!;
    assert.equal(release.triggered, true, release.reason);
    assert.deepEqual(release.inputs, { level: 'minor', 'dry-run': true });
    assert.deepEqual(
      release.jobs.map((j) => [j.name, j.runsOn]),
      [
        ['build (ubuntu-latest, 18)', 'ubuntu-latest'],
        ['build (ubuntu-latest, 20)', 'ubuntu-latest'],
        ['build (macos-latest, 20)', 'macos-latest'],
      ],
    );
  });

  it('refuses a bad dispatch input and names it', async () => {
    const result = await runGantry(['plan', '-C', repo.dir, '--event', 'workflow_dispatch', '--input', 'level=major']);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /not triggered: .*'level'.*major/);
    assert.match(result.stdout, /release\.yml:3:3: error: .*level/);
  });

  it('reads an event payload from --eventpath, and names the line and column of bad JSON', async () => {
    const ok = await runGantry(['plan', '-C', repo.dir, '--eventpath', `${repo.dir}/events/push.json`]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /event: push refs\/heads\/main/);
    const bad = await runGantry(['plan', '-C', repo.dir, '--eventpath', `${repo.dir}/events/bad.json`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.json at line 3, column 3/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });

  it('exits 2 with the diagnostic when a workflow cannot be read', async () => {
    await repo.write('.github/workflows/broken.yml', 'on: push\njobs:\n  a:\n    runs-on: x\n    steps: 3\n');
    await repo.commit('broken');
    const result = await runGantry(['plan', '-C', repo.dir]);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /broken\.yml:5:\d+: error:/);
  });
});
