// The Python interpreters on this machine: those on the step's PATH, pyenv's,
// the hosted tool cache's and /usr/local/bin's and /usr/bin's, each asked for its
// exact version by running it.

import path from 'node:path';
import {
  executablesIn,
  folderEntries,
  homeFolder,
  pathFolders,
  queryOutput,
  uniqueExecutables,
} from './toolchains.ts';
import { compareVersions, parseVersion, type Version } from './version-ranges.ts';

export interface PythonInstallation {
  /** As Python reports it: `3.11.7`, `3.13.0rc1`. */
  versionText: string;
  /** The same as a semantic version: 3.13.0rc1 -> 3.13.0-rc1. */
  version: Version;
  executable: string;
  /** sys.prefix: what pythonLocation points at. */
  prefix: string;
  /** `CPython`, `PyPy`, ... */
  implementation: string;
  /** `x64`, `x86`, `arm64`, ... when the interpreter said. */
  architecture?: string;
}

const interpreterName = /^python(\d+(\.\d+)?)?$/;

/** The probe works on Python 2.7 too, which has no sys.implementation. */
const probeScript = [
  'import sys, platform, struct',
  'print(sys.version.split()[0])',
  'print(sys.prefix)',
  'print(platform.python_implementation())',
  "print(platform.machine() + ' ' + str(struct.calcsize('P') * 8))",
].join('; ');

/** Python's `3.13.0rc1`, `3.14.0a1+` as semver: `3.13.0-rc1`, `3.14.0-a1`. */
export function pythonVersionToSemver(text: string): Version | undefined {
  return parseVersion(text.replace(/\+$/, '').replace(/^(\d+\.\d+\.\d+)((?:a|b|rc)\d*)$/, '$1-$2'));
}

function architectureOf(machine: string, pointerBits: string): string | undefined {
  const name = machine.toLowerCase();
  if (['x86_64', 'amd64'].includes(name)) return pointerBits === '32' ? 'x86' : 'x64';
  if (/^i[3-6]86$/.test(name) || name === 'x86') return 'x86';
  if (['aarch64', 'arm64'].includes(name)) return pointerBits === '32' ? 'arm' : 'arm64';
  if (name.startsWith('arm')) return 'arm';
  return undefined;
}

/** Reads the probe's output; an interpreter that prints only its version (a stand-in script) is taken as CPython. */
export function parsePythonProbe(executable: string, output: string): PythonInstallation | undefined {
  const [versionText = '', prefix, implementation, machineLine] = output.split(/\r?\n/).map((line) => line.trim());
  const version = pythonVersionToSemver(versionText);
  if (!version) return undefined;
  const [machine = '', bits = ''] = (machineLine ?? '').split(' ');
  return {
    versionText,
    version,
    executable,
    prefix: prefix || path.dirname(path.dirname(executable)),
    implementation: implementation || 'CPython',
    architecture: machine ? architectureOf(machine, bits) : undefined,
  };
}

/** `python3.12` before `python3.9` before `python3` before `python` before `python2`, so the most specific name is kept. */
function byInterpreterName(a: string, b: string): number {
  const rank = (file: string) => {
    const match = /^python(\d+)?(?:\.(\d+))?$/.exec(path.basename(file))!;
    return [match[2] !== undefined ? 0 : match[1] === '3' ? 1 : match[1] === undefined ? 2 : 3, -Number(match[1] ?? 0), -Number(match[2] ?? 0)];
  };
  const [left, right] = [rank(a), rank(b)];
  return left[0]! - right[0]! || left[1]! - right[1]! || left[2]! - right[2]!;
}

function interpretersIn(folder: string): string[] {
  return executablesIn(folder, interpreterName).sort(byInterpreterName);
}

export function pyenvRoot(env: Record<string, string>): string {
  return env.PYENV_ROOT || path.join(homeFolder(env), '.pyenv');
}

/** Where to look, in order of preference; each interpreter once. */
export function pythonCandidates(env: Record<string, string>): string[] {
  const pyenv = pyenvRoot(env);
  // pyenv's shims pick a version by the working folder; its versions are listed directly instead.
  const onPath = pathFolders(env.PATH).filter((folder) => !folder.startsWith(pyenv + path.sep));
  const pyenvVersions = folderEntries(path.join(pyenv, 'versions')).map((name) => path.join(pyenv, 'versions', name, 'bin'));
  const toolCache = env.RUNNER_TOOL_CACHE || env.AGENT_TOOLSDIRECTORY;
  const toolCacheVersions = toolCache
    ? folderEntries(path.join(toolCache, 'Python')).flatMap((version) =>
        folderEntries(path.join(toolCache, 'Python', version)).map((arch) => path.join(toolCache, 'Python', version, arch, 'bin')),
      )
    : [];
  const folders = [...new Set([...onPath, ...toolCacheVersions, ...pyenvVersions, '/usr/local/bin', '/usr/bin'])];
  return uniqueExecutables(folders.flatMap(interpretersIn));
}

export async function findPythons(env: Record<string, string>, signal: AbortSignal): Promise<PythonInstallation[]> {
  const probed = await Promise.all(
    pythonCandidates(env).map(async (executable) => {
      const output = await queryOutput(executable, ['-c', probeScript], { env, signal });
      return output === undefined ? undefined : parsePythonProbe(executable, output);
    }),
  );
  const found = probed.filter((installation): installation is PythonInstallation => installation !== undefined);
  return found.sort((a, b) => compareVersions(b.version, a.version));
}

export function pythonLabel(installation: PythonInstallation, withArchitecture: boolean): string {
  const notes = [
    installation.implementation !== 'CPython' ? installation.implementation : '',
    withArchitecture && installation.architecture ? installation.architecture : '',
  ].filter(Boolean);
  return notes.length > 0 ? `${installation.versionText} (${notes.join(', ')})` : installation.versionText;
}

