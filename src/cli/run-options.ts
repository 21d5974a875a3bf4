// Secrets, variables and env files for `gantry run`, from flags, files and the environment.

import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { UsageError } from './io.ts';
import { parseKeyValues } from './event-options.ts';

function readDotenv(file: string, flag: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
  return parseEnv(text) as Record<string, string>;
}

/** `--secret NAME=VALUE`, `--secret NAME` (from the environment) and `--secret-file F` (dotenv). */
export function collectSecrets(flags: readonly string[], files: readonly string[], environment = process.env): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const file of files) Object.assign(secrets, readDotenv(file, '--secret-file'));
  for (const flag of flags) {
    if (flag.includes('=')) {
      Object.assign(secrets, parseKeyValues([flag], '--secret'));
      continue;
    }
    const value = environment[flag];
    if (value === undefined) throw new UsageError(`--secret ${flag}: no environment variable ${flag} to take its value from`);
    secrets[flag] = value;
  }
  return secrets;
}

export function collectVariables(flags: readonly string[], files: readonly string[], flag: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const file of files) Object.assign(values, readDotenv(file, `${flag}-file`));
  Object.assign(values, parseKeyValues(flags, flag));
  return values;
}

export function readEnvFile(file: string | undefined): Record<string, string> {
  return file ? readDotenv(file, '--env-file') : {};
}

/** `--matrix key:value` filters. */
export function parseMatrixFilters(flags: readonly string[]): [string, string][] {
  return flags.map((flag) => {
    const at = flag.indexOf(':');
    if (at <= 0) throw new UsageError(`--matrix expects KEY:VALUE, got "${flag}"`);
    return [flag.slice(0, at), flag.slice(at + 1)];
  });
}
