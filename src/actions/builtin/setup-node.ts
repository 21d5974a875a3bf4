// `actions/setup-node`, built in: chooses among the Node.js installations already
// on this machine (it downloads nothing), puts the chosen one on PATH and, with
// registry-url, writes the .npmrc the real action writes.

import path from 'node:path';
import type { BuiltinAction, BuiltinActionContext } from '../types.ts';
import { configureRegistry } from './npm-registry.ts';
import { findNodes, parseNodeVersionOutput, type NodeInstallation } from './node-toolchains.ts';
import { chooseNode, parseNodeRequest, requestedNodeVersion, type NodeRequest } from './node-version-spec.ts';
import {
  booleanInput,
  describeFound,
  folderEntries,
  input,
  jobTempFolder,
  putOnPath,
  queryOutput,
  resolveCommand,
  throwIfCancelled,
  type CommandEntry,
} from './toolchains.ts';

const actionName = 'actions/setup-node';

function logIgnoredInputs(context: BuiltinActionContext): void {
  const cache = input(context.inputs, 'cache');
  if (cache) context.log(`cache: '${cache}' is not done by the built-in ${actionName} yet; dependencies are not cached`);
  if (booleanInput(context.inputs, 'check-latest', false)) context.log('check-latest: ignored; the built-in uses the Node.js on this machine');
  const architecture = input(context.inputs, 'architecture');
  if (architecture) context.log(`architecture: '${architecture}' ignored; the built-in uses the Node.js on this machine as it is`);
  for (const name of ['mirror', 'mirror-token']) {
    if (input(context.inputs, name)) context.log(`${name}: ignored; the built-in downloads nothing`);
  }
}

function installHint(request: NodeRequest): string {
  const plain = /^\d+(\.\d+){0,2}$/.test(request.text) ? request.text : request.kind === 'lts' ? '--lts' : '<version>';
  return `install it (e.g. nvm install ${plain}) or change node-version`;
}

export function chooseNodeOrThrow(installations: readonly NodeInstallation[], request: NodeRequest): NodeInstallation {
  const chosen = chooseNode(installations, request);
  if (chosen) return chosen;
  const found = describeFound(installations.map((installation) => ({ label: installation.versionText, executable: installation.executable })));
  throw new Error(`no Node.js matching '${request.text}' on this machine (found: ${found}); ${installHint(request)}`);
}

/** `node`, and npm, npx and corepack from the same folder when it has them. */
function linkEntries(installation: NodeInstallation): CommandEntry[] {
  const folder = path.dirname(installation.executable);
  const companions = folderEntries(folder).filter((name) => ['npm', 'npx', 'corepack'].includes(name));
  return [{ name: 'node', linkTo: installation.executable }, ...companions.map((name) => ({ name, linkTo: path.join(folder, name) }))];
}

/** With no version asked for, the real action only reports the node on PATH. */
async function reportNodeOnPath(context: BuiltinActionContext): Promise<void> {
  const onPath = resolveCommand('node', context.env.PATH);
  const output = onPath ? await queryOutput(onPath, ['--version'], { env: context.env, signal: context.signal }) : undefined;
  const installation = onPath && output !== undefined ? parseNodeVersionOutput(onPath, output) : undefined;
  context.log(`node-version is not given; using the Node.js on PATH: ${installation ? `${installation.versionText} at ${installation.executable}` : 'none found'}`);
  context.setOutput('node-version', installation?.versionText ?? '');
}

function configureRegistryIfAsked(context: BuiltinActionContext): void {
  const registryUrl = input(context.inputs, 'registry-url');
  if (!registryUrl) return;
  const npmrc = configureRegistry({
    registryUrl,
    scope: input(context.inputs, 'scope'),
    alwaysAuth: input(context.inputs, 'always-auth'),
    folder: context.env.RUNNER_TEMP || jobTempFolder(context.env, 'gantry-setup-node'),
    env: context.env,
    exportVariable: context.exportVariable,
  });
  context.log(`registry-url: wrote ${npmrc} for ${registryUrl}`);
}

export const setupNode: BuiltinAction = {
  name: actionName,
  run: async (context) => {
    const version = requestedNodeVersion(
      { version: input(context.inputs, 'node-version'), versionFile: input(context.inputs, 'node-version-file') },
      context.workspace,
      context.log,
    );
    logIgnoredInputs(context);
    if (!version) {
      await reportNodeOnPath(context);
    } else {
      const request = parseNodeRequest(version);
      const installations = await findNodes(context.env, context.signal);
      throwIfCancelled(context.signal, actionName);
      const chosen = chooseNodeOrThrow(installations, request);
      context.log(`Using Node ${chosen.versionText} from ${chosen.executable} (requested ${request.text})`);
      putOnPath({
        executable: chosen.executable,
        commands: ['node'],
        linkEntries: () => linkEntries(chosen),
        linkFolder: () => path.join(jobTempFolder(context.env, 'gantry-setup-node'), chosen.versionText),
        pathValue: context.env.PATH,
        addPath: context.addPath,
        log: context.log,
      });
      context.setOutput('node-version', chosen.versionText);
    }
    configureRegistryIfAsked(context);
  },
};
