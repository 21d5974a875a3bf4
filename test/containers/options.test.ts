import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthDefaults, parseDuration, parseServiceOptions, ServiceOptionsError, splitRunnerArguments } from '../../src/containers/options.ts';

describe('splitRunnerArguments (the runner starts docker through .NET, which splits like this)', () => {
  it('splits on spaces and tabs, and groups with double quotes', () => {
    assert.deepEqual(splitRunnerArguments('--health-cmd "redis-cli ping"  --health-interval\t10s'), [
      '--health-cmd',
      'redis-cli ping',
      '--health-interval',
      '10s',
    ]);
  });

  it('keeps single quotes as ordinary characters', () => {
    assert.deepEqual(splitRunnerArguments("--health-cmd 'redis-cli ping'"), ['--health-cmd', "'redis-cli", "ping'"]);
  });

  it('joins quoted and unquoted parts of one argument', () => {
    assert.deepEqual(splitRunnerArguments('--health-cmd="pg_isready -U app" x"y z"w'), ['--health-cmd=pg_isready -U app', 'xy zw']);
  });

  it('follows the backslash rules: literal unless before a quote', () => {
    assert.deepEqual(splitRunnerArguments(String.raw`a\b "c\"d" e\\"f g" h\\\"i`), [String.raw`a\b`, 'c"d', String.raw`e\f g`, String.raw`h\"i`]);
  });

  it('reads "" inside quotes as one quote, and keeps empty quoted arguments', () => {
    assert.deepEqual(splitRunnerArguments('"say ""hi""" ""'), ['say "hi"', '']);
  });

  it('returns nothing for blank text', () => {
    assert.deepEqual(splitRunnerArguments('  \t '), []);
  });
});

describe('parseDuration (Go syntax, as Docker reads --health-*)', () => {
  it('reads single and combined units', () => {
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('2us'), 0.002);
    assert.equal(parseDuration('0'), 0);
  });

  it('refuses numbers without units and unknown units', () => {
    for (const text of ['10', '', 's', '10d', '1m 30s', '5 s']) {
      assert.throws(() => parseDuration(text), ServiceOptionsError, text);
    }
  });
});

describe('parseServiceOptions', () => {
  it("reads the seed's postgres options (a folded scalar: one line)", () => {
    const options = parseServiceOptions('--health-cmd pg_isready --health-interval 10s --health-timeout 5s --health-retries 5');
    assert.deepEqual(options.health, { command: 'pg_isready', intervalMs: 10_000, timeoutMs: 5_000, startPeriodMs: 0, retries: 5 });
    assert.deepEqual(options.ignored, []);
  });

  it("reads the seed's redis health command in double quotes", () => {
    const options = parseServiceOptions('--health-cmd "redis-cli ping" --health-interval 10s --health-timeout 5s --health-retries 5');
    assert.equal(options.health?.command, 'redis-cli ping');
  });

  it('accepts --flag=value and a start period', () => {
    const options = parseServiceOptions('--health-cmd="mysqladmin ping" --health-start-period=1m30s --health-retries=3');
    assert.deepEqual(options.health, { command: 'mysqladmin ping', intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 90_000, retries: 3 });
  });

  it("fills in Docker's defaults for what is left out", () => {
    const options = parseServiceOptions('--health-cmd true');
    assert.deepEqual(options.health, { command: 'true', ...healthDefaults });
  });

  it('has no health check without --health-cmd, or with --health-cmd none or --no-healthcheck', () => {
    assert.equal(parseServiceOptions('--health-interval 5s').health, undefined);
    assert.equal(parseServiceOptions(undefined).health, undefined);
    assert.deepEqual(parseServiceOptions('--health-cmd none'), { healthDisabled: true, env: {}, publish: [], ignored: [], flags: [] });
    assert.equal(parseServiceOptions('--no-healthcheck').healthDisabled, true);
  });

  it('collects -e/--env and -p/--publish', () => {
    const options = parseServiceOptions('-e A=1 --env B="two words" -eC=3 --env=D= -p 8080:80 --publish=9000');
    assert.deepEqual(options.env, { A: '1', B: 'two words', C: '3', D: '' });
    assert.deepEqual(options.publish, ['8080:80', '9000']);
  });

  it('lists options that mean nothing natively, with their values', () => {
    const options = parseServiceOptions('--name db --shm-size=256mb --tmpfs /var/lib/postgresql/data -it --rm -v /a:/b --health-cmd true -e FROM_HOST');
    assert.deepEqual(options.ignored, ['--name db', '--shm-size=256mb', '--tmpfs /var/lib/postgresql/data', '-i', '-t', '--rm', '-v /a:/b', '-e FROM_HOST']);
    assert.equal(options.health?.command, 'true');
  });

  it('does not take the next flag for the value of an unknown flag', () => {
    assert.deepEqual(parseServiceOptions('--unknown-switch --health-cmd true').ignored, ['--unknown-switch']);
  });

  it('explains a health command in single quotes, which GitHub splits apart', () => {
    assert.throws(() => parseServiceOptions("--health-cmd 'redis-cli ping'"), (error: Error) => {
      assert.ok(error instanceof ServiceOptionsError);
      assert.match(error.message, /unexpected argument "ping'"/);
      assert.match(error.message, /double quotes/);
      return true;
    });
  });

  it('explains options on separate lines (a literal block), which GitHub does not split', () => {
    assert.throws(() => parseServiceOptions('--health-cmd pg_isready\n--health-interval 10s\n--health-retries 5'), /line breaks/);
  });

  it('refuses what Docker refuses', () => {
    const cases: [string, RegExp][] = [
      ['--health-cmd true --health-interval 10', /--health-interval: invalid duration "10"/],
      ['--health-cmd true --health-timeout -5s', /--health-timeout cannot be negative/],
      ['--health-cmd true --health-retries -1', /--health-retries cannot be negative/],
      ['--health-cmd true --health-retries five', /not a whole number/],
      ['--health-cmd true --health-interval 10us', /cannot be less than 1ms/],
      ['--no-healthcheck --health-cmd true', /conflicts/],
      ['--health-cmd', /flag needs an argument: --health-cmd/],
      ['-e', /flag needs an argument: --env/],
      ['postgres', /unexpected argument "postgres"/],
    ];
    for (const [text, message] of cases) assert.throws(() => parseServiceOptions(text), message, text);
  });
});
