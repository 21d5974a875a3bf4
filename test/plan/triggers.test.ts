import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RepoEvent, TriggerDecision } from '../../src/plan/types.ts';
import {
  decideTrigger,
  dueSchedules,
  nextScheduleTimes,
  resolveInputs,
  validateCron,
  validateTrigger,
} from '../../src/plan/triggers/index.ts';
import type { InputDefinition, Trigger, Workflow } from '../../src/workflow/types.ts';

function workflow(...triggers: Trigger[]): Workflow {
  return { file: '.github/workflows/ci.yml', name: 'CI', triggers, jobs: [] };
}

function event(name: string, fields: Partial<RepoEvent> = {}): RepoEvent {
  return { name, ref: '', sha: '0123456789abcdef0123456789abcdef01234567', payload: {}, ...fields };
}

const push = (ref: string, fields: Partial<RepoEvent> = {}): RepoEvent => event('push', { ref, ...fields });

function assertTriggered(decision: TriggerDecision, reason?: RegExp | string): void {
  assert.equal(decision.triggered, true, `expected a trigger, got: ${decision.reason}`);
  checkReason(decision, reason);
}

function assertSkipped(decision: TriggerDecision, reason?: RegExp | string): void {
  assert.equal(decision.triggered, false, `expected no trigger, got: ${decision.reason}`);
  checkReason(decision, reason);
}

function checkReason(decision: TriggerDecision, reason: RegExp | string | undefined): void {
  if (typeof reason === 'string') assert.equal(decision.reason, reason);
  else if (reason) assert.match(decision.reason, reason);
}

function inputsOf(decision: TriggerDecision): Record<string, string | number | boolean> {
  assert.equal(decision.triggered, true, decision.reason);
  return decision.triggered ? decision.inputs : {};
}

describe('events the workflow does not listen to', () => {
  it('names the events it does listen to', () => {
    const decision = decideTrigger(workflow({ event: 'push' }, { event: 'pull_request' }), event('workflow_run'));
    assertSkipped(decision, 'the workflow listens to push, pull_request, not workflow_run');
  });

  it('explains that a workflow_call-only workflow runs only when called', () => {
    assertSkipped(decideTrigger(workflow({ event: 'workflow_call' }), push('refs/heads/main')), /only when another workflow calls it/);
  });

  it('says so when the workflow has no triggers at all', () => {
    assertSkipped(decideTrigger(workflow(), push('refs/heads/main')), /no triggers/);
  });
});

