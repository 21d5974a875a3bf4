import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ExpressionError,
  evaluateCondition,
  evaluateExpression,
  evaluateTemplate,
  evaluateToString,
} from '../../src/expr/index.ts';
import type { ExpressionContexts, HostFunction } from '../../src/expr/index.ts';
import type { TemplateValue } from '../../src/workflow/types.ts';

const contexts: ExpressionContexts = {
  github: {
    event_name: 'push',
    ref: 'refs/heads/main',
    event: {
      issue: { labels: [{ name: 'bug' }, { name: 'help wanted' }] },
    },
  },
  env: { continue: 'true', time: '3', EMPTY: '', NOT_A_NUMBER: Number.NaN },
  job: { status: 'success' },
  inputs: {
    fruits: [
      { name: 'apple', quantity: 1 },
      { name: 'orange', quantity: 2 },
      { name: 'pear', quantity: 1 },
    ],
    vegetables: {
      scallions: { colors: ['green', 'white', 'red'], ediblePortions: ['roots', 'stalks'] },
      beets: { colors: ['purple', 'red'], ediblePortions: ['roots', 'stems', 'leaves'] },
    },
  },
};

const evaluate = (expression: string): unknown => evaluateExpression(expression, contexts);

function assertExpressionError(expression: string, expectedMessage: RegExp): void {
  assert.throws(
    () => evaluate(expression),
    (error: unknown) => {
      assert.ok(error instanceof ExpressionError, `expected ExpressionError, got ${String(error)}`);
      assert.equal(error.expression, expression);
      assert.match(error.message, expectedMessage);
      return true;
    },
  );
}

describe('literals', () => {
  it('evaluates the documented literal examples', () => {
    assert.equal(evaluate('null'), null);
    assert.equal(evaluate('false'), false);
    assert.equal(evaluate('711'), 711);
    assert.equal(evaluate('-9.2'), -9.2);
    assert.equal(evaluate('0xff'), 255);
    assert.equal(evaluate('-2.99e-2'), -0.0299);
    assert.equal(evaluate("'It''s open source!'"), "It's open source!");
  });

  it('unescapes every doubled quote in a string', () => {
    assert.equal(evaluate("'say ''hi'' and ''bye'''"), "say 'hi' and 'bye'");
  });
});

describe('operators and coercion', () => {
  it('applies the documented loose-equality coercions', () => {
    assert.equal(evaluate("'' == 0"), true);
    assert.equal(evaluate('null == 0'), true);
    assert.equal(evaluate("null == ''"), true);
    assert.equal(evaluate('true == 1'), true);
    assert.equal(evaluate("false == '0'"), true);
    assert.equal(evaluate("1 == '1'"), true);
    assert.equal(evaluate("'1.5' == 1.5"), true);
    assert.equal(evaluate("'abc' == 'ABC'"), true);
    assert.equal(evaluate("'abc' != 'ABC'"), false);
    assert.equal(evaluate("'abc' == 0"), false);
  });

  it('never finds NaN equal, greater or smaller', () => {
    assert.equal(evaluate('NaN == NaN'), false);
    assert.equal(evaluate('NaN != NaN'), true);
    assert.equal(evaluate("'abc' > 1"), false);
    assert.equal(evaluate("'abc' < 1"), false);
    assert.equal(evaluate("'abc' >= 1"), false);
    assert.equal(evaluate('env.NOT_A_NUMBER <= 1'), false);
  });

  it('compares strings ignoring case and numbers numerically', () => {
    assert.equal(evaluate("'a' < 'B'"), true);
    assert.equal(evaluate('2 > 10'), false);
    assert.equal(evaluate("'2' > 10"), false);
    assert.equal(evaluate('true > false'), true);
  });

  it('compares objects and arrays by instance', () => {
    assert.equal(evaluate('github.event == github.event'), true);
    assert.equal(evaluate("fromJSON('[]') == fromJSON('[]')"), false);
    assert.equal(evaluate("fromJSON('{}') == 0"), false);
  });

  it('returns the deciding operand of && and ||, and negates with !', () => {
    assert.equal(evaluate("github.ref && 'yes'"), 'yes');
    assert.equal(evaluate("env.EMPTY || 'fallback'"), 'fallback');
    assert.equal(evaluate("null && 'never'"), null);
    assert.equal(evaluate('!env.EMPTY'), true);
    assert.equal(evaluate("!(github.event_name == 'push')"), false);
  });
});

describe('context access', () => {
  it('reads properties by dereference and index, ignoring case', () => {
    assert.equal(evaluate('github.ref'), 'refs/heads/main');
    assert.equal(evaluate("github['event_name']"), 'push');
    assert.equal(evaluate('GITHUB.Event_Name'), 'push');
    assert.equal(evaluate('github.event.issue.labels[1].name'), 'help wanted');
  });

  it('gives null for missing properties and for contexts that were not supplied', () => {
    assert.equal(evaluate('github.event.nothing.here'), null);
    assert.equal(evaluate('github.event.issue.labels[5]'), null);
    assert.equal(evaluate('matrix.os'), null);
  });

  it('applies object filters to arrays and objects', () => {
    assert.deepEqual(evaluate('inputs.fruits.*.name'), ['apple', 'orange', 'pear']);
    assert.deepEqual(evaluate('github.event.issue.labels.*.name'), ['bug', 'help wanted']);
    assert.deepEqual(evaluate('inputs.vegetables.*.ediblePortions'), [
      ['roots', 'stalks'],
      ['roots', 'stems', 'leaves'],
    ]);
  });
});

