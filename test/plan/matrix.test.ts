import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  MAX_MATRIX_JOBS,
  expandMatrix,
  matrixDisplayName,
  parseFailFast,
  parseMaxParallel,
  strategyContext,
  strategyDefaults,
} from '../../src/plan/matrix.ts';

function legsOf(config: unknown): unknown[] {
  const expansion = expandMatrix(config);
  assert.deepEqual(expansion.errors, []);
  return expansion.legs;
}

function errorsOf(config: unknown): string[] {
  const expansion = expandMatrix(config);
  assert.deepEqual(expansion.legs, [], 'a matrix with errors produces no jobs');
  return expansion.errors;
}

function namesOf(jobName: string, config: unknown): string[] {
  return expandMatrix(config).nameLegs.map((leg) => matrixDisplayName(jobName, leg));
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

describe('expandMatrix: the examples in GitHub\'s matrix documentation', () => {
  it('creates jobs in variable order, the first variable varying slowest', () => {
    assert.deepEqual(legsOf({ version: [10, 12, 14], os: ['ubuntu-latest', 'windows-latest'] }), [
      { version: 10, os: 'ubuntu-latest' },
      { version: 10, os: 'windows-latest' },
      { version: 12, os: 'ubuntu-latest' },
      { version: 12, os: 'windows-latest' },
      { version: 14, os: 'ubuntu-latest' },
      { version: 14, os: 'windows-latest' },
    ]);
  });

  it('runs the multi-dimension example as six jobs', () => {
    assert.deepEqual(legsOf({ os: ['ubuntu-22.04', 'ubuntu-20.04'], version: [10, 12, 14] }), [
      { os: 'ubuntu-22.04', version: 10 },
      { os: 'ubuntu-22.04', version: 12 },
      { os: 'ubuntu-22.04', version: 14 },
      { os: 'ubuntu-20.04', version: 10 },
      { os: 'ubuntu-20.04', version: 12 },
      { os: 'ubuntu-20.04', version: 14 },
    ]);
  });

  it('accepts a vector of objects', () => {
    const legacy = { version: 20, env: 'NODE_OPTIONS=--openssl-legacy-provider' };
    assert.deepEqual(legsOf({ os: ['ubuntu-latest', 'macos-latest'], node: [{ version: 14 }, legacy] }), [
      { os: 'ubuntu-latest', node: { version: 14 } },
      { os: 'ubuntu-latest', node: legacy },
      { os: 'macos-latest', node: { version: 14 } },
      { os: 'macos-latest', node: legacy },
    ]);
  });

  it('expands the fruit and animal example exactly', () => {
    const config = {
      fruit: ['apple', 'pear'],
      animal: ['cat', 'dog'],
      include: [
        { color: 'green' },
        { color: 'pink', animal: 'cat' },
        { fruit: 'apple', shape: 'circle' },
        { fruit: 'banana' },
        { fruit: 'banana', animal: 'cat' },
      ],
    };
    assert.deepEqual(legsOf(config), [
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
  });

  it('runs the perl example as five ubuntu jobs and two macos jobs', () => {
    const config = {
      os: ['ubuntu-latest'],
      perl: ['5.16', '5.20', '5.26', '5.30', 'latest'],
      include: [
        { os: 'macos-latest', perl: '5.26' },
        { os: 'macos-latest', perl: 'latest' },
      ],
    };
    assert.deepEqual(legsOf(config), [
      { os: 'ubuntu-latest', perl: '5.16' },
      { os: 'ubuntu-latest', perl: '5.20' },
      { os: 'ubuntu-latest', perl: '5.26' },
      { os: 'ubuntu-latest', perl: '5.30' },
      { os: 'ubuntu-latest', perl: 'latest' },
      { os: 'macos-latest', perl: '5.26' },
      { os: 'macos-latest', perl: 'latest' },
    ]);
  });

  it('expands one existing configuration with an extra variable (os/node/npm)', () => {
    const config = {
      os: ['windows-latest', 'ubuntu-latest'],
      node: [12, 14, 16],
      include: [{ os: 'windows-latest', node: 16, npm: 6 }],
    };
    assert.deepEqual(legsOf(config), [
      { os: 'windows-latest', node: 12 },
      { os: 'windows-latest', node: 14 },
      { os: 'windows-latest', node: 16, npm: 6 },
      { os: 'ubuntu-latest', node: 12 },
      { os: 'ubuntu-latest', node: 14 },
      { os: 'ubuntu-latest', node: 16 },
    ]);
  });

  it('adds a configuration that matches no combination as a tenth job', () => {
    const config = {
      os: ['macos-latest', 'windows-latest', 'ubuntu-latest'],
      version: [12, 14, 16],
      include: [{ os: 'windows-latest', version: 17 }],
    };
    const legs = legsOf(config);
    assert.equal(legs.length, 10);
    assert.deepEqual(legs.slice(0, 3), [
      { os: 'macos-latest', version: 12 },
      { os: 'macos-latest', version: 14 },
      { os: 'macos-latest', version: 16 },
    ]);
    assert.deepEqual(legs[9], { os: 'windows-latest', version: 17 });
  });

  it('runs every include entry when the matrix has no vectors', () => {
    const config = {
      include: [
        { site: 'production', datacenter: 'site-a' },
        { site: 'staging', datacenter: 'site-b' },
      ],
    };
    assert.deepEqual(legsOf(config), [
      { site: 'production', datacenter: 'site-a' },
      { site: 'staging', datacenter: 'site-b' },
    ]);
  });

  it('excludes full and partial matches (twelve configurations minus three)', () => {
    const config = {
      os: ['macos-latest', 'windows-latest'],
      version: [12, 14, 16],
      environment: ['staging', 'production'],
      exclude: [
        { os: 'macos-latest', version: 12, environment: 'production' },
        { os: 'windows-latest', version: 16 },
      ],
    };
    assert.deepEqual(legsOf(config), [
      { os: 'macos-latest', version: 12, environment: 'staging' },
      { os: 'macos-latest', version: 14, environment: 'staging' },
      { os: 'macos-latest', version: 14, environment: 'production' },
      { os: 'macos-latest', version: 16, environment: 'staging' },
      { os: 'macos-latest', version: 16, environment: 'production' },
      { os: 'windows-latest', version: 12, environment: 'staging' },
      { os: 'windows-latest', version: 12, environment: 'production' },
      { os: 'windows-latest', version: 14, environment: 'staging' },
      { os: 'windows-latest', version: 14, environment: 'production' },
    ]);
  });

  it('runs the fail-fast example as four jobs, the included one last', () => {
    const config = { version: [6, 7, 8], experimental: [false], include: [{ version: 9, experimental: true }] };
    assert.deepEqual(legsOf(config), [
      { version: 6, experimental: false },
      { version: 7, experimental: false },
      { version: 8, experimental: false },
      { version: 9, experimental: true },
    ]);
  });
});

describe('expandMatrix: include', () => {
  it('overwrites a value an earlier include added, never an original one', () => {
    const config = {
      os: ['linux', 'windows'],
      include: [{ shell: 'bash' }, { os: 'windows', shell: 'pwsh' }, { os: 'linux', shell: 'zsh', arch: 'arm64' }],
    };
    assert.deepEqual(legsOf(config), [
      { os: 'linux', shell: 'zsh', arch: 'arm64' },
      { os: 'windows', shell: 'pwsh' },
    ]);
  });

  it('becomes a job of its own when it would change an original value', () => {
    const config = { os: ['linux'], arch: ['x64'], include: [{ os: 'linux', arch: 'arm64', emulated: true }] };
    assert.deepEqual(legsOf(config), [
      { os: 'linux', arch: 'x64' },
      { os: 'linux', arch: 'arm64', emulated: true },
    ]);
  });

  it('does not extend a configuration that an earlier include added', () => {
    const config = { os: ['linux'], include: [{ os: 'mac' }, { os: 'mac', xcode: 15 }] };
    assert.deepEqual(legsOf(config), [{ os: 'linux' }, { os: 'mac' }, { os: 'mac', xcode: 15 }]);
  });

  it('lists matrix keys before added keys in a configuration of its own', () => {
    const config = { os: ['linux'], node: [20], include: [{ npm: 10, node: 22, os: 'mac' }] };
    assert.deepEqual(legsOf(config)[1], { node: 22, os: 'mac', npm: 10 });
    assert.deepEqual(Object.keys(legsOf(config)[1] as object), ['node', 'os', 'npm']);
  });

  it('adds back a combination that exclude removed, as a new job at the end', () => {
    const config = {
      os: ['linux', 'windows'],
      node: [18, 20],
      exclude: [{ os: 'windows', node: 18 }],
      include: [{ os: 'windows', node: 18, experimental: true }],
    };
    assert.deepEqual(legsOf(config), [
      { os: 'linux', node: 18 },
      { os: 'linux', node: 20 },
      { os: 'windows', node: 20 },
      { os: 'windows', node: 18, experimental: true },
    ]);
  });

  it('compares values as GitHub expressions do: loosely typed, strings ignoring case', () => {
    const config = {
      os: ['Ubuntu-Latest'],
      node: [16],
      include: [{ os: 'ubuntu-latest', node: '16', npm: 8 }],
    };
    assert.deepEqual(legsOf(config), [{ os: 'Ubuntu-Latest', node: 16, npm: 8 }]);
  });

  it('matches object values leaf by leaf', () => {
    const config = {
      node: [{ version: 14 }, { version: 20, flags: '--legacy' }],
      include: [{ node: { version: 20 }, lts: true }],
    };
    assert.deepEqual(legsOf(config), [
      { node: { version: 14 } },
      { node: { version: 20, flags: '--legacy' }, lts: true },
    ]);
  });
});

describe('expandMatrix: exclude', () => {
  it('removes combinations whose object values match the entry', () => {
    const config = {
      os: ['linux', 'windows'],
      node: [{ version: 18 }, { version: 20, env: 'X=1' }],
      exclude: [{ os: 'windows', node: { version: 20 } }],
    };
    assert.deepEqual(legsOf(config), [
      { os: 'linux', node: { version: 18 } },
      { os: 'linux', node: { version: 20, env: 'X=1' } },
      { os: 'windows', node: { version: 18 } },
    ]);
  });

  it('keeps combinations whose object values differ in any leaf the entry names', () => {
    const config = { node: [{ version: 20, env: 'X=1' }], exclude: [{ node: { version: 20, env: 'X=2' } }] };
    assert.deepEqual(legsOf(config), [{ node: { version: 20, env: 'X=1' } }]);
  });

  it('can remove every combination, leaving only unmatched includes', () => {
    const config = { os: ['linux'], exclude: [{ os: 'linux' }], include: [{ extra: 1 }] };
    assert.deepEqual(legsOf(config), [{ extra: 1 }]);
  });
});

describe('expandMatrix: the 256-job limit', () => {
  it('accepts exactly 256 jobs', () => {
    assert.equal(legsOf({ a: range(16), b: range(16) }).length, MAX_MATRIX_JOBS);
  });

  it('refuses 257 jobs from vectors alone', () => {
    assert.deepEqual(errorsOf({ a: range(257) }), [
      'a matrix may produce at most 256 jobs per workflow run; this one produces 257',
    ]);
  });

  it('counts jobs that include adds', () => {
    assert.deepEqual(errorsOf({ a: range(16), b: range(16), include: [{ a: 99 }] }), [
      'a matrix may produce at most 256 jobs per workflow run; this one produces 257',
    ]);
  });

  it('counts after exclude', () => {
    assert.equal(legsOf({ a: range(257), exclude: [{ a: 0 }] }).length, 256);
  });

  it('does not enumerate an enormous product', () => {
    const config = { a: range(1000), b: range(1000), c: range(10) };
    assert.deepEqual(errorsOf(config), [
      'a matrix may produce at most 256 jobs per workflow run; its vectors combine into 10000000 combinations before exclude',
    ]);
  });
});

describe('expandMatrix: errors', () => {
  it('rejects an empty vector', () => {
    assert.deepEqual(errorsOf({ os: [] }), ["Matrix vector 'os' does not contain any values"]);
  });

  it('rejects a vector that is not a list', () => {
    assert.deepEqual(errorsOf({ os: 'ubuntu-latest' }), [
      "Matrix vector 'os' must be a list of values; got the string 'ubuntu-latest'",
    ]);
  });

  it('rejects a matrix with no vectors and no include entries', () => {
    const expected = ['Matrix must define at least one vector (or a non-empty include list)'];
    assert.deepEqual(errorsOf({}), expected);
    assert.deepEqual(errorsOf({ include: [] }), expected);
  });

  it('rejects a matrix that is not a mapping', () => {
    for (const [config, described] of [
      [null, 'nothing (null)'],
      [['a'], 'a list'],
      ['os', "the string 'os'"],
    ] as const) {
      assert.deepEqual(errorsOf(config), [
        `strategy.matrix must be a mapping of vectors (with optional include and exclude); got ${described}`,
      ]);
    }
  });

  it('rejects include and exclude that are not lists of non-empty mappings', () => {
    assert.deepEqual(errorsOf({ os: ['a'], include: { os: 'b' } }), ['Matrix include must be a list of mappings; got a mapping']);
    assert.deepEqual(errorsOf({ os: ['a'], include: ['b', {}] }), [
      "Matrix include entry 1 must be a mapping of keys to values; got the string 'b'",
      'Matrix include entry 2 is empty; give it at least one key',
    ]);
    assert.deepEqual(errorsOf({ os: ['a'], exclude: [{}] }), ['Matrix exclude entry 1 is empty; give it at least one key']);
  });

  it('rejects an exclude key that names no vector, even one that include adds', () => {
    assert.deepEqual(errorsOf({ os: ['a'], include: [{ arch: 'x' }], exclude: [{ arch: 'x' }] }), [
      "Matrix exclude key 'arch' does not match any key within the matrix (vectors: 'os')",
    ]);
  });

  it('matches exclude keys to vectors ignoring case', () => {
    assert.deepEqual(legsOf({ os: ['a', 'b'], exclude: [{ OS: 'A' }] }), [{ os: 'b' }]);
  });

  it('rejects two vectors whose names differ only in case', () => {
    assert.deepEqual(errorsOf({ os: ['a'], OS: ['b'] }), [
      "Matrix vector 'OS' is defined twice (as 'os'); matrix keys ignore case",
    ]);
  });

  it('keeps a vector named __proto__ (possible through fromJSON) as an ordinary key', () => {
    const config: unknown = JSON.parse('{"__proto__": ["a"], "os": ["linux"]}');
    const [leg] = legsOf(config) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(leg ?? {}), ['__proto__', 'os']);
    assert.equal(Object.getPrototypeOf(leg), Object.prototype);
  });
});

describe('matrixDisplayName', () => {
  it('appends the values in key order', () => {
    assert.equal(matrixDisplayName('build', { python: '3.10', os: 'ubuntu-latest' }), 'build (3.10, ubuntu-latest)');
  });

  it('prints an unquoted YAML 3.10 as GitHub does: 3.1', () => {
    assert.equal(matrixDisplayName('build', { python: 3.1, os: 'ubuntu-latest' }), 'build (3.1, ubuntu-latest)');
  });

  it('adds no suffix without a leg or values', () => {
    assert.equal(matrixDisplayName('build', null), 'build');
    assert.equal(matrixDisplayName('build', {}), 'build');
    assert.equal(matrixDisplayName('build', { a: null, b: '', c: [], d: {} }), 'build');
  });

  it('flattens objects and arrays depth first, omitting keys', () => {
    const leg = { os: 'ubuntu-latest', node: { version: 20, env: 'X=1' }, tags: ['a', ['b', true]] };
    assert.equal(matrixDisplayName('test', leg), 'test (ubuntu-latest, 20, X=1, a, b, true)');
  });

  it('formats numbers like .NET G15', () => {
    const leg = { a: 0.1 + 0.2, b: 1e15, c: 0.00001, d: 0.0001, e: 123456789012345, f: -2.5e-7 };
    assert.equal(matrixDisplayName('n', leg), 'n (0.3, 1E+15, 1E-05, 0.0001, 123456789012345, -2.5E-07)');
  });

  it('cuts names longer than 100 characters', () => {
    const name = matrixDisplayName('job', { value: 'x'.repeat(200) });
    assert.equal(name.length, 100);
    assert.equal(name, `job (${'x'.repeat(92)}...`);
  });

  it('names jobs without the keys include added, as GitHub does', () => {
    const config = {
      fruit: ['apple', 'pear'],
      animal: ['cat', 'dog'],
      include: [{ color: 'green' }, { fruit: 'banana' }, { fruit: 'banana', animal: 'cat' }],
    };
    assert.deepEqual(namesOf('zoo', config), [
      'zoo (apple, cat)',
      'zoo (apple, dog)',
      'zoo (pear, cat)',
      'zoo (pear, dog)',
      'zoo (banana)',
      'zoo (banana, cat)',
    ]);
  });

  it('names an include-only job with all its values', () => {
    assert.deepEqual(namesOf('deploy', { include: [{ site: 'production', datacenter: 'site-a' }] }), [
      'deploy (production, site-a)',
    ]);
  });
});

describe('strategy settings', () => {
  it('defaults to fail-fast and no parallel limit', () => {
    assert.deepEqual(strategyDefaults(), { failFast: true, maxParallel: null });
    assert.equal(parseFailFast(undefined), true);
    assert.equal(parseFailFast(null), true);
    assert.equal(parseMaxParallel(undefined), null);
    assert.equal(parseMaxParallel(null), null);
  });

  it('reads fail-fast booleans and refuses anything else', () => {
    assert.equal(parseFailFast(false), false);
    assert.equal(parseFailFast(true), true);
    assert.equal(
      parseFailFast('false'),
      "strategy.fail-fast must be true or false; got the string 'false' (GitHub does not convert strings here; wrap the expression in fromJSON(), e.g. ${{ fromJSON(inputs.value) }})",
    );
    assert.equal(parseFailFast(1), 'strategy.fail-fast must be true or false; got number 1');
    assert.equal(parseFailFast('no'), "strategy.fail-fast must be true or false; got the string 'no'");
  });

  it('reads max-parallel numbers as GitHub does', () => {
    assert.equal(parseMaxParallel(2), 2);
    assert.equal(parseMaxParallel(2.9), 2);
    assert.equal(parseMaxParallel(0), null);
    assert.equal(parseMaxParallel(-3), null);
    assert.equal(parseMaxParallel(0.5), null);
  });

  it('refuses max-parallel values that are not numbers', () => {
    assert.equal(
      parseMaxParallel('2'),
      "strategy.max-parallel must be a number; got the string '2' (GitHub does not convert strings here; wrap the expression in fromJSON(), e.g. ${{ fromJSON(inputs.value) }})",
    );
    assert.equal(parseMaxParallel('two'), "strategy.max-parallel must be a number; got the string 'two'");
    assert.equal(parseMaxParallel(true), 'strategy.max-parallel must be a number; got boolean true');
    assert.equal(parseMaxParallel(Number.NaN), 'strategy.max-parallel must be a number; got number NaN');
  });

  it('builds the strategy context, max-parallel defaulting to the job total', () => {
    assert.deepEqual(strategyContext({ failFast: true, maxParallel: null }, 1, 6), {
      'fail-fast': true,
      'job-index': 1,
      'job-total': 6,
      'max-parallel': 6,
    });
    assert.equal(strategyContext({ failFast: false, maxParallel: 2 }, 0, 6)['max-parallel'], 2);
  });
});