describe('push: branches and tags', () => {
  it('runs for every branch and tag when no ref filter is defined', () => {
    const wf = workflow({ event: 'push' });
    assertTriggered(decideTrigger(wf, push('refs/heads/feature/x')));
    assertTriggered(decideTrigger(wf, push('refs/tags/v1.0.0')));
  });

  it('matches branches against the branch name', () => {
    const wf = workflow({ event: 'push', branches: ['main', 'develop'] });
    assertTriggered(decideTrigger(wf, push('refs/heads/main')), /branch 'main' matches 'main' in branches \[main, develop\]/);
    assertSkipped(
      decideTrigger(wf, push('refs/heads/feature/x')),
      "push to refs/heads/feature/x: branch 'feature/x' does not match branches [main, develop]",
    );
  });

  it('follows the docs example: main and releases/**', () => {
    const wf = workflow({ event: 'push', branches: ['main', 'releases/**'] });
    assertTriggered(decideTrigger(wf, push('refs/heads/releases/2024/q1')));
    assertSkipped(decideTrigger(wf, push('refs/heads/release')));
  });

  it('excludes with branches-ignore', () => {
    const wf = workflow({ event: 'push', branchesIgnore: ['mona/octocat', 'releases/**-alpha'] });
    assertSkipped(decideTrigger(wf, push('refs/heads/releases/beta/3-alpha')), /ignored by 'releases\/\*\*-alpha' in branches-ignore/);
    assertSkipped(decideTrigger(wf, push('refs/heads/mona/octocat')));
    assertTriggered(decideTrigger(wf, push('refs/heads/releases/10')));
  });

  it('re-includes a branch with a later positive pattern', () => {
    const wf = workflow({ event: 'push', branches: ['releases/**', '!releases/**-alpha', 'releases/keep-alpha'] });
    assertSkipped(decideTrigger(wf, push('refs/heads/releases/10-alpha')), /excluded by '!releases\/\*\*-alpha'/);
    assertTriggered(decideTrigger(wf, push('refs/heads/releases/keep-alpha')));
  });

  it('does not run for tag pushes when only branch filters are defined', () => {
    assertSkipped(decideTrigger(workflow({ event: 'push', branches: ['**'] }), push('refs/tags/v1')), /filters branches but not tags/);
    assertSkipped(decideTrigger(workflow({ event: 'push', branchesIgnore: ['wip/**'] }), push('refs/tags/v1')));
  });

  it('does not run for branch pushes when only tag filters are defined', () => {
    assertSkipped(decideTrigger(workflow({ event: 'push', tags: ['v*'] }), push('refs/heads/main')), /filters tags but not branches/);
    assertSkipped(decideTrigger(workflow({ event: 'push', tagsIgnore: ['nightly'] }), push('refs/heads/main')));
  });

  it('matches tags and tags-ignore against the tag name', () => {
    const semver = workflow({ event: 'push', tags: ['v[0-9]+.[0-9]+.[0-9]+'] });
    assertTriggered(decideTrigger(semver, push('refs/tags/v1.2.4')), /tag 'v1.2.4' matches/);
    assertSkipped(decideTrigger(semver, push('refs/tags/v1.2.5-1')), /tag 'v1.2.5-1' does not match tags/);
    const ignoring = workflow({ event: 'push', tagsIgnore: ['v1.*'] });
    assertSkipped(decideTrigger(ignoring, push('refs/tags/v1.2')));
    assertTriggered(decideTrigger(ignoring, push('refs/tags/v2.0')));
  });

  it('checks branches for branch pushes and tags for tag pushes when both are defined', () => {
    const wf = workflow({ event: 'push', branches: ['main'], tags: ['v2'] });
    assertTriggered(decideTrigger(wf, push('refs/heads/main')));
    assertSkipped(decideTrigger(wf, push('refs/heads/dev')));
    assertTriggered(decideTrigger(wf, push('refs/tags/v2')));
    assertSkipped(decideTrigger(wf, push('refs/tags/v1')));
  });

  it('applies branch filters to a branch deletion', () => {
    const wf = workflow({ event: 'push', branches: ['feature/**'] });
    assertTriggered(decideTrigger(wf, push('refs/heads/feature/x', { payload: { deleted: true } })));
    assertSkipped(decideTrigger(wf, push('refs/heads/main', { payload: { deleted: true } })));
  });
});

