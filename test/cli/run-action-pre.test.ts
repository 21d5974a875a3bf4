// `pre:` of JavaScript actions: run before the job's first step, under `pre-if`,
// with the step's inputs, their saved state reaching main and post; never for
// local `./` actions, as on GitHub.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runGantry } from '../support/cli.ts';
import type { TempRepo } from '../support/git-repo.ts';
import { gantryRun, jobOf, workflowRepo, type RunOutcome } from '../support/run.ts';

const script = (phase: string) => `
const fs = require('node:fs');
const input = process.env.INPUT_WHO;
const saved = process.env.STATE_from_pre ?? '-';
console.log('${phase}: who=' + input + ' pre-state=' + saved + ' first-step-ran=' + fs.existsSync('first-step.txt'));
if ('${phase}' === 'pre') fs.appendFileSync(process.env.GITHUB_STATE, 'from_pre=pre-saved\\n');
`;

async function jsAction(folder: string, preIf?: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const runs = ['runs:', '  using: node20', '  pre: pre.js', ...(preIf ? [`  pre-if: ${preIf}`] : []), '  main: main.js', '  post: post.js'];
  await writeFile(path.join(folder, 'action.yml'), ['name: phases', 'inputs:', '  who: { default: nobody }', ...runs, ''].join('\n'));
  for (const phase of ['pre', 'main', 'post']) await writeFile(path.join(folder, `${phase}.js`), script(phase));
}

describe('pre: of JavaScript actions', () => {
  let cache: string;
  let repo: TempRepo;
  let run: RunOutcome;

  before(async () => {
    cache = await mkdtemp(path.join(tmpdir(), 'gantry-pre-'));
    const env = { XDG_CACHE_HOME: cache };
    await jsAction(path.join(cache, 'phases'));
    await jsAction(path.join(cache, 'never'), "env.NEVER == 'yes'");
    for (const [name, from] of [['acme/phases@v1', 'phases'], ['acme/never@v1', 'never']] as const) {
      const added = await runGantry(['actions', 'add', name, '--from', path.join(cache, from)], { env });
      assert.equal(added.code, 0, added.stderr);
    }
    repo = await workflowRepo(
      {
        'ci.yml': `
          on: push
          jobs:
            a:
              runs-on: ubuntu-latest
              steps:
                - run: touch first-step.txt
                - name: Phases
                  uses: acme/phases@v1
                  with:
                    who: \${{ github.event_name }}
                - uses: acme/never@v1
                - uses: ./local
        `,
      },
      { 'local/action.yml': 'name: local\nruns:\n  using: node20\n  pre: pre.js\n  main: main.js\n', 'local/pre.js': script('local-pre'), 'local/main.js': script('local-main') },
    );
    run = await gantryRun(repo, [], env);
  });
  after(async () => {
    await repo?.remove();
    await rm(cache, { recursive: true, force: true });
  });

  it('runs pre before the first step, with the inputs, and hands its state to main and post', () => {
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /pre: who=push pre-state=- first-step-ran=false/);
    assert.match(run.stdout, /main: who=push pre-state=pre-saved first-step-ran=true/);
    assert.match(run.stdout, /post: who=push pre-state=pre-saved first-step-ran=true/);
    const names = jobOf(run.report!, 'a').steps.map((step) => `${step.name}:${step.conclusion}`);
    assert.deepEqual(names.slice(0, 2), ['Pre Phases:success', 'Pre Run acme/never@v1:skipped']);
    assert.equal(names.at(-2), 'Post Run acme/never@v1:success');
    assert.equal(names.at(-1), 'Post Phases:success');
  });

  it('skips a pre whose pre-if is false, and never runs the pre of a local action', () => {
    assert.equal((run.stdout.match(/^.*pre: who=nobody.*$/gm) ?? []).length, 0);
    assert.doesNotMatch(run.stdout, /local-pre:/);
    assert.match(run.stdout, /local-main: who=undefined pre-state=- first-step-ran=true/);
  });
});
