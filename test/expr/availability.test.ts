import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedIn, checkExpression } from '../../src/expr/index.ts';

const sorted = (names: string[]): string[] => [...names].sort();

describe('allowedIn', () => {
  it('follows the documented table for workflow-level keys', () => {
    assert.deepEqual(sorted(allowedIn('run-name').contexts), ['github', 'inputs', 'vars']);
    assert.deepEqual(sorted(allowedIn('concurrency').contexts), ['github', 'inputs', 'vars']);
    assert.deepEqual(sorted(allowedIn('env').contexts), ['github', 'inputs', 'secrets', 'vars']);
    assert.deepEqual(allowedIn('env').functions, []);
  });

  it('gives jobs.<job_id>.if only github, needs, vars, inputs and the status functions', () => {
    assert.deepEqual(allowedIn('jobs.<job_id>.if'), {
      contexts: ['github', 'needs', 'vars', 'inputs'],
      functions: ['always', 'cancelled', 'success', 'failure'],
    });
  });

  it('resolves concrete paths, step indexes and keys below a listed key', () => {
    assert.deepEqual(allowedIn('jobs.build.if'), allowedIn('jobs.<job_id>.if'));
    assert.deepEqual(allowedIn('jobs.build.steps[2].with.token'), allowedIn('jobs.<job_id>.steps.with'));
    assert.deepEqual(allowedIn('jobs.build.steps.0.env.FOO'), allowedIn('jobs.<job_id>.steps.env'));
    assert.deepEqual(allowedIn('jobs.build.strategy.matrix.os'), allowedIn('jobs.<job_id>.strategy'));
    assert.deepEqual(allowedIn('env.CI'), allowedIn('env'));
    assert.deepEqual(allowedIn('jobs.build.outputs.version'), allowedIn('jobs.<job_id>.outputs.<output_id>'));
  });

  it('prefers the most specific key', () => {
    assert.ok(allowedIn('jobs.build.container.env.TOKEN').contexts.includes('secrets'));
    assert.ok(!allowedIn('jobs.build.container.image').contexts.includes('secrets'));
    assert.ok(allowedIn('jobs.build.environment.url').contexts.includes('steps'));
    assert.ok(!allowedIn('jobs.build.environment').contexts.includes('steps'));
    assert.ok(allowedIn('jobs.build.services.db.credentials').contexts.includes('secrets'));
    assert.ok(!allowedIn('jobs.build.services.db.image').contexts.includes('secrets'));
  });

  it('allows hashFiles in steps and the status functions only in if', () => {
    assert.deepEqual(allowedIn('jobs.build.steps.run').functions, ['hashFiles']);
    assert.deepEqual(allowedIn('jobs.build.steps.if').functions, ['always', 'cancelled', 'success', 'failure', 'hashFiles']);
    assert.deepEqual(allowedIn('jobs.build.runs-on').functions, []);
  });

  it('keeps secrets out of steps.if but allows them in steps.run', () => {
    assert.ok(!allowedIn('jobs.build.steps.if').contexts.includes('secrets'));
    assert.ok(allowedIn('jobs.build.steps.run').contexts.includes('secrets'));
  });

  it('covers reusable-workflow keys and action metadata', () => {
    assert.deepEqual(sorted(allowedIn('on.workflow_call.outputs.result.value').contexts), ['github', 'inputs', 'jobs', 'vars']);
    assert.deepEqual(allowedIn('runs.steps.if').functions, ['always', 'cancelled', 'success', 'failure', 'hashFiles']);
  });

  it('throws for a key where no expression can appear', () => {
    assert.throws(() => allowedIn('jobs.build.steps'), /No expression can appear at 'jobs\.build\.steps'/);
    assert.throws(() => allowedIn('name'), /No expression can appear/);
  });
});

describe('checkExpression', () => {
  it('accepts expressions that use only what the key allows', () => {
    assert.equal(checkExpression("github.ref == 'refs/heads/main' && needs.build.result == 'success'", 'jobs.deploy.if'), undefined);
    assert.equal(checkExpression('failure() || always()', 'jobs.deploy.if'), undefined);
    assert.equal(checkExpression("hashFiles('**/package-lock.json')", 'jobs.build.steps.with.key'), undefined);
    assert.equal(checkExpression("format('{0}', secrets.TOKEN)", 'jobs.build.steps.env.TOKEN'), undefined);
    assert.equal(checkExpression("fromJSON(needs.setup.outputs.matrix)", 'jobs.build.strategy.matrix'), undefined);
  });

  it('rejects a context the key does not allow, GitHub-style, with what is available', () => {
    assert.equal(
      checkExpression('secrets.TOKEN', 'jobs.deploy.if'),
      "Unrecognized named-value: 'secrets'. Located at position 1 within expression: secrets.TOKEN. " +
        "The 'secrets' context is not available in 'jobs.<job_id>.if'; available there: github, needs, vars, inputs.",
    );
    assert.match(
      checkExpression("matrix.os == 'linux'", 'jobs.build.strategy.fail-fast') ?? '',
      /^Unrecognized named-value: 'matrix'\. Located at position 1 within expression: matrix\.os == 'linux'\. The 'matrix' context is not available in 'jobs\.<job_id>\.strategy'/,
    );
    assert.match(checkExpression("github.ref == 'x' && steps.a.outputs.b", 'jobs.build.if') ?? '', /'steps'.*position 22/);
    assert.match(checkExpression('env.HOME', 'run-name') ?? '', /'env' context is not available in 'run-name'/);
  });

  it('rejects special functions the key does not allow', () => {
    assert.equal(
      checkExpression("hashFiles('*.lock')", 'jobs.build.if'),
      "Unrecognized function: 'hashFiles'. Located at position 1 within expression: hashFiles('*.lock'). " +
        "hashFiles() is not available in 'jobs.<job_id>.if'; special functions available there: always(), cancelled(), success(), failure().",
    );
    assert.match(checkExpression('success()', 'jobs.build.steps.run') ?? '', /special functions available there: hashFiles\(\)\.$/);
    assert.match(checkExpression('always()', 'env.X') ?? '', /special functions available there: none\.$/);
  });

  it('reports syntax errors, unknown functions and unknown contexts', () => {
    assert.equal(
      checkExpression("github.ref == 'x", 'jobs.build.if'),
      "Unexpected symbol: ''x'. Located at position 15 within expression: github.ref == 'x",
    );
    assert.match(checkExpression('startWith(github.ref, "a")', 'jobs.build.if') ?? '', /^Unexpected symbol: '"a"'/);
    assert.match(checkExpression('startWith(github.ref, 1)', 'jobs.build.if') ?? '', /^Unrecognized function: 'startWith'/);
    assert.match(checkExpression('gitub.ref', 'jobs.build.if') ?? '', /^Unrecognized named-value: 'gitub'/);
  });
});
