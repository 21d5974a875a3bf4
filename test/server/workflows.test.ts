// The server reads a commit's workflows straight from git's objects (webhooks, schedules, the
// workflow list); what it reads must be what a checkout of the same commit gives `gantry run`.
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadWorkflows, loadWorkflowsAt } from '../../src/server/workflows.ts';
import type { PlanInput } from '../../src/plan/planner.ts';
import { createRepo, type TempRepo } from '../support/git-repo.ts';

const build = (name: string) => `name: ${name}\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${name}"\n`;

/** What matters of a loaded workflow: its file, name, jobs' steps and every diagnostic. */
function summary(inputs: PlanInput[]) {
  return inputs.map((input) => ({
    file: input.file,
    name: input.workflow?.name,
    steps: input.workflow?.jobs.map((job) => job.steps.map((step) => ('run' in step ? step.run : undefined))),
    diagnostics: input.diagnostics?.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`),
  }));
}

describe('workflows read from git objects', () => {
  let repo: TempRepo;
  let first = '';
  let second = '';
  before(async () => {
    repo = await createRepo({
      '.github/workflows/ci.yml': build('CI'),
      // Multi-byte text: blob sizes are bytes, not characters.
      '.github/workflows/déploiement.yaml': build('Déploiement — ünïcödé ✓ 🚀'),
      '.github/workflows/broken.yml': 'on: push\njobs:\n  bad:\n    runs-on: [\n',
      '.github/workflows/notes.txt': 'not a workflow',
      '.github/workflows/nested/inner.yml': build('Nested'),
      'README.md': 'readme',
    });
    await symlink('ci.yml', path.join(repo.dir, '.github/workflows/linked.yml'));
    first = await repo.commit('workflows');
    await repo.git('rm', '-q', '-r', '.github');
    second = await repo.commit('no workflows');
    await repo.git('checkout', '-q', first);
  });
  after(() => repo.remove());

  it('gives what a checkout of the commit gives, but for links', async () => {
    const fromGit = summary(await loadWorkflowsAt(repo.dir, first));
    const fromCheckout = summary(await loadWorkflows(repo.dir)).filter((input) => !input.file.endsWith('linked.yml'));
    assert.deepEqual(fromGit, fromCheckout);
    assert.deepEqual(
      fromGit.map((input) => input.file),
      ['broken.yml', 'ci.yml', 'déploiement.yaml'].map((file) => path.join('.github', 'workflows', file)),
    );
    assert.equal(fromGit[2]!.name, 'Déploiement — ünïcödé ✓ 🚀');
    assert.ok(fromGit[0]!.diagnostics!.length > 0, 'the broken file reports its error');
    assert.match(fromGit[0]!.diagnostics![0]!, /^\.github\/workflows\/broken\.yml:\d+:\d+ /);
  });

  it('reads the commit asked for, not the checked-out one', async () => {
    assert.deepEqual(await loadWorkflowsAt(repo.dir, second), []);
    assert.equal((await loadWorkflowsAt(repo.dir, 'main')).length, 0);
    assert.equal((await loadWorkflowsAt(repo.dir, `${first}`, 'ci.yml')).length, 1);
  });

  it('names an unknown commit in its error', async () => {
    await assert.rejects(loadWorkflowsAt(repo.dir, 'no-such-branch'), /no-such-branch/);
  });
});