describe('push: paths', () => {
  it('runs when at least one changed file matches paths', () => {
    const wf = workflow({ event: 'push', paths: ['**.js'] });
    assertTriggered(
      decideTrigger(wf, push('refs/heads/main', { changedFiles: ['README.md', 'src/app.js'] })),
      /changed file 'src\/app.js' matches '\*\*.js' in paths/,
    );
    assertSkipped(
      decideTrigger(wf, push('refs/heads/main', { changedFiles: ['README.md', 'docs/a.md'] })),
      'push to refs/heads/main: none of the 2 changed files matches paths [**.js]',
    );
  });

  it('applies ! patterns in paths in order (docs: sub-project/** but not sub-project/docs/**)', () => {
    const wf = workflow({ event: 'push', paths: ['sub-project/**', '!sub-project/docs/**'] });
    assertSkipped(decideTrigger(wf, push('refs/heads/main', { changedFiles: ['sub-project/docs/readme.md'] })));
    assertTriggered(decideTrigger(wf, push('refs/heads/main', { changedFiles: ['sub-project/docs/readme.md', 'sub-project/app.js'] })));
  });

  it('runs with paths-ignore unless every changed file is ignored', () => {
    const wf = workflow({ event: 'push', pathsIgnore: ['docs/**'] });
    assertSkipped(
      decideTrigger(wf, push('refs/heads/main', { changedFiles: ['docs/a.md', 'docs/b.md'] })),
      /all 2 changed files match paths-ignore \[docs\/\*\*\]/,
    );
    assertTriggered(decideTrigger(wf, push('refs/heads/main', { changedFiles: ['docs/a.md', 'src/b.ts'] })), /'src\/b.ts' is not ignored/);
  });

  it('needs both branch and path filters to pass when both are defined', () => {
    const wf = workflow({ event: 'push', branches: ['releases/**'], paths: ['**.js'] });
    assertTriggered(decideTrigger(wf, push('refs/heads/releases/1', { changedFiles: ['app.js'] })));
    assertSkipped(decideTrigger(wf, push('refs/heads/releases/1', { changedFiles: ['app.ts'] })), /matches paths/);
    assertSkipped(decideTrigger(wf, push('refs/heads/main', { changedFiles: ['app.js'] })), /does not match branches/);
  });

  it('does not evaluate path filters for tag pushes', () => {
    const pathsOnly = workflow({ event: 'push', paths: ['src/**'] });
    assertTriggered(decideTrigger(pathsOnly, push('refs/tags/v1', { changedFiles: ['README.md'] })), /not evaluated for tag pushes/);
    const tagsAndPaths = workflow({ event: 'push', tags: ['v*'], paths: ['src/**'] });
    assertTriggered(decideTrigger(tagsAndPaths, push('refs/tags/v1', { changedFiles: ['README.md'] })));
  });

  it('passes path filters when the changed files are unknown', () => {
    const wf = workflow({ event: 'push', paths: ['src/**'] });
    assertTriggered(decideTrigger(wf, push('refs/heads/main')), /changed files are unknown/);
  });

  it('does not run when no files changed', () => {
    assertSkipped(decideTrigger(workflow({ event: 'push', paths: ['**'] }), push('refs/heads/main', { changedFiles: [] })), /no files changed/);
  });

  it('only looks at the first 300 changed files', () => {
    const unrelated = Array.from({ length: 300 }, (_, index) => `docs/page-${index}.md`);
    const wf = workflow({ event: 'push', paths: ['src/**'] });
    assertSkipped(decideTrigger(wf, push('refs/heads/main', { changedFiles: [...unrelated, 'src/app.ts'] })), /first 300 of 301/);
    assertTriggered(decideTrigger(wf, push('refs/heads/main', { changedFiles: [...unrelated.slice(1), 'src/app.ts'] })));
  });

  it('always runs when more than 1,000 commits were pushed', () => {
    const commits = Array.from({ length: 1001 }, (_, index) => ({ id: String(index) }));
    const wf = workflow({ event: 'push', paths: ['src/**'] });
    assertTriggered(decideTrigger(wf, push('refs/heads/main', { changedFiles: ['README.md'], payload: { commits } })), /more than 1000 commits/);
    assertSkipped(decideTrigger(wf, push('refs/heads/main', { changedFiles: ['README.md'], payload: { commits: commits.slice(1) } })));
  });

  it('does not run a path-filtered workflow for a branch deletion', () => {
    const wf = workflow({ event: 'push', paths: ['**'] });
    assertSkipped(decideTrigger(wf, push('refs/heads/feature/x', { payload: { deleted: true } })), /deleting a branch changes no files/);
  });
});

describe('invalid filters', () => {
  it('refuses branches together with branches-ignore', () => {
    const trigger: Trigger = { event: 'push', branches: ['main'], branchesIgnore: ['dev'] };
    assertSkipped(decideTrigger(workflow(trigger), push('refs/heads/main')), /uses both branches and branches-ignore/);
    const problems = validateTrigger(trigger);
    assert.deepEqual(
      problems.map((problem) => [problem.severity, problem.rule]),
      [['error', 'trigger-filters']],
    );
  });

  it('refuses tags with tags-ignore and paths with paths-ignore', () => {
    const problems = validateTrigger({ event: 'push', tags: ['v*'], tagsIgnore: ['x'], paths: ['a'], pathsIgnore: ['b'] });
    assert.deepEqual(
      problems.map((problem) => problem.message.match(/both (\S+) and ([\w-]+)/)?.slice(1)),
      [
        ['tags', 'tags-ignore'],
        ['paths', 'paths-ignore'],
      ],
    );
  });

  it('refuses invalid patterns and says which key holds them', () => {
    const trigger: Trigger = { event: 'pull_request', paths: ['src/**', '[abc'] };
    const problems = validateTrigger(trigger);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.rule, 'filter-pattern');
    assert.match(problems[0]?.message ?? '', /on\.pull_request\.paths: invalid filter pattern '\[abc'/);
    assertSkipped(decideTrigger(workflow(trigger), event('pull_request', { action: 'opened', changedFiles: ['src/a'] })), /invalid/);
  });

  it('finds nothing wrong with a valid trigger', () => {
    assert.deepEqual(validateTrigger({ event: 'push', branches: ['main', '!main-old'], paths: ['src/**'] }), []);
  });
});