describe('built-in functions', () => {
  it('contains, with strings, object filters and fromJSON arrays', () => {
    assert.equal(evaluate("contains('Hello world', 'llo')"), true);
    assert.equal(evaluate("contains('Hello world', 'LLO')"), true);
    assert.equal(evaluate("contains('Hello world', 'xyz')"), false);
    assert.equal(evaluate("contains(github.event.issue.labels.*.name, 'bug')"), true);
    assert.equal(evaluate("contains(github.event.issue.labels.*.name, 'feature')"), false);
    assert.equal(evaluate('contains(fromJSON(\'["push", "pull_request"]\'), github.event_name)'), true);
  });

  it('startsWith and endsWith, case-insensitive', () => {
    assert.equal(evaluate("startsWith('Hello world', 'He')"), true);
    assert.equal(evaluate("startsWith('Hello world', 'he')"), true);
    assert.equal(evaluate("startsWith('Hello world', 'world')"), false);
    assert.equal(evaluate("endsWith('Hello world', 'ld')"), true);
    assert.equal(evaluate("endsWith('Hello world', 'He')"), false);
  });

  it('format, including escaped braces', () => {
    assert.equal(evaluate("format('Hello {0} {1} {2}', 'Mona', 'the', 'Octocat')"), 'Hello Mona the Octocat');
    assert.equal(evaluate("format('{{Hello {0} {1} {2}!}}', 'Mona', 'the', 'Octocat')"), '{Hello Mona the Octocat!}');
    assert.equal(evaluate("format('{0}-{1}', null, true)"), '-true');
  });

  it('join with and without a separator', () => {
    assert.equal(evaluate("join(github.event.issue.labels.*.name, ', ')"), 'bug, help wanted');
    assert.equal(evaluate('join(github.event.issue.labels.*.name)'), 'bug,help wanted');
    assert.equal(evaluate("join('just a string')"), 'just a string');
    assert.equal(evaluate("join(fromJSON('[1, true, null]'))"), '1,true,');
  });

  it('toJSON pretty-prints and fromJSON parses', () => {
    assert.equal(evaluate('toJSON(job)'), '{\n  "status": "success"\n}');
    assert.equal(evaluate("toJSON('x')"), '"x"');
    assert.equal(evaluate('fromJSON(env.continue)'), true);
    assert.equal(evaluate('fromJSON(env.time)'), 3);
    assert.deepEqual(evaluate('fromJSON(\'{"include":[{"project":"foo"}]}\')'), { include: [{ project: 'foo' }] });
  });

  it('case picks the value of the first true predicate, else the default', () => {
    assert.equal(evaluate("case(github.ref == 'refs/heads/main', 'production', 'development')"), 'production');
    assert.equal(evaluate("case(github.ref == 'refs/heads/dev', 'production', 'development')"), 'development');
  });

  it('function names are case-insensitive', () => {
    assert.equal(evaluate("CONTAINS('abc', 'b')"), true);
    assert.equal(evaluate("tojson('x')"), '"x"');
  });
});

describe('errors users cause', () => {
  it('reports syntax errors with GitHub-style positions', () => {
    assertExpressionError('github.ref ==', /^Unexpected end of expression.*Located at position 12 within expression: github\.ref ==$/);
    assertExpressionError('"double quoted"', /^Unexpected symbol: '"double'\. Located at position 1 within expression: "double quoted"$/);
    assertExpressionError("1 + 'a'", /^Unexpected symbol: '\+'\. Located at position 3 within/);
  });

  it('reports unknown functions and contexts', () => {
    assertExpressionError('bogus(1)', /^Unrecognized function: 'bogus'\. Located at position 1 within expression: bogus\(1\)$/);
    assertExpressionError('1 == other.thing', /^Unrecognized named-value: 'other'\. Located at position 6 within expression/);
    assertExpressionError('success()', /^Unrecognized function: 'success'/);
  });

  it('reports wrong argument counts', () => {
    assertExpressionError("contains('a')", /^Too few parameters supplied: 'contains'/);
    assertExpressionError("toJSON('a', 'b')", /^Too many parameters supplied: 'toJSON'/);
  });

  it('reports evaluation failures with the expression', () => {
    assertExpressionError("fromJSON('{not json')", /^Error parsing JSON when evaluating fromJson: .*\(in expression: fromJSON\('\{not json'\)\)$/);
    assertExpressionError('fromJSON(env.EMPTY)', /^fromJSON was given an empty string \(in expression: fromJSON\(env\.EMPTY\)\)$/);
    assertExpressionError("format('{1}', 'only one')", /references more arguments than were supplied/);
  });

  it('rejects an empty expression', () => {
    assertExpressionError('  ', /^An expression was expected$/);
  });
});

