// `options:` of a service as GitHub's runner hands it to `docker create`: the runner appends the
// string to its own command line, and that line is split into arguments by .NET's rules (Windows
// rules, also on Linux). So only double quotes group words; single quotes are ordinary characters.

/** A health check as `docker create --health-*` defines it, durations in milliseconds. */
export interface HealthCheck {
  /** Run with `sh -c`, as Docker's CMD-SHELL. */
  command: string;
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  /** Consecutive failures (after the start period) that make the service unhealthy. */
  retries: number;
}

export interface ServiceOptions {
  /** Present when `--health-cmd` is given (and not `none`). */
  health?: HealthCheck;
  /** `--no-healthcheck` or `--health-cmd none`. */
  healthDisabled: boolean;
  /** From `-e` / `--env NAME=VALUE`, in order. */
  env: Record<string, string>;
  /** From `-p` / `--publish`, as written. */
  publish: string[];
  /** Options that mean nothing without a container, each as written (`--shm-size 256mb`). */
  ignored: string[];
  /** The same options read as flags, for a container engine to apply. */
  flags: CreateFlag[];
}

/** An `options:` string Docker would refuse, or one GitHub's runner would split into nonsense. */
export class ServiceOptionsError extends Error {}

/** Docker's defaults for what `--health-*` leaves out. */
export const healthDefaults = { intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, retries: 3 } as const;

/** `docker create` flags that take no value; every other flag takes one. */
const booleanFlags = new Set([
  '--init',
  '--interactive',
  '--tty',
  '--privileged',
  '--read-only',
  '--rm',
  '--no-healthcheck',
  '--oom-kill-disable',
  '--publish-all',
  '--disable-content-trust',
  '--quiet',
  '--detach',
  '--sig-proxy',
  '--use-api-socket',
  '--help',
]);
const booleanShorthands = new Set(['i', 't', 'P', 'q', 'd']);
const shorthandNames: Record<string, string> = { e: '--env', p: '--publish' };

export function parseServiceOptions(text: string | undefined): ServiceOptions {
  const result: ServiceOptions = { healthDisabled: false, env: {}, publish: [], ignored: [], flags: [] };
  const health: Partial<Record<HealthFlag, string>> = {};
  for (const flag of readFlags(splitRunnerArguments(text ?? ''))) {
    const { name, value, written } = flag;
    if (isHealthFlag(name)) health[name] = requireValue(name, value);
    else if (name === '--no-healthcheck') result.healthDisabled = value === undefined || parseBoolean(name, value);
    else if (name === '--publish') result.publish.push(requireValue(name, value));
    else if (name !== '--env' || !addEnv(result.env, requireValue(name, value))) {
      result.ignored.push(written);
      result.flags.push(flag);
    }
  }
  const check = healthCheckFrom(health, result.healthDisabled);
  if (check === 'none') result.healthDisabled = true;
  else if (check !== undefined) result.health = check;
  return result;
}

/** Splits a command line the way .NET's Process does (the runner starts `docker` through it). */
export function splitRunnerArguments(text: string): string[] {
  const args: string[] = [];
  let index = 0;
  while (index < text.length) {
    while (text[index] === ' ' || text[index] === '\t') index++;
    if (index >= text.length) break;
    let current = '';
    let quoted = false;
    for (; index < text.length; index++) {
      const char = text[index];
      if (char === '\\') {
        const slashes = /\\+/y;
        slashes.lastIndex = index;
        const count = slashes.exec(text)?.[0].length ?? 1;
        index += count;
        // Backslashes are literal, except before a double quote: pairs become one, an odd one escapes the quote.
        if (text[index] === '"') {
          current += '\\'.repeat(Math.floor(count / 2));
          if (count % 2 === 1) current += '"';
          else index--;
        } else {
          current += '\\'.repeat(count);
          index--;
        }
      } else if (char === '"') {
        if (quoted && text[index + 1] === '"') {
          current += '"';
          index++;
        } else {
          quoted = !quoted;
        }
      } else if ((char === ' ' || char === '\t') && !quoted) {
        break;
      } else {
        current += char;
      }
    }
    args.push(current);
  }
  return args;
}

