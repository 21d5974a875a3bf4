// The built-in actions/checkout, through `gantry run` on a real repository with
// three commits, a tag, a second branch and a local submodule.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { createRepo, type TempRepo } from '../support/git-repo.ts';
import { dedent, gantryRun, jobOf, stepOf, type RunOutcome } from '../support/run.ts';

const facts = dedent(`
  - id: facts
    shell: bash
    run: |
      {
        echo "branch=$(git rev-parse --abbrev-ref HEAD)"
        echo "head=$(git rev-parse HEAD)"
        echo "shallow=$(git rev-parse --is-shallow-repository)"
        echo "count=$(git rev-list --count HEAD)"
        echo "tags=$(git tag | tr '\\n' ' ')"
        echo "untracked=$(test -e untracked.txt && echo yes || echo no)"
        echo "lib=$(test -e vendor/lib/lib.txt && echo yes || echo no)"
      } >> "$GITHUB_OUTPUT"
`);

function job(steps: string, factsIn = '.'): string {
  const factsStep = facts.replace('shell: bash', `shell: bash\n  working-directory: ${factsIn}`);
  return `    runs-on: ubuntu-latest\n    steps:\n${(steps + '\n' + factsStep)
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n')}\n`;
}

const workflow = [
  'on: push',
  'jobs:',
  '  default:',
  job('- run: touch untracked.txt\n- id: co\n  uses: actions/checkout@v4'),
  '  full:',
  job('- uses: actions/checkout@v4\n  with:\n    fetch-depth: 0'),
  '  depth2:',
  job('- uses: actions/checkout@v4\n  with:\n    fetch-depth: 2'),
  '  tag:',
  job('- id: co\n  uses: actions/checkout@v4\n  with:\n    ref: v1'),
  '  branch:',
  job('- uses: actions/checkout@v4\n  with:\n    ref: other'),
  '  sub:',
  job('- uses: actions/checkout@v4\n  with:\n    path: second\n    submodules: true', 'second'),
  '  nosub:',
  job('- uses: actions/checkout@v4\n  with:\n    path: second', 'second'),
  '  badref:',
  job('- uses: actions/checkout@v4\n  with:\n    ref: no-such-ref'),
  '  outside:',
  job('- uses: actions/checkout@v4\n  with:\n    path: ../elsewhere'),
  '  foreign:',
  job('- uses: actions/checkout@v4\n  with:\n    repository: someone/else'),
  '  described:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - id: workspace',
  '        run: echo "version=$(git describe 2>&1)" >> "$GITHUB_OUTPUT"',
  '      - uses: actions/checkout@v4',
  '        with:',
  '          fetch-depth: 0',
  '      - id: checkout',
  '        run: echo "version=$(git describe 2>&1)" >> "$GITHUB_OUTPUT"',
].join('\n');

