import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  coerceToString,
  fromExpressionData,
  isTruthy,
  toExpressionData,
  toInterpolatedString,
} from '../../src/expr/index.ts';

describe('toExpressionData / fromExpressionData', () => {
  it('round-trips JSON-like values, keeping key spelling', () => {
    const value = { Name: 'x', count: 2, ok: true, none: null, list: [1, 'two', { deep: false }] };
    assert.deepEqual(fromExpressionData(toExpressionData(value)), value);
  });

  it('turns undefined and functions into null', () => {
    assert.deepEqual(fromExpressionData(toExpressionData({ a: undefined, b: () => 1 })), { a: null, b: null });
    assert.equal(fromExpressionData(toExpressionData(undefined)), null);
  });

  it('converts an object reached twice to one instance and survives cycles', () => {
    const shared = { id: 1 };
    const cyclic: Record<string, unknown> = { left: shared, right: shared };
    cyclic.self = cyclic;
    const converted = toExpressionData(cyclic);
    assert.equal(converted.kind, toExpressionData({}).kind);
    if (!('pairs' in converted)) assert.fail('expected a dictionary');
    const byKey = new Map(converted.pairs().map((pair) => [pair.key, pair.value]));
    assert.equal(byKey.get('left'), byKey.get('right'));
    assert.equal(byKey.get('self'), converted);
  });
});

describe('coerceToString (function-argument cast)', () => {
  it('follows the documented cast table', () => {
    assert.equal(coerceToString(null), '');
    assert.equal(coerceToString(true), 'true');
    assert.equal(coerceToString(false), 'false');
    assert.equal(coerceToString(711), '711');
    assert.equal(coerceToString(-9.2), '-9.2');
    assert.equal(coerceToString(-0), '0');
    assert.equal(coerceToString(0.1 + 0.2), '0.3');
    assert.equal(coerceToString('text'), 'text');
    assert.equal(coerceToString([1]), 'Array');
    assert.equal(coerceToString({ a: 1 }), 'Object');
  });
});

describe('toInterpolatedString', () => {
  it('prints primitives as GitHub does and objects as JSON', () => {
    assert.equal(toInterpolatedString(null), '');
    assert.equal(toInterpolatedString(undefined), '');
    assert.equal(toInterpolatedString(true), 'true');
    assert.equal(toInterpolatedString(3), '3');
    assert.equal(toInterpolatedString(2.5), '2.5');
    assert.equal(toInterpolatedString('a b'), 'a b');
    assert.equal(toInterpolatedString({ os: 'linux', n: [1, 2] }), '{\n  "os": "linux",\n  "n": [\n    1,\n    2\n  ]\n}');
    assert.equal(toInterpolatedString([]), '[]');
  });
});

describe('isTruthy', () => {
  it('treats false, 0, -0, NaN, empty string and null as falsy', () => {
    for (const falsy of [false, 0, -0, Number.NaN, '', null, undefined]) {
      assert.equal(isTruthy(falsy), false, `${String(falsy)} should be falsy`);
    }
  });

  it('treats everything else as truthy, including "false", "0", empty arrays and objects', () => {
    for (const truthy of [true, 1, -1, 'false', '0', ' ', [], {}]) {
      assert.equal(isTruthy(truthy), true, `${JSON.stringify(truthy)} should be truthy`);
    }
  });
});