describe('pull_request and pull_request_target', () => {
  const pr = (name: string, action: string | undefined, fields: Partial<RepoEvent> = {}): RepoEvent =>
    event(name, { action, ref: 'refs/pull/7/merge', baseRef: 'main', headRef: 'feature/x', ...fields });

  for (const name of ['pull_request', 'pull_request_target']) {
    it(`${name}: runs by default for opened, synchronize and reopened only`, () => {
      const wf = workflow({ event: name });
      for (const action of ['opened', 'synchronize', 'reopened']) assertTriggered(decideTrigger(wf, pr(name, action)));
      assertSkipped(
        decideTrigger(wf, pr(name, 'closed')),
        `${name} closed targeting 'main': activity type 'closed' is not in types [opened, synchronize, reopened] (the default for ${name})`,
      );
      assertSkipped(decideTrigger(wf, pr(name, 'labeled')));
    });

    it(`${name}: honours explicit types`, () => {
      const wf = workflow({ event: name, types: ['closed', 'labeled'] });
      assertTriggered(decideTrigger(wf, pr(name, 'closed')));
      assertSkipped(decideTrigger(wf, pr(name, 'opened')), /'opened' is not in types \[closed, labeled\]$/);
    });

    it(`${name}: filters on the base branch, not the head branch`, () => {
      const wf = workflow({ event: name, types: ['opened'], branches: ['releases/**'] });
      assertTriggered(decideTrigger(wf, pr(name, 'opened', { baseRef: 'releases/1.0', headRef: 'main' })), /base branch 'releases\/1.0'/);
      assertSkipped(
        decideTrigger(wf, pr(name, 'opened', { baseRef: 'main', headRef: 'releases/1.0' })),
        /base branch 'main' does not match branches \[releases\/\*\*\]/,
      );
    });
  }

  it('reads the base branch from the payload when baseRef is absent', () => {
    const wf = workflow({ event: 'pull_request', branches: ['main'] });
    const fromPayload = event('pull_request', { action: 'opened', payload: { pull_request: { base: { ref: 'main' } } } });
    assertTriggered(decideTrigger(wf, fromPayload));
    assertSkipped(decideTrigger(wf, event('pull_request', { action: 'opened' })), /base branch is unknown/);
  });

  it('excludes base branches with branches-ignore', () => {
    const wf = workflow({ event: 'pull_request', branchesIgnore: ['mona/octocat'] });
    assertSkipped(decideTrigger(wf, pr('pull_request', 'opened', { baseRef: 'mona/octocat' })));
    assertTriggered(decideTrigger(wf, pr('pull_request', 'opened')));
  });

  it("filters paths on the pull request's changed files, together with branches", () => {
    const wf = workflow({ event: 'pull_request', types: ['opened'], branches: ['releases/**'], paths: ['**.js'] });
    assertTriggered(decideTrigger(wf, pr('pull_request', 'opened', { baseRef: 'releases/2', changedFiles: ['lib/x.js'] })));
    assertSkipped(decideTrigger(wf, pr('pull_request', 'opened', { baseRef: 'releases/2', changedFiles: ['lib/x.ts'] })));
    assertSkipped(decideTrigger(wf, pr('pull_request', 'opened', { baseRef: 'main', changedFiles: ['lib/x.js'] })));
  });

  it('reads the activity type from the payload and refuses an event without one', () => {
    const wf = workflow({ event: 'pull_request' });
    assertTriggered(decideTrigger(wf, event('pull_request', { payload: { action: 'reopened' } })));
    assertSkipped(decideTrigger(wf, event('pull_request')), /no activity type/);
  });
});

