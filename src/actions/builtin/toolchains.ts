// Finding the toolchains installed on this machine and putting one on PATH:
// listing executables in folders, reading a version by running one, resolving
// a command against a PATH, and writing a folder of links when the chosen
// executable's own folder would not make `python` or `node` resolve to it.

import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

/** How long an executable may take to report its version before it is passed over. */
export const versionQueryTimeoutMs = 5000;

export function pathFolders(pathValue: string | undefined): string[] {
  const folders = (pathValue ?? '').split(path.delimiter).filter((folder) => folder !== '');
  return [...new Set(folders)];
}

export function homeFolder(env: Record<string, string>): string {
  return env.HOME || homedir();
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Names of the folder's entries; empty when the folder cannot be read. */
export function folderEntries(folder: string): string[] {
  try {
    return readdirSync(folder).sort();
  } catch {
    return [];
  }
}

/** Paths of the executables in `folder` whose names match `pattern`. */
export function executablesIn(folder: string, pattern: RegExp): string[] {
  return folderEntries(folder)
    .filter((name) => pattern.test(name))
    .map((name) => path.join(folder, name))
    .filter(isExecutableFile);
}

export function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Keeps the first of each group of paths that lead to the same file. */
export function uniqueExecutables(executables: readonly string[]): string[] {
  const seen = new Set<string>();
  return executables.filter((executable) => {
    const real = realPath(executable);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

/** Where `command` resolves on `pathValue`, as a shell would find it. */
export function resolveCommand(command: string, pathValue: string | undefined): string | undefined {
  for (const folder of pathFolders(pathValue)) {
    const candidate = path.join(folder, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export function resolvesTo(command: string, pathValue: string | undefined, executable: string): boolean {
  const found = resolveCommand(command, pathValue);
  return found !== undefined && realPath(found) === realPath(executable);
}

export interface QueryOptions {
  env: Record<string, string>;
  signal: AbortSignal;
  timeoutMs?: number;
}

/** The executable's standard output, or undefined when it fails, times out or cannot be run. */
export function queryOutput(executable: string, args: readonly string[], options: QueryOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (options.signal.aborted) return resolve(undefined);
    execFile(
      executable,
      args,
      {
        env: options.env,
        signal: options.signal,
        timeout: options.timeoutMs ?? versionQueryTimeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
}

export function throwIfCancelled(signal: AbortSignal, action: string): void {
  if (signal.aborted) throw new Error(`${action} was cancelled`);
}

/** One entry of a folder of commands: a symbolic link to an executable, or a small shell script. */
export type CommandEntry = { name: string; linkTo: string } | { name: string; script: string };

/** (Re)creates `folder` holding exactly `entries`. */
export function writeCommandFolder(folder: string, entries: readonly CommandEntry[]): void {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (const entry of entries) {
    const file = path.join(folder, entry.name);
    if ('linkTo' in entry) {
      symlinkSync(entry.linkTo, file);
    } else {
      writeFileSync(file, entry.script);
      chmodSync(file, 0o755);
    }
  }
}

/** A folder for `purpose` under the job's temp folder, or under the system's when the step has no RUNNER_TEMP. */
export function jobTempFolder(env: Record<string, string>, purpose: string): string {
  if (env.RUNNER_TEMP) return path.join(env.RUNNER_TEMP, purpose);
  return mkdtempSync(path.join(tmpdir(), `${purpose}-`));
}

export interface PutOnPathOptions {
  /** The chosen executable. */
  executable: string;
  /** Commands that must resolve to it afterwards (`python`, `python3`). */
  commands: readonly string[];
  /** What a folder of links holds when the executable's own folder is not enough. */
  linkEntries: () => CommandEntry[];
  /** Where that folder goes. */
  linkFolder: () => string;
  pathValue: string | undefined;
  addPath(folder: string): void;
  log(line: string): void;
}

/**
 * Prepends the executable's folder to PATH unless it is already there; then, if the
 * commands still do not resolve to the executable (the folder has no `python`, or an
 * earlier folder shadows it), prepends a folder of links. Returns the PATH that later
 * steps see.
 */
export function putOnPath(options: PutOnPathOptions): string {
  const folder = path.dirname(options.executable);
  let pathValue = options.pathValue ?? '';
  const prepend = (added: string) => {
    options.addPath(added);
    pathValue = pathValue ? `${added}${path.delimiter}${pathValue}` : added;
  };
  if (!pathFolders(pathValue).includes(folder)) prepend(folder);
  const unresolved = options.commands.filter((command) => !resolvesTo(command, pathValue, options.executable));
  if (unresolved.length > 0) {
    const links = options.linkFolder();
    writeCommandFolder(links, options.linkEntries());
    options.log(`${unresolved.join(' and ')} would not run ${options.executable}; added ${links} with links to it`);
    prepend(links);
  }
  return pathValue;
}

/** `3.11.7 at /usr/bin/python3.11, 3.9.18 at /opt/py/bin/python3.9`, or `none`. */
export function describeFound(found: readonly { label: string; executable: string }[]): string {
  return found.length === 0 ? 'none' : found.map(({ label, executable }) => `${label} at ${executable}`).join(', ');
}

/** core.getBooleanInput's reading: true/True/TRUE, false/False/FALSE, or the default when empty. */
export function booleanInput(inputs: Record<string, string>, name: string, fallback: boolean): boolean {
  const value = inputs[name]?.trim() ?? '';
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new Error(`input '${name}' is '${value}'; it takes true or false`);
}

export function input(inputs: Record<string, string>, name: string): string {
  return inputs[name]?.trim() ?? '';
}
