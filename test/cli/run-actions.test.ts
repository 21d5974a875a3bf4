import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TempRepo } from '../support/git-repo.ts';
import { dedent, gantryRun, jobOf, stepOf, workflowRepo, type RunOutcome } from '../support/run.ts';

const composite = dedent(`
  name: Greet
  inputs:
    who:
      required: true
    greeting:
      default: Hello
    sha:
      default: \${{ github.sha }}
  outputs:
    message:
      value: \${{ steps.say.outputs.message }}
  runs:
    using: composite
    steps:
      - id: say
        shell: bash
        run: |
          echo "message=\${{ inputs.greeting }}, \${{ inputs.who }}" >> "$GITHUB_OUTPUT"
          echo "action path $GITHUB_ACTION_PATH"
          echo "sha default \${{ inputs.sha }}"
      - shell: bash
        run: echo "COMPOSITE_SET=yes" >> "$GITHUB_ENV"
      - uses: ./actions/inner
        with:
          value: nested
      - shell: bash
        if: failure()
        run: echo "composite failure branch"
`);

const inner = dedent(`
  name: Inner
  inputs:
    value: {}
  runs:
    using: composite
    steps:
      - shell: sh
        run: echo "inner got \${{ inputs.value }}"
`);

const failing = dedent(`
  name: Failing
  runs:
    using: composite
    steps:
      - shell: bash
        run: exit 4
      - shell: bash
        run: echo "never"
      - shell: bash
        if: failure()
        run: echo "cleanup inside the action"
`);

const nodeAction = dedent(`
  name: Node action
  inputs:
    Who Am I:
      default: nobody
  runs:
    using: node20
    main: main.mjs
    post: post.mjs
`);

const nodeMain = dedent(`
  import { appendFileSync } from 'node:fs';
  console.log('main sees ' + process.env['INPUT_WHO_AM_I']);
  appendFileSync(process.env.GITHUB_STATE, 'started=at-main\\n');
  appendFileSync(process.env.GITHUB_OUTPUT, 'result=from-node\\n');
`);

const nodePost = dedent(`
  console.log('post sees state ' + process.env.STATE_started);
`);

describe('gantry run with actions', () => {
  let repo: TempRepo;
  let run: RunOutcome;
  before(async () => {
    repo = await workflowRepo(
      {
        'ci.yml': `
          on: push
          jobs:
            build:
              runs-on: ubuntu-latest
              outputs:
                message: \${{ steps.greet.outputs.message }}
              steps:
                - uses: actions/checkout@v4
                - id: greet
                  uses: ./actions/greet
                  with:
                    who: Gantry
                - run: echo "after composite COMPOSITE_SET=$COMPOSITE_SET message=\${{ steps.greet.outputs.message }}"
                - id: node
                  uses: ./actions/node
                  with:
                    Who Am I: tester
                - run: echo "node output \${{ steps.node.outputs.result }}"
            broken:
              runs-on: ubuntu-latest
              steps:
                - uses: ./actions/failing
                - run: echo "should be skipped"
                - if: always()
                  uses: ./actions/missing
                - if: always()
                  uses: someone/remote-action@v1
        `,
      },
      {
        'actions/greet/action.yml': composite,
        'actions/inner/action.yaml': inner,
        'actions/failing/action.yml': failing,
        'actions/node/action.yml': nodeAction,
        'actions/node/main.mjs': nodeMain,
        'actions/node/post.mjs': nodePost,
      },
    );
    run = await gantryRun(repo);
  });
  after(() => repo.remove());

  it('runs composite actions with inputs, defaults, outputs, GITHUB_ENV and nested composites', () => {
    const build = jobOf(run.report!, 'build');
    assert.equal(build.conclusion, 'success', run.stdout);
    assert.equal(stepOf(build, 'greet').outputs.message, 'Hello, Gantry');
    assert.equal(build.outputs.message, 'Hello, Gantry');
    assert.match(run.stdout, /after composite COMPOSITE_SET=yes message=Hello, Gantry/);
    assert.match(run.stdout, /inner got nested/);
    assert.match(run.stdout, /action path \/.*\/actions\/greet/);
    const sha = run.stdout.match(/sha default ([0-9a-f]{40})/);
    assert.ok(sha, 'the ${{ github.sha }} default was evaluated');
    assert.doesNotMatch(run.stdout, /composite failure branch/);
  });

  it('runs JavaScript actions with INPUT_ variables, outputs, and their post step at the end with the saved state', () => {
    const build = jobOf(run.report!, 'build');
    assert.match(run.stdout, /main sees tester/);
    assert.match(run.stdout, /node output from-node/);
    const post = build.steps[build.steps.length - 1]!;
    assert.match(post.name, /^Post /);
    assert.equal(post.conclusion, 'success');
    assert.match(run.stdout, /post sees state at-main/);
    const postLine = run.stdout.indexOf('post sees state');
    assert.ok(postLine > run.stdout.indexOf('node output from-node'), 'post runs after the job steps');
  });

  it('fails a composite action when one of its steps fails, running its failure() steps', () => {
    const broken = jobOf(run.report!, 'broken');
    assert.equal(broken.conclusion, 'failure');
    assert.deepEqual(
      broken.steps.map((s) => s.conclusion),
      ['failure', 'skipped', 'failure', 'failure'],
    );
    assert.match(run.stdout, /cleanup inside the action/);
    assert.doesNotMatch(run.stdout, /never/);
  });

  it('says in one line why an action cannot be found or fetched', () => {
    assert.match(run.stdout, /Error: \.\/actions\/missing: no folder actions\/missing in the workspace/);
    assert.match(run.stdout, /Error: .*someone\/remote-action@v1/);
    assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /);
  });
});

describe('--no-builtin', () => {
  it('turns a built-in action off, and refuses names that are not built in', async () => {
    const repo = await workflowRepo({
      'ci.yml': `
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
      `,
    });
    try {
      const off = await gantryRun(repo, ['--no-builtin', 'actions/checkout']);
      assert.equal(off.code, 1);
      assert.match(off.stdout, /cannot fetch "actions\/checkout@v4" from https:\/\/github\.com: working offline/);
      const on = await gantryRun(repo);
      assert.equal(on.code, 0, on.stdout);
      const unknown = await gantryRun(repo, ['--no-builtin', 'actions/not-built-in']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /--no-builtin actions\/not-built-in: not a built-in action \(built in: actions\/checkout, actions\/setup-python, actions\/setup-node, actions\/cache, /);
    } finally {
      await repo.remove();
    }
  });
});