describe('workflow_run', () => {
  const run = (action: string, name: string, headBranch = 'main'): RepoEvent =>
    event('workflow_run', { action, payload: { action, workflow_run: { name, head_branch: headBranch } } });

  it('runs for a listed workflow and activity type', () => {
    const wf = workflow({ event: 'workflow_run', workflows: ['Run Tests'], types: ['completed'] });
    assertTriggered(decideTrigger(wf, run('completed', 'Run Tests')), /workflow 'Run Tests' matches 'Run Tests' in workflows/);
    assertSkipped(decideTrigger(wf, run('requested', 'Run Tests')), /'requested' is not in types \[completed\]/);
    assertSkipped(decideTrigger(wf, run('completed', 'Lint')), "workflow_run completed of 'Lint': workflow 'Lint' does not match workflows [Run Tests]");
  });

  it('needs only one of several workflows', () => {
    const wf = workflow({ event: 'workflow_run', workflows: ['Staging', 'Lab'], types: ['completed'] });
    assertTriggered(decideTrigger(wf, run('completed', 'Lab')));
    assertTriggered(decideTrigger(wf, run('completed', 'Staging')));
  });

  it('runs for every activity type when types is absent', () => {
    const wf = workflow({ event: 'workflow_run', workflows: ['Build'] });
    for (const action of ['requested', 'in_progress', 'completed']) assertTriggered(decideTrigger(wf, run(action, 'Build')));
  });

  it("filters branches on the triggering run's head branch", () => {
    const wf = workflow({ event: 'workflow_run', workflows: ['Build'], types: ['requested'], branches: ['releases/**', '!releases/**-alpha'] });
    assertTriggered(decideTrigger(wf, run('requested', 'Build', 'releases/10')));
    assertTriggered(decideTrigger(wf, run('requested', 'Build', 'releases/beta/mona')));
    assertSkipped(decideTrigger(wf, run('requested', 'Build', 'releases/10-alpha')), /head branch 'releases\/10-alpha' is excluded/);
    assertSkipped(decideTrigger(wf, run('requested', 'Build', 'releases/beta/3-alpha')));
    assertSkipped(decideTrigger(wf, run('requested', 'Build', 'main')));
  });

  it("excludes the triggering run's branch with branches-ignore", () => {
    const wf = workflow({ event: 'workflow_run', workflows: ['Build'], types: ['requested'], branchesIgnore: ['canary'] });
    assertSkipped(decideTrigger(wf, run('requested', 'Build', 'canary')), /ignored by 'canary'/);
    assertTriggered(decideTrigger(wf, run('requested', 'Build', 'main')));
  });

  it('treats workflow names as filter patterns', () => {
    const wf = workflow({ event: 'workflow_run', workflows: ['Build *', 'C\\+\\+'] });
    assertTriggered(decideTrigger(wf, run('completed', 'Build linux')));
    assertTriggered(decideTrigger(wf, run('completed', 'C++')));
    assertSkipped(decideTrigger(wf, run('completed', 'Deploy')));
    const unescaped = validateTrigger({ event: 'workflow_run', workflows: ['C++'] });
    assert.equal(unescaped[0]?.rule, 'filter-pattern');
  });

  it('requires workflows', () => {
    const problems = validateTrigger({ event: 'workflow_run', types: ['completed'] });
    assert.equal(problems[0]?.rule, 'workflow-run');
    assertSkipped(decideTrigger(workflow({ event: 'workflow_run' }), run('completed', 'Build')), /needs `workflows`/);
  });

  it('refuses an event without the triggering workflow name', () => {
    const wf = workflow({ event: 'workflow_run', workflows: ['Build'] });
    assertSkipped(decideTrigger(wf, event('workflow_run', { action: 'completed' })), /does not name the triggering workflow/);
  });
});