describe('actions/checkout (built in)', () => {
  let repo: TempRepo;
  let library: TempRepo;
  let first: string;
  let last: string;
  let run: RunOutcome;

  before(async () => {
    library = await createRepo({ 'lib.txt': 'library\n' });
    repo = await createRepo({ 'one.txt': '1\n' });
    first = (await repo.git('rev-parse', 'HEAD')).trim();
    await repo.git('tag', 'v1');
    await repo.git('tag', '--annotate', 'v2', '--message', 'release two');
    await repo.git('branch', 'other');
    await repo.git('-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', library.dir, 'vendor/lib');
    await repo.commit('add the submodule');
    await repo.write('.github/workflows/checkout.yml', workflow);
    await repo.git('add', '-A');
    last = await repo.commit('workflow');
    run = await gantryRun(repo);
  });
  after(async () => {
    await repo?.remove();
    await library?.remove();
  });

  const outputs = (id: string) => stepOf(jobOf(run.report!, id), 'facts').outputs;
  const conclusion = (id: string) => jobOf(run.report!, id).conclusion;

  it('checks out the branch at the event commit, one commit deep, after removing untracked files', () => {
    assert.equal(conclusion('default'), 'success', run.stdout);
    assert.deepEqual(outputs('default'), { branch: 'main', head: last, shallow: 'true', count: '1', tags: '', untracked: 'no', lib: 'no' });
    assert.deepEqual(stepOf(jobOf(run.report!, 'default'), 'co').outputs, { ref: 'refs/heads/main', commit: last });
  });

  it('keeps all history and tags with fetch-depth 0, and two commits with fetch-depth 2', () => {
    assert.deepEqual(outputs('full'), { branch: 'main', head: last, shallow: 'false', count: '3', tags: 'v1 v2 ', untracked: 'no', lib: 'no' });
    assert.equal(outputs('depth2').shallow, 'true');
    assert.equal(outputs('depth2').count, '2');
  });

  it('checks out a tag detached and a branch by name', () => {
    assert.equal(outputs('tag').head, first);
    assert.equal(outputs('tag').branch, 'HEAD');
    assert.equal(stepOf(jobOf(run.report!, 'tag'), 'co').outputs.ref, 'refs/tags/v1');
    assert.equal(outputs('branch').head, first);
    assert.equal(outputs('branch').branch, 'other');
  });

  it('checks out into path, with the submodule from the local repository only when asked', () => {
    assert.equal(conclusion('sub'), 'success', run.stdout);
    assert.equal(outputs('sub').head, last);
    assert.match(run.stdout, /submodule vendor\/lib at [0-9a-f]{12}/);
    assert.equal(outputs('sub').lib, 'yes');
    assert.equal(conclusion('nosub'), 'success');
    assert.equal(outputs('nosub').lib, 'no');
  });

  it('lets git describe find an annotated tag, in the job\'s own copy of the repository and after a full checkout', () => {
    const described = jobOf(run.report!, 'described');
    for (const step of ['workspace', 'checkout']) {
      const version = stepOf(described, step).outputs.version ?? '';
      assert.match(version, /^v2-2-g[0-9a-f]{7,}$/, `${step}: ${version}`);
      assert.ok(last.startsWith(version.split('-g')[1]!), `${step}: ${version} names ${last}`);
    }
  });

  it('fails clearly for an unknown ref, a path outside the workspace and another repository', () => {
    assert.equal(conclusion('badref'), 'failure');
    assert.match(run.stdout, /ref 'no-such-ref' is neither a branch, a tag nor a commit of the local repository/);
    assert.equal(conclusion('outside'), 'failure');
    assert.match(run.stdout, /repository path '\.\.\/elsewhere' is not under/);
    assert.equal(conclusion('foreign'), 'failure');
    assert.match(run.stdout, /checks out the event's repository .* only; 'someone\/else' is not available here/);
  });
});

describe('a shallow clone as the local repository', () => {
  let source: TempRepo;
  let shallow: string;
  let run: RunOutcome;

  before(async () => {
    source = await createRepo({ 'one.txt': '1\n' });
    await source.commit('second');
    await source.write(
      '.github/workflows/shallow.yml',
      dedent(`
        on: push
        jobs:
          shallow:
            runs-on: ubuntu-latest
            steps:
              - id: workspace
                run: echo "count=$(git rev-list --count HEAD 2>&1)" >> "$GITHUB_OUTPUT"
              - uses: actions/checkout@v4
                with:
                  fetch-depth: 0
              - id: full
                run: echo "count=$(git rev-list --count HEAD 2>&1)" >> "$GITHUB_OUTPUT"
      `),
    );
    await source.commit('workflow');
    shallow = `${source.dir}-shallow`;
    await source.git('clone', '--quiet', '--depth', '1', `file://${source.dir}`, shallow);
    run = await gantryRun(shallow);
  });
  after(async () => {
    await source?.remove();
    if (shallow) await rm(shallow, { recursive: true, force: true });
  });

  it("keeps the clone's depth in the job's copy and after a full checkout, so git reads history without looking for missing parents", () => {
    const job = jobOf(run.report!, 'shallow');
    assert.equal(job.conclusion, 'success', run.stdout);
    assert.equal(stepOf(job, 'workspace').outputs.count, '1');
    assert.equal(stepOf(job, 'full').outputs.count, '1');
  });
});
