import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { findJsonErrorOffset } from '../../../src/plan/events/index.ts';

function parseError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`expected ${text} to be invalid JSON`);
}

describe('findJsonErrorOffset', () => {
  it('finds nothing wrong with valid JSON', () => {
    assert.equal(findJsonErrorOffset('{"a": [1, {"b": null}], "c": "\\u00e9"}'), -1);
    assert.equal(findJsonErrorOffset(' 1 '), -1);
  });

  it('uses the position JSON.parse names', () => {
    assert.equal(findJsonErrorOffset('{"a": 1,}'), 8);
    assert.equal(findJsonErrorOffset('[1 2]'), 3);
    assert.equal(findJsonErrorOffset('{} x'), 3);
    assert.equal(findJsonErrorOffset('"a\\x"'), 3);
  });

  it('puts an unexpected end of input at the end of the text', () => {
    assert.equal(parseError('\n\n'), 'Unexpected end of JSON input');
    assert.equal(findJsonErrorOffset('\n\n'), 2);
    assert.equal(findJsonErrorOffset('{"a": [1, '), 10);
    assert.equal(findJsonErrorOffset('nul'), 3);
  });

  it('finds the unexpected token JSON.parse names without a position', () => {
    assert.equal(findJsonErrorOffset('{"a": tru}'), 9);
    assert.equal(findJsonErrorOffset('[1,]'), 3);
    assert.equal(findJsonErrorOffset('[.5]'), 1);
    assert.equal(findJsonErrorOffset('NaN'), 0);
    assert.equal(findJsonErrorOffset('{"a":\n  [1, 2],\n  "b": }'), 23);
  });

  it('finds the token when the context in the message occurs more than once', () => {
    const short = '{"a": "}", "b": }';
    assert.equal(parseError(short), `Unexpected token '}', "${short}" is not valid JSON`);
    assert.equal(findJsonErrorOffset(short), 16);

    const long = '{"s": "1, 2, 3, 4, 5, 6, ], 7, 8, 9", "n": [1, 2, 3, 4, 5, 6, ], 7, 8, 9]}';
    const context = ' 4, 5, 6, ], 7, 8, 9';
    assert.equal(parseError(long), `Unexpected token ']', ..."${context}"... is not valid JSON`);
    assert.notEqual(long.indexOf(context), long.lastIndexOf(context));
    assert.equal(findJsonErrorOffset(long), long.lastIndexOf(context) + 10);
  });
});