/** Go's time.ParseDuration (`10s`, `1m30s`, `500ms`, `1.5h`), in milliseconds. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const body = text.replace(/^[+-]/, '');
  const sign = text.startsWith('-') ? -1 : 1;
  if (body === '0') return 0;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let matched = 0;
  for (let match = part.exec(body); match !== null; match = part.exec(body)) {
    total += Number(match[1]) * (units[match[2] ?? ''] ?? 0);
    matched = part.lastIndex;
  }
  if (body === '' || matched !== body.length) {
    throw new ServiceOptionsError(`invalid duration "${text}": use Docker's syntax, e.g. 10s, 1m30s or 500ms`);
  }
  return sign * total;
}

type HealthFlag = '--health-cmd' | '--health-interval' | '--health-timeout' | '--health-retries' | '--health-start-period';

function isHealthFlag(name: string): name is HealthFlag {
  return ['--health-cmd', '--health-interval', '--health-timeout', '--health-retries', '--health-start-period'].includes(name);
}

function healthCheckFrom(flags: Partial<Record<HealthFlag, string>>, disabled: boolean): HealthCheck | 'none' | undefined {
  const given = Object.keys(flags);
  if (disabled && given.length > 0) throw new ServiceOptionsError('--no-healthcheck conflicts with --health-* options');
  const intervalMs = healthDuration('--health-interval', flags['--health-interval']);
  const timeoutMs = healthDuration('--health-timeout', flags['--health-timeout']);
  const startPeriodMs = healthDuration('--health-start-period', flags['--health-start-period']);
  const retries = healthRetries(flags['--health-retries']);
  const command = flags['--health-cmd'];
  // Without a command, the other flags adjust the image's HEALTHCHECK; official images have none.
  if (command === undefined || command === '') return undefined;
  if (command === 'none') return 'none';
  return {
    command,
    intervalMs: intervalMs || healthDefaults.intervalMs,
    timeoutMs: timeoutMs || healthDefaults.timeoutMs,
    startPeriodMs: startPeriodMs || healthDefaults.startPeriodMs,
    retries: retries || healthDefaults.retries,
  };
}

function healthDuration(flag: HealthFlag, value: string | undefined): number {
  if (value === undefined) return 0;
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    throw new ServiceOptionsError(`${flag}: ${(error as Error).message}`);
  }
  if (ms < 0) throw new ServiceOptionsError(`${flag} cannot be negative`);
  if (ms > 0 && ms < 1) throw new ServiceOptionsError(`${flag} cannot be less than 1ms`);
  return ms;
}

function healthRetries(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^[+-]?\d+$/.test(value)) throw new ServiceOptionsError(`--health-retries: "${value}" is not a whole number`);
  const retries = Number(value);
  if (retries < 0) throw new ServiceOptionsError('--health-retries cannot be negative');
  return retries;
}

/** One `docker create` flag as read from `options:`. */
export interface CreateFlag {
  /** Long name, e.g. `--env` for `-e`; unknown shorthands keep theirs (`-u`). */
  name: string;
  value?: string;
  /** The flag and its value as written, for messages. */
  written: string;
}

/** Reads flags as Docker's CLI (pflag) does: `--name value`, `--name=value`, `-e VALUE`, `-eVALUE`, `-it`. */
function readFlags(args: string[]): CreateFlag[] {
  const flags: CreateFlag[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    const next = args[index + 1];
    if (arg.startsWith('--') && arg.length > 2) {
      const equals = arg.indexOf('=');
      const name = equals === -1 ? arg : arg.slice(0, equals);
      if (equals !== -1) flags.push({ name, value: arg.slice(equals + 1), written: arg });
      else if (booleanFlags.has(name)) flags.push({ name, written: arg });
      else if (takesNextAsValue(name, next)) {
        flags.push({ name, value: next, written: `${arg} ${next}` });
        index++;
      } else flags.push({ name, written: arg });
    } else if (arg.startsWith('-') && arg.length > 1) {
      const consumed = readShorthands(arg, next, flags);
      index += consumed;
    } else {
      throw strayArgument(arg);
    }
  }
  return flags;
}

/** Known value flags take the next argument whatever it is (as pflag); unknown ones only when it is not a flag. */
function takesNextAsValue(name: string, next: string | undefined): next is string {
  const known = isHealthFlag(name) || name === '--env' || name === '--publish';
  if (known && next === undefined) throw new ServiceOptionsError(`flag needs an argument: ${name}`);
  return next !== undefined && (known || !next.startsWith('-'));
}

/** Reads `-it`, `-e NAME=VALUE`, `-eNAME=VALUE`; returns how many following arguments it consumed. */
function readShorthands(arg: string, next: string | undefined, flags: CreateFlag[]): number {
  for (let position = 1; position < arg.length; position++) {
    const letter = arg[position] ?? '';
    if (booleanShorthands.has(letter)) {
      flags.push({ name: `-${letter}`, written: `-${letter}` });
      continue;
    }
    const name = shorthandNames[letter] ?? `-${letter}`;
    const attached = arg.slice(position + 1).replace(/^=/, '');
    if (attached !== '') {
      flags.push({ name, value: attached, written: arg });
      return 0;
    }
    if (takesNextAsValue(name, next)) {
      flags.push({ name, value: next, written: `${arg} ${next}` });
      return 1;
    }
    flags.push({ name, written: arg });
    return 0;
  }
  return 0;
}

function strayArgument(arg: string): ServiceOptionsError {
  let hint = ': quote values that contain spaces with double quotes, e.g. --health-cmd "pg_isready -U postgres"';
  if (arg.includes("'")) hint = `: GitHub's runner groups words only with double quotes, so write --health-cmd "redis-cli ping", not '...'`;
  if (/[\r\n]/.test(arg)) hint = ": GitHub's runner does not split options at line breaks; write them on one line or as a folded scalar (options: >-)";
  return new ServiceOptionsError(`unexpected argument ${JSON.stringify(arg)} (Docker would take it for the image name)${hint}`);
}

function requireValue(name: string, value: string | undefined): string {
  if (value === undefined) throw new ServiceOptionsError(`flag needs an argument: ${name}`);
  return value;
}

function parseBoolean(name: string, value: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new ServiceOptionsError(`${name}: "${value}" is not true or false`);
}

/** False for `-e NAME`, which copies NAME from the environment of the machine running `docker`: there is none here. */
function addEnv(env: Record<string, string>, assignment: string): boolean {
  const equals = assignment.indexOf('=');
  if (equals === 0) throw new ServiceOptionsError(`invalid environment variable: ${assignment}`);
  if (equals === -1) return false;
  env[assignment.slice(0, equals)] = assignment.slice(equals + 1);
  return true;
}