describe('workflow_dispatch inputs', () => {
  // The inputs of the docs' workflow_dispatch example.
  const docsInputs: InputDefinition[] = [
    { name: 'logLevel', type: 'choice', required: true, default: 'warning', options: ['info', 'warning', 'debug'] },
    { name: 'tags', type: 'boolean', required: false },
    { name: 'environment', type: 'environment', required: true },
  ];

  it('types every value', () => {
    assert.deepEqual(resolveInputs(docsInputs, { logLevel: 'debug', tags: 'true', environment: 'staging' }), {
      inputs: { logLevel: 'debug', tags: true, environment: 'staging' },
    });
    assert.deepEqual(resolveInputs(docsInputs, { logLevel: 'info', tags: 'false', environment: 'prod' }), {
      inputs: { logLevel: 'info', tags: false, environment: 'prod' },
    });
  });

  it('applies defaults and leaves out optional inputs without one', () => {
    assert.deepEqual(resolveInputs(docsInputs, { environment: 'staging' }), { inputs: { logLevel: 'warning', environment: 'staging' } });
  });

  it('reports a missing required input by name', () => {
    assert.deepEqual(resolveInputs(docsInputs, { logLevel: 'info' }), { errors: ["input 'environment' is required but was not provided"] });
    assert.deepEqual(resolveInputs(docsInputs, { environment: '' }), { errors: ["input 'environment' is required but was not provided"] });
  });

  it('reports an unknown input by name', () => {
    assert.deepEqual(resolveInputs(docsInputs, { environment: 'x', colour: 'red' }), {
      errors: ["unexpected input 'colour': the workflow defines logLevel, tags, environment"],
    });
    assert.deepEqual(resolveInputs([], { colour: 'red' }), { errors: ["unexpected input 'colour': the workflow defines no inputs"] });
  });

  it('accepts only true or false for a boolean', () => {
    assert.deepEqual(resolveInputs(docsInputs, { environment: 'x', tags: 'yes' }), { errors: ["input 'tags' must be true or false, got 'yes'"] });
  });

  it('accepts only an option for a choice', () => {
    assert.deepEqual(resolveInputs(docsInputs, { environment: 'x', logLevel: 'trace' }), {
      errors: ["input 'logLevel' must be one of info, warning, debug, got 'trace'"],
    });
  });

  it('parses numbers and rejects anything else', () => {
    const count: InputDefinition[] = [{ name: 'count', type: 'number', required: false }];
    assert.deepEqual(resolveInputs(count, { count: '42' }), { inputs: { count: 42 } });
    assert.deepEqual(resolveInputs(count, { count: '-3.5' }), { inputs: { count: -3.5 } });
    assert.deepEqual(resolveInputs(count, { count: '1e3' }), { inputs: { count: 1000 } });
    for (const bad of ['ten', '', '0x10', 'Infinity', '1,5']) {
      assert.deepEqual(resolveInputs(count, { count: bad }), { errors: [`input 'count' must be a number, got '${bad}'`] }, bad);
    }
  });

  it('keeps strings as given', () => {
    const name: InputDefinition[] = [{ name: 'name', type: 'string', required: false, default: 'mona' }];
    assert.deepEqual(resolveInputs(name, { name: ' 42 ' }), { inputs: { name: ' 42 ' } });
    assert.deepEqual(resolveInputs(name, {}), { inputs: { name: 'mona' } });
  });

  it('types defaults written as YAML scalars', () => {
    const definitions: InputDefinition[] = [
      { name: 'dry', type: 'boolean', required: false, default: true },
      { name: 'retries', type: 'number', required: false, default: '5' },
    ];
    assert.deepEqual(resolveInputs(definitions, {}), { inputs: { dry: true, retries: 5 } });
  });

  it('reports every error at once', () => {
    const result = resolveInputs(docsInputs, { logLevel: 'loud', tags: '1', extra: 'x' });
    assert.ok('errors' in result);
    assert.equal(result.errors.length, 4);
    for (const name of ['extra', 'logLevel', 'tags', 'environment']) assert.ok(result.errors.some((error) => error.includes(`'${name}'`)), name);
  });

  it('uses the documented zero values for workflow_call inputs without defaults', () => {
    const definitions: InputDefinition[] = [
      { name: 'flag', type: 'boolean', required: false },
      { name: 'count', type: 'number', required: false },
      { name: 'label', type: 'string', required: false },
    ];
    assert.deepEqual(resolveInputs(definitions, {}, 'workflow_call'), { inputs: { flag: false, count: 0, label: '' } });
    assert.deepEqual(resolveInputs(definitions, {}, 'workflow_dispatch'), { inputs: {} });
  });

  it('carries the typed inputs on the decision', () => {
    const wf = workflow({ event: 'workflow_dispatch', inputs: docsInputs });
    const decision = decideTrigger(wf, event('workflow_dispatch', { ref: 'refs/heads/main', inputs: { environment: 'staging', tags: 'true' } }));
    assert.deepEqual(inputsOf(decision), { logLevel: 'warning', tags: true, environment: 'staging' });
    assert.match(decision.reason, /^workflow_dispatch on refs\/heads\/main with inputs /);
  });

  it('does not trigger when the inputs are invalid', () => {
    const wf = workflow({ event: 'workflow_dispatch', inputs: docsInputs });
    assertSkipped(decideTrigger(wf, event('workflow_dispatch', { inputs: {} })), /input 'environment' is required/);
  });

  it('triggers a workflow_dispatch without inputs', () => {
    assert.deepEqual(inputsOf(decideTrigger(workflow({ event: 'workflow_dispatch' }), event('workflow_dispatch'))), {});
  });

  it('flags broken input definitions', () => {
    const problems = validateTrigger({
      event: 'workflow_dispatch',
      inputs: [
        { name: 'level', type: 'choice', required: false },
        { name: 'mode', type: 'choice', required: false, options: ['a', 'b'], default: 'c' },
        { name: 'dry', type: 'boolean', required: false, default: 'maybe' },
      ],
    });
    assert.deepEqual(
      problems.map((problem) => problem.message),
      [
        "choice input 'level' has no options",
        "the default of input 'mode' must be one of a, b, got 'c'",
        "the default of input 'dry' must be true or false, got 'maybe'",
      ],
    );
  });
});

