// `actions/setup-python`, built in: chooses among the Python interpreters already
// on this machine (it downloads nothing) with setup-python's version semantics,
// and sets up the environment as the real action does for the one it chooses.

import path from 'node:path';
import type { BuiltinAction, BuiltinActionContext } from '../types.ts';
import { findPythons, pythonLabel, type PythonInstallation } from './python-toolchains.ts';
import { parsePythonRequest, requestedPythonVersions, type PythonRequest } from './python-version-spec.ts';
import { booleanInput, describeFound, input, jobTempFolder, putOnPath, throwIfCancelled, type CommandEntry } from './toolchains.ts';
import { highestSatisfying } from './version-ranges.ts';

const actionName = 'actions/setup-python';

function logIgnoredInputs(context: BuiltinActionContext): void {
  const cache = input(context.inputs, 'cache');
  if (cache) context.log(`cache: '${cache}' is not done by the built-in ${actionName} yet; dependencies are not cached`);
  if (booleanInput(context.inputs, 'check-latest', false)) context.log('check-latest: ignored; the built-in uses the interpreters on this machine');
}

function installHint(request: PythonRequest): string {
  const plain = /^\d+(\.\d+){0,2}$/.test(request.text) ? request.text : '<version>';
  return `install it (e.g. pyenv install ${plain}) or change python-version`;
}

/** `python-version: 3.10` unquoted is the number 3.1 in YAML (and 3.20 would be 3.2). */
function yamlNumberHint(request: PythonRequest): string {
  return /^3\.[12]$/.test(request.text) ? ` (if you wrote ${request.text}0 unquoted, YAML read it as the number ${request.text}: quote it)` : '';
}

export function choosePython(
  installations: readonly PythonInstallation[],
  request: PythonRequest,
  architecture: string,
): PythonInstallation {
  const usable = installations.filter(
    (installation) =>
      installation.implementation === 'CPython' &&
      (!architecture || !installation.architecture || installation.architecture === architecture),
  );
  const chosen = highestSatisfying(usable, request.range);
  if (chosen) return chosen;
  const found = describeFound(installations.map((installation) => ({ label: pythonLabel(installation, architecture !== ''), executable: installation.executable })));
  const wanted = architecture ? `${architecture} Python` : 'Python';
  throw new Error(`no ${wanted} matching '${request.text}' on this machine (found: ${found}); ${installHint(request)}${yamlNumberHint(request)}`);
}

function linkEntries(installation: PythonInstallation): CommandEntry[] {
  const { major, minor } = installation.version;
  const pip = `#!/bin/sh\nexec '${installation.executable.replace(/'/g, `'\\''`)}' -m pip "$@"\n`;
  return [
    ...['python', `python${major}`, `python${major}.${minor}`].map((name) => ({ name, linkTo: installation.executable })),
    ...['pip', `pip${major}`, `pip${major}.${minor}`].map((name) => ({ name, script: pip })),
  ].filter((entry, index, all) => all.findIndex((other) => other.name === entry.name) === index);
}

/** What the real action exports for the interpreter, and PATH so `python` runs it. Returns the new PATH. */
function updateEnvironment(context: BuiltinActionContext, installation: PythonInstallation, pathValue: string | undefined): string {
  const prefix = installation.prefix;
  context.exportVariable('pythonLocation', prefix);
  context.exportVariable('PKG_CONFIG_PATH', `${prefix}/lib/pkgconfig`);
  context.exportVariable('Python_ROOT_DIR', prefix);
  context.exportVariable('Python2_ROOT_DIR', prefix);
  context.exportVariable('Python3_ROOT_DIR', prefix);
  // The dynamic loader searches /usr/lib already; only an interpreter elsewhere needs its lib folder named.
  if (process.platform === 'linux' && prefix !== '/usr' && prefix !== '/') {
    const libraryFolder = path.join(prefix, 'lib');
    const current = context.env.LD_LIBRARY_PATH ?? '';
    if (!current.split(':').includes(libraryFolder)) {
      context.exportVariable('LD_LIBRARY_PATH', current ? `${libraryFolder}:${current}` : libraryFolder);
    }
  }
  return putOnPath({
    executable: installation.executable,
    commands: ['python', `python${installation.version.major}`],
    linkEntries: () => linkEntries(installation),
    linkFolder: () => path.join(jobTempFolder(context.env, 'gantry-setup-python'), installation.versionText),
    pathValue,
    addPath: context.addPath,
    log: context.log,
  });
}

export const setupPython: BuiltinAction = {
  name: actionName,
  run: async (context) => {
    const versions = requestedPythonVersions(
      { version: input(context.inputs, 'python-version'), versionFile: input(context.inputs, 'python-version-file') },
      context.workspace,
      context.log,
    );
    if (versions.length === 0) {
      context.log('Warning: neither python-version nor python-version-file is given and there is no .python-version; the Python on PATH is used as it is');
      return;
    }
    const allowPrereleases = booleanInput(context.inputs, 'allow-prereleases', false);
    const requests = versions.map((version) => parsePythonRequest(version, allowPrereleases));
    const architecture = input(context.inputs, 'architecture');
    const update = booleanInput(context.inputs, 'update-environment', true);
    logIgnoredInputs(context);

    const installations = await findPythons(context.env, context.signal);
    throwIfCancelled(context.signal, actionName);
    const chosen = requests.map((request) => ({ request, installation: choosePython(installations, request, architecture) }));

    let pathValue = context.env.PATH;
    for (const { request, installation } of chosen) {
      context.log(`Using Python ${installation.versionText} from ${installation.executable} (requested ${request.text})`);
      if (architecture && installation.architecture) context.log(`architecture: ${architecture} matches the interpreter`);
      else if (architecture) context.log(`architecture: '${architecture}' ignored; the interpreter did not say which it is`);
      if (update) pathValue = updateEnvironment(context, installation, pathValue);
      context.setOutput('python-version', installation.versionText);
      context.setOutput('python-path', installation.executable);
      context.setOutput('cache-hit', 'false');
    }
  },
};