describe('host functions', () => {
  const double: HostFunction = {
    name: 'double',
    minArgs: 1,
    maxArgs: 1,
    call: (value) => (typeof value === 'number' ? value * 2 : [value, value]),
  };

  it('receives and returns plain values', () => {
    assert.equal(evaluateExpression('double(21)', contexts, [double]), 42);
    assert.deepEqual(evaluateExpression("DOUBLE('x')", contexts, [double]), ['x', 'x']);
    assert.equal(evaluateExpression('double(fromJSON(env.time)) == 6', contexts, [double]), true);
  });

  it('has its argument count checked by the parser', () => {
    assert.throws(() => evaluateExpression('double(1, 2)', contexts, [double]), /Too many parameters supplied: 'double'/);
  });

  it('is checked for each set of host functions, though a parsed expression is kept for the next evaluation', () => {
    const triple: HostFunction = { name: 'double', minArgs: 1, maxArgs: 2, call: (value) => (value as number) * 3 };
    assert.equal(evaluateExpression('double(2)', contexts, [double]), 4);
    assert.equal(evaluateExpression('double(2)', contexts, [double]), 4, 'again, from the kept tree');
    assert.equal(evaluateExpression('double(2)', contexts, [triple]), 6, 'another host function of the same name is the one called');
    assert.equal(evaluateExpression('double(2, 1)', contexts, [triple]), 6);
    assert.throws(() => evaluateExpression('double(2, 1)', contexts, [double]), /Too many parameters supplied: 'double'/);
    assert.throws(() => evaluateExpression('double(2)', contexts, []), /Unrecognized function: 'double'/);
    assert.equal(evaluateExpression('github.event_name', contexts), 'push');
    assert.equal(evaluateExpression('github.event_name', { ...contexts, github: { event_name: 'pull_request' } }), 'pull_request', 'the contexts are read again');
  });

  it('turns its exceptions into ExpressionError', () => {
    const failing: HostFunction = { name: 'explode', minArgs: 0, maxArgs: 0, call: () => { throw new Error('boom'); } };
    assert.throws(() => evaluateExpression('explode()', contexts, [failing]), (error: unknown) => {
      assert.ok(error instanceof ExpressionError);
      assert.equal(error.reason, 'boom');
      return true;
    });
  });
});

describe('evaluateTemplate and evaluateToString', () => {
  const template: TemplateValue = {
    kind: 'mapping',
    entries: [
      { key: 'literal', value: { kind: 'literal', value: 'plain' } },
      { key: 'number', value: { kind: 'expression', expression: 'fromJSON(env.time)' } },
      {
        key: 'list',
        value: {
          kind: 'sequence',
          items: [
            { kind: 'literal', value: true },
            { kind: 'expression', expression: "format('on {0}', github.event_name)", source: 'on ${{ github.event_name }}' },
          ],
        },
      },
    ],
  };

  it('evaluates mappings to objects and sequences to arrays', () => {
    assert.deepEqual(evaluateTemplate(template, contexts), { literal: 'plain', number: 3, list: [true, 'on push'] });
  });

  it('attaches the template position to errors', () => {
    const broken: TemplateValue = { kind: 'expression', expression: 'fromJSON(env.EMPTY)', pos: { line: 7, column: 12 } };
    assert.throws(() => evaluateTemplate(broken, contexts), (error: unknown) => {
      assert.ok(error instanceof ExpressionError);
      assert.deepEqual(error.location, { line: 7, column: 12 });
      return true;
    });
  });

  it('converts results to strings the way GitHub interpolates them', () => {
    const expression = (text: string): TemplateValue => ({ kind: 'expression', expression: text });
    assert.equal(evaluateToString(expression('github.nothing'), contexts), '');
    assert.equal(evaluateToString(expression('fromJSON(env.time)'), contexts), '3');
    assert.equal(evaluateToString(expression('fromJSON(env.continue)'), contexts), 'true');
    assert.equal(evaluateToString(expression('job'), contexts), '{\n  "status": "success"\n}');
    assert.equal(evaluateToString({ kind: 'literal', value: 12 }, contexts), '12');
  });
});

describe('evaluateCondition', () => {
  it('coerces the result with GitHub truthiness', () => {
    assert.equal(evaluateCondition("github.ref == 'refs/heads/main'", contexts, []), true);
    assert.equal(evaluateCondition('env.EMPTY', contexts, []), false);
    assert.equal(evaluateCondition("'false'", contexts, []), true);
    assert.equal(evaluateCondition('0', contexts, []), false);
    assert.equal(evaluateCondition('env.NOT_A_NUMBER', contexts, []), false);
    assert.equal(evaluateCondition('github.event', contexts, []), true);
    assert.equal(evaluateCondition('matrix', contexts, []), false);
  });
});