describe('workflow_call', () => {
  it('triggers only when called, with typed inputs', () => {
    const wf = workflow({ event: 'workflow_call', inputs: [{ name: 'username', type: 'string', required: false, default: 'john-doe' }] });
    assert.deepEqual(inputsOf(decideTrigger(wf, event('workflow_call'))), { username: 'john-doe' });
    assertSkipped(decideTrigger(wf, event('workflow_call', { inputs: { nope: 'x' } })), /unexpected input 'nope'/);
  });
});

describe('schedule', () => {
  const scheduled = workflow({ event: 'schedule', schedules: [{ cron: '30 5 * * 1,3' }, { cron: '30 5 * * 2,4' }] });

  it('triggers when one of its schedules fired', () => {
    assertTriggered(decideTrigger(scheduled, event('schedule', { schedule: '30 5 * * 2,4' })), "schedule '30 5 * * 2,4' (UTC) fired");
    assertTriggered(decideTrigger(scheduled, event('schedule', { schedule: ' 30  5 * * 1,3 ' })));
  });

  it('does not trigger for another cron', () => {
    assertSkipped(decideTrigger(scheduled, event('schedule', { schedule: '0 0 * * *' })), /not one of this workflow's schedules \[30 5 \* \* 1,3, 30 5 \* \* 2,4\]/);
    assertSkipped(decideTrigger(scheduled, event('schedule')), /does not say which cron fired/);
  });

  it('refuses a workflow with an invalid schedule', () => {
    const wf = workflow({ event: 'schedule', schedules: [{ cron: '0 0 * * * *' }] });
    assertSkipped(decideTrigger(wf, event('schedule', { schedule: '0 0 * * * *' })), /seconds/);
  });
});

describe('validateCron', () => {
  it("accepts the docs' operator examples and names", () => {
    for (const cron of ['15 * * * *', '2,10 4,5 * * *', '30 4-6 * * *', '20/15 * * * *', '30 5,17 * * *', '0 0 * * SUN', '0 0 1 JAN-MAR MON-FRI', '*/5 * * * *']) {
      assert.equal(validateCron(cron), undefined, cron);
    }
    assert.equal(validateCron('30 5 * * 1-5', 'America/New_York'), undefined);
  });

  const invalid: [string, RegExp][] = [
    ['0 30 5 * * *', /6 fields.*no seconds field/],
    ['@daily', /nicknames/],
    ['* * * *', /4 fields.*needs five/],
    ['60 * * * *', /minute/],
    ['0 24 * * *', /hour/],
    ['0 0 32 * *', /day/],
    ['0 0 * 13 *', /month/],
    ['0 0 * * 7', /0-6/],
    ['0 0 L * *', /'L' is not allowed in the day of month field/],
    ['0 0 ? * *', /may contain only/],
    ['0 0 * * MON#2', /may contain only/],
    ['0 0 * * 1W', /'W' is not allowed/],
    ['0 0 * FOO *', /'FOO' is not allowed in the month field; use JAN-DEC/],
    ['*/0 * * * *', /step/],
  ];
  for (const [cron, message] of invalid) {
    it(`rejects '${cron}'`, () => {
      const error = validateCron(cron);
      assert.ok(error, `expected '${cron}' to be invalid`);
      assert.match(error, message);
    });
  }

  it('rejects an unknown time zone', () => {
    assert.match(validateCron('0 0 * * *', 'Mars/Olympus') ?? '', /not an IANA time zone/);
  });

  it('warns when a schedule fires more often than every 5 minutes', () => {
    const problems = validateTrigger({ event: 'schedule', schedules: [{ cron: '* * * * *' }, { cron: '*/5 * * * *' }] });
    assert.deepEqual(
      problems.map((problem) => [problem.severity, problem.message]),
      [['warning', "cron '* * * * *' fires every 1 minute, but GitHub runs scheduled workflows at most once every 5 minutes"]],
    );
  });
});

describe('nextScheduleTimes and dueSchedules', () => {
  const iso = (dates: Date[]): string[] => dates.map((date) => date.toISOString());

  it('steps from a start value (20/15 runs at 20, 35 and 50)', () => {
    assert.deepEqual(iso(nextScheduleTimes('20/15 * * * *', new Date('2024-05-01T10:00:00Z'), 4)), [
      '2024-05-01T10:20:00.000Z',
      '2024-05-01T10:35:00.000Z',
      '2024-05-01T10:50:00.000Z',
      '2024-05-01T11:20:00.000Z',
    ]);
  });

  it('runs in UTC by default and excludes the start instant', () => {
    assert.deepEqual(iso(nextScheduleTimes('30 5,17 * * *', new Date('2024-05-01T05:30:00Z'), 2)), ['2024-05-01T17:30:00.000Z', '2024-05-02T05:30:00.000Z']);
  });

  it('honours a time zone', () => {
    // 2024-01-05 is a Friday; New York is UTC-5 in January.
    assert.deepEqual(iso(nextScheduleTimes('30 5 * * 1-5', new Date('2024-01-05T12:00:00Z'), 1, 'America/New_York')), ['2024-01-08T10:30:00.000Z']);
  });

  it('moves a time skipped by the spring-forward DST change to the next valid time', () => {
    // 2024-03-10: New York clocks jump from 02:00 to 03:00 EDT (07:00 UTC).
    assert.deepEqual(iso(nextScheduleTimes('30 2 * * *', new Date('2024-03-09T12:00:00Z'), 2, 'America/New_York')), [
      '2024-03-10T07:00:00.000Z',
      '2024-03-11T06:30:00.000Z',
    ]);
  });

  it('fires when either restricted day field matches (POSIX)', () => {
    // Day 15 or any Monday: Friday 15 March, then Monday 18 March.
    assert.deepEqual(iso(nextScheduleTimes('0 0 15 * 1', new Date('2024-03-12T00:00:00Z'), 2)), ['2024-03-15T00:00:00.000Z', '2024-03-18T00:00:00.000Z']);
  });

  it('throws for an invalid cron', () => {
    assert.throws(() => nextScheduleTimes('* * * * * *', new Date(), 1), /seconds/);
  });

  it('lists every due firing in (since, until], earliest first', () => {
    const wf = workflow(
      { event: 'push' },
      { event: 'schedule', schedules: [{ cron: '0 * * * *' }, { cron: '30 9 * * *' }, { cron: 'bad' }] },
    );
    const due = dueSchedules(wf, new Date('2024-05-01T09:00:00Z'), new Date('2024-05-01T11:00:00Z'));
    assert.deepEqual(
      due.map((firing) => [firing.schedule.cron, firing.at.toISOString()]),
      [
        ['30 9 * * *', '2024-05-01T09:30:00.000Z'],
        ['0 * * * *', '2024-05-01T10:00:00.000Z'],
        ['0 * * * *', '2024-05-01T11:00:00.000Z'],
      ],
    );
  });

  it('returns nothing for a workflow without schedules', () => {
    assert.deepEqual(dueSchedules(workflow({ event: 'push' }), new Date('2024-05-01T00:00:00Z'), new Date('2024-05-02T00:00:00Z')), []);
  });
});

describe('other events', () => {
  it('filters activity types from payload.action', () => {
    const wf = workflow({ event: 'issues', types: ['opened', 'edited', 'milestoned'] });
    assertTriggered(decideTrigger(wf, event('issues', { action: 'milestoned' })));
    assertTriggered(decideTrigger(wf, event('issues', { payload: { action: 'opened' } })));
    assertSkipped(decideTrigger(wf, event('issues', { action: 'closed' })), "issues closed: activity type 'closed' is not in types [opened, edited, milestoned]");
  });

  it('runs for every activity type when types is absent', () => {
    assertTriggered(decideTrigger(workflow({ event: 'release' }), event('release', { action: 'deleted' })), 'release deleted: workflow listens to release');
  });

  it('filters repository_dispatch on the event_type', () => {
    const wf = workflow({ event: 'repository_dispatch', types: ['test_result'] });
    assertTriggered(decideTrigger(wf, event('repository_dispatch', { payload: { action: 'test_result', client_payload: {} } })));
    assertTriggered(decideTrigger(wf, event('repository_dispatch', { payload: { event_type: 'test_result' } })));
    assertSkipped(decideTrigger(wf, event('repository_dispatch', { payload: { action: 'deploy' } })), /'deploy' is not in types \[test_result\]/);
    assertTriggered(decideTrigger(workflow({ event: 'repository_dispatch' }), event('repository_dispatch', { payload: { action: 'anything' } })));
  });

  it('triggers events without filters whenever they are listed', () => {
    for (const name of ['fork', 'create', 'delete', 'status', 'page_build']) {
      assertTriggered(decideTrigger(workflow({ event: name }), event(name)), `${name}: workflow listens to ${name}`);
    }
  });
});
