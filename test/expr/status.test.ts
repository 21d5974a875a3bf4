import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ExpressionError,
  ensureStatusFunction,
  evaluateCondition,
  evaluateExpression,
  statusFunctions,
} from '../../src/expr/index.ts';
import type { StatusView } from '../../src/expr/index.ts';

const contexts = { github: { ref: 'refs/heads/main' }, steps: { demo: { conclusion: 'failure' } } };

function statuses(view: StatusView): Record<string, unknown> {
  const host = statusFunctions(view);
  return {
    success: evaluateExpression('success()', contexts, host),
    failure: evaluateExpression('failure()', contexts, host),
    cancelled: evaluateExpression('cancelled()', contexts, host),
    always: evaluateExpression('always()', contexts, host),
  };
}

describe('status functions in a step', () => {
  it('success() while every previous step succeeded', () => {
    assert.deepEqual(statuses({ kind: 'step', jobStatus: 'success' }), {
      success: true,
      failure: false,
      cancelled: false,
      always: true,
    });
  });

  it('failure() once a previous step failed', () => {
    assert.deepEqual(statuses({ kind: 'step', jobStatus: 'failure' }), {
      success: false,
      failure: true,
      cancelled: false,
      always: true,
    });
  });

  it('only cancelled() and always() once the run is cancelled', () => {
    assert.deepEqual(statuses({ kind: 'step', jobStatus: 'cancelled' }), {
      success: false,
      failure: false,
      cancelled: true,
      always: true,
    });
  });

  it('inside a composite action, success() and failure() follow the action, cancelled() the job', () => {
    assert.deepEqual(statuses({ kind: 'step', jobStatus: 'success', actionStatus: 'failure' }), {
      success: false,
      failure: true,
      cancelled: false,
      always: true,
    });
    assert.deepEqual(statuses({ kind: 'step', jobStatus: 'cancelled', actionStatus: 'success' }), {
      success: true,
      failure: false,
      cancelled: true,
      always: true,
    });
  });

  it('combines with other conditions, as in the failure-with-conditions example', () => {
    const host = statusFunctions({ kind: 'step', jobStatus: 'failure' });
    assert.equal(evaluateCondition("failure() && steps.demo.conclusion == 'failure'", contexts, host), true);
    assert.equal(evaluateCondition('!cancelled()', contexts, host), true);
    assert.equal(evaluateCondition("success() && github.ref == 'refs/heads/main'", contexts, host), false);
  });
});

describe('status functions in a job', () => {
  it('success() when every ancestor job succeeded', () => {
    assert.deepEqual(statuses({ kind: 'job', ancestorResults: ['success', 'success'], cancelled: false }), {
      success: true,
      failure: false,
      cancelled: false,
      always: true,
    });
    assert.equal(statuses({ kind: 'job', ancestorResults: [], cancelled: false }).success, true);
  });

  it('failure() when any ancestor job failed', () => {
    assert.deepEqual(statuses({ kind: 'job', ancestorResults: ['success', 'failure'], cancelled: false }), {
      success: false,
      failure: true,
      cancelled: false,
      always: true,
    });
  });

  it('neither success() nor failure() after a skipped or cancelled ancestor', () => {
    for (const result of ['skipped', 'cancelled'] as const) {
      const seen = statuses({ kind: 'job', ancestorResults: ['success', result], cancelled: false });
      assert.equal(seen.success, false, result);
      assert.equal(seen.failure, false, result);
    }
  });

  it('cancelled() and not success() once the workflow is cancelled', () => {
    assert.deepEqual(statuses({ kind: 'job', ancestorResults: ['success'], cancelled: true }), {
      success: false,
      failure: false,
      cancelled: true,
      always: true,
    });
  });

  it('rejects arguments', () => {
    const host = statusFunctions({ kind: 'job', ancestorResults: [], cancelled: false });
    assert.throws(() => evaluateExpression("success('build')", contexts, host), /Too many parameters supplied: 'success'/);
  });
});

describe('ensureStatusFunction', () => {
  it('wraps a condition without a status function in success() && (...)', () => {
    assert.equal(
      ensureStatusFunction("github.ref == 'refs/heads/main'"),
      "success() && (github.ref == 'refs/heads/main')",
    );
    assert.equal(ensureStatusFunction('github.x || true'), 'success() && (github.x || true)');
  });

  it('keeps a condition that calls a status function anywhere, in any case', () => {
    assert.equal(ensureStatusFunction('always()'), 'always()');
    assert.equal(ensureStatusFunction('!cancelled()'), '!cancelled()');
    assert.equal(ensureStatusFunction("Failure() && steps.demo.outcome == 'failure'"), "Failure() && steps.demo.outcome == 'failure'");
    assert.equal(ensureStatusFunction("github.ref == 'x' || (true && success())"), "github.ref == 'x' || (true && success())");
    assert.equal(ensureStatusFunction("format('{0}', failure())"), "format('{0}', failure())");
  });

  it('is not fooled by status-function names in strings or property names', () => {
    assert.equal(ensureStatusFunction("contains('failure()', 'x')"), "success() && (contains('failure()', 'x'))");
    assert.equal(ensureStatusFunction('github.event.always'), 'success() && (github.event.always)');
    assert.equal(ensureStatusFunction("steps['success'].outcome"), "success() && (steps['success'].outcome)");
  });

  it('turns an empty condition into success() and strips ${{ }}', () => {
    assert.equal(ensureStatusFunction(''), 'success()');
    assert.equal(ensureStatusFunction('   '), 'success()');
    assert.equal(ensureStatusFunction('${{ always() }}'), 'always()');
    assert.equal(ensureStatusFunction("${{ github.ref == 'x' }}"), "success() && (github.ref == 'x')");
  });

  it('throws ExpressionError for a condition that does not parse', () => {
    assert.throws(() => ensureStatusFunction('github.ref =='), ExpressionError);
    assert.throws(() => ensureStatusFunction('unknown_context.x'), /Unrecognized named-value: 'unknown_context'/);
  });

  it('gives a condition that skips after a failure unless it asks for one', () => {
    const afterFailure = statusFunctions({ kind: 'step', jobStatus: 'failure' });
    assert.equal(evaluateCondition(ensureStatusFunction("github.ref == 'refs/heads/main'"), contexts, afterFailure), false);
    assert.equal(evaluateCondition(ensureStatusFunction("failure() && github.ref == 'refs/heads/main'"), contexts, afterFailure), true);
  });
});
