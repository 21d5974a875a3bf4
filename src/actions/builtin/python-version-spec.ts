// What setup-python is asked for: the python-version input (one version or
// range a line) or a version file (.python-version, pyproject.toml,
// .tool-versions, Pipfile), turned into semver ranges as the real action does.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRange, type VersionRange } from './version-ranges.ts';

export interface PythonRequest {
  /** As written: shown in messages. */
  text: string;
  /** Prereleases satisfy it only where it names one, as `3.13-dev` and allow-prereleases do. */
  range: VersionRange;
}

/**
 * Python's spellings as semver, as setup-python does: `3.13.0rc1` -> `3.13.0-rc1`,
 * `3.13-dev` -> `~3.13.0-0`, and with allow-prereleases `3.13` -> `~3.13.0-0`.
 */
export function pythonSpecToSemver(spec: string, allowPrereleases: boolean): string {
  let semver = spec.replace(/^(\d+)\.(\d+)-dev$/, '~$1.$2.0-0').replace(/(\d+\.\d+\.\d+)((?:a|b|rc)\d*)/g, '$1-$2');
  if (allowPrereleases) semver = semver.replace(/^(\d+)\.(\d+)$/, '~$1.$2.0-0');
  return semver;
}

/** One line when the request names something this built-in cannot use; undefined otherwise. */
function unsupportedReason(spec: string): string | undefined {
  if (/^pypy/i.test(spec)) return `python-version '${spec}' asks for PyPy; the built-in actions/setup-python uses the CPython interpreters on this machine only`;
  if (/^graalpy/i.test(spec)) return `python-version '${spec}' asks for GraalPy; the built-in actions/setup-python uses the CPython interpreters on this machine only`;
  if (/^\d+\.\d+(\.\d+)?t$/.test(spec)) return `python-version '${spec}' asks for a free-threaded build; the built-in actions/setup-python does not choose those yet`;
  return undefined;
}

export function parsePythonRequest(spec: string, allowPrereleases: boolean): PythonRequest {
  const unsupported = unsupportedReason(spec);
  if (unsupported) throw new Error(unsupported);
  const semver = pythonSpecToSemver(spec, allowPrereleases);
  const range = parseRange(semver);
  if (!range || semver.trim() === '') {
    throw new Error(`python-version '${spec}' is not a version or range (examples: 3.11, 3.11.7, 3.x, >=3.9 <3.13, 3.13-dev)`);
  }
  return { text: spec, range };
}

/**
 * A PEP 440 requirement (pyproject's requires-python) as a semver range:
 * commas separate clauses, `~=3.10` is `>=3.10 <4`, `~=3.10.2` is `>=3.10.2 <3.11`,
 * `==3.11.*` is `3.11.x`, `==` is `=`; `!=` clauses, which semver cannot say, are left out.
 */
export function pep440ToSemver(requirement: string): string {
  return requirement
    .split(',')
    .map((clause) => clause.trim())
    .filter((clause) => clause !== '' && !clause.startsWith('!='))
    .map((clause) => {
      const compatible = /^~=\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(clause);
      if (compatible) {
        const [, major, minor, patch] = compatible;
        return patch === undefined ? `>=${major}.${minor} <${Number(major) + 1}` : `>=${major}.${minor}.${patch} <${major}.${Number(minor) + 1}`;
      }
      return clause.replace(/^===?\s*/, '=').replace(/\.\*$/, '.x');
    })
    .join(' ');
}

/** Values of `key = "value"` lines in the TOML-like `text`, by `[table]`. Enough for the keys wanted here. */
function tomlStrings(text: string): Map<string, string> {
  const values = new Map<string, string>();
  let table = '';
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    const header = /^\[([^[\]]+)\]/.exec(line);
    if (header) {
      table = header[1]!.trim();
      continue;
    }
    const pair = /^("?)([A-Za-z0-9_.-]+)\1\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(line);
    if (pair) values.set(`${table}.${pair[2]}`, pair[3] ?? pair[4] ?? '');
  }
  return values;
}

function versionsFromPyproject(text: string): string[] {
  const values = tomlStrings(text);
  const requirement = values.get('project.requires-python') ?? values.get('tool.poetry.dependencies.python');
  return requirement === undefined ? [] : [pep440ToSemver(requirement)];
}

function versionsFromPipfile(text: string): string[] {
  const values = tomlStrings(text);
  const version = values.get('requires.python_full_version') ?? values.get('requires.python_version');
  return version === undefined ? [] : [version];
}

function versionsFromToolVersions(text: string): string[] {
  for (const line of text.split(/\r?\n/)) {
    const [tool, ...versions] = line.replace(/#.*$/, '').trim().split(/\s+/);
    if (tool === 'python') return versions;
  }
  return [];
}

/** .python-version: a version a line; `#` comments; pyenv's `system` means no particular version. */
function versionsFromPlainFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '' && line !== 'system');
}

/** The versions a version file asks for, in order; throws one line when the file is missing. */
export function readPythonVersionFile(file: string, workspace: string): string[] {
  const location = path.resolve(workspace, file);
  if (!existsSync(location)) throw new Error(`python-version-file '${file}' does not exist (looked at ${location})`);
  const text = readFileSync(location, 'utf8');
  const name = path.basename(location);
  if (name.endsWith('.toml')) return versionsFromPyproject(text);
  if (name === 'Pipfile') return versionsFromPipfile(text);
  if (name === '.tool-versions') return versionsFromToolVersions(text);
  return versionsFromPlainFile(text);
}

/** python-version's lines or, without it, the version file's (or the workspace's .python-version). */
export function requestedPythonVersions(
  inputs: { version: string; versionFile: string },
  workspace: string,
  log: (line: string) => void,
): string[] {
  if (inputs.version) {
    if (inputs.versionFile) log('Warning: both python-version and python-version-file are given; python-version is used');
    return inputs.version
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
  }
  if (inputs.versionFile) {
    const versions = readPythonVersionFile(inputs.versionFile, workspace);
    if (versions.length === 0) throw new Error(`python-version-file '${inputs.versionFile}' names no Python version`);
    log(`Resolved ${inputs.versionFile} as ${versions.join(', ')}`);
    return versions;
  }
  const fallback = path.join(workspace, '.python-version');
  if (!existsSync(fallback)) return [];
  const versions = readPythonVersionFile(fallback, workspace);
  if (versions.length > 0) log(`Resolved .python-version as ${versions.join(', ')}`);
  return versions;
}
