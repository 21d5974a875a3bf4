// The Node.js installations on this machine: `node` on the step's PATH, nvm's,
// volta's, fnm's, n's, asdf's, the hosted tool cache's, /usr/local/bin's and
// /usr/bin's, each asked for its exact version with `node --version`.

import path from 'node:path';
import { executablesIn, folderEntries, homeFolder, pathFolders, queryOutput, uniqueExecutables } from './toolchains.ts';
import { compareVersions, parseVersion, type Version } from './version-ranges.ts';

export interface NodeInstallation {
  /** As `node --version` prints it: `v20.11.1`. */
  versionText: string;
  version: Version;
  executable: string;
}

function versionFolders(root: string, ...below: string[]): string[] {
  return folderEntries(root).map((name) => path.join(root, name, ...below));
}

/** Folders whose `node` is a shim choosing a version by the working folder; the versions are listed directly instead. */
function shimFolders(env: Record<string, string>): string[] {
  const home = homeFolder(env);
  return [path.join(env.VOLTA_HOME || path.join(home, '.volta'), 'bin'), path.join(env.ASDF_DATA_DIR || path.join(home, '.asdf'), 'shims')];
}

/** Where to look, in order of preference; each installation once. */
export function nodeCandidates(env: Record<string, string>): string[] {
  const home = homeFolder(env);
  const shims = shimFolders(env);
  const toolCache = env.RUNNER_TOOL_CACHE || env.AGENT_TOOLSDIRECTORY;
  const folders = [
    ...pathFolders(env.PATH).filter((folder) => !shims.includes(folder)),
    ...(toolCache ? folderEntries(path.join(toolCache, 'node')).flatMap((version) => versionFolders(path.join(toolCache, 'node', version), 'bin')) : []),
    ...versionFolders(path.join(env.NVM_DIR || path.join(home, '.nvm'), 'versions', 'node'), 'bin'),
    ...versionFolders(path.join(env.VOLTA_HOME || path.join(home, '.volta'), 'tools', 'image', 'node'), 'bin'),
    ...versionFolders(path.join(env.FNM_DIR || path.join(home, '.local', 'share', 'fnm'), 'node-versions'), 'installation', 'bin'),
    ...versionFolders(path.join(env.N_PREFIX || '/usr/local', 'n', 'versions', 'node'), 'bin'),
    ...versionFolders(path.join(env.ASDF_DATA_DIR || path.join(home, '.asdf'), 'installs', 'nodejs'), 'bin'),
    '/usr/local/bin',
    '/usr/bin',
  ];
  return uniqueExecutables([...new Set(folders)].flatMap((folder) => executablesIn(folder, /^node$/)));
}

export function parseNodeVersionOutput(executable: string, output: string): NodeInstallation | undefined {
  const versionText = output.trim().split(/\s+/)[0] ?? '';
  const version = parseVersion(versionText);
  return version ? { versionText, version, executable } : undefined;
}

export async function findNodes(env: Record<string, string>, signal: AbortSignal): Promise<NodeInstallation[]> {
  const probed = await Promise.all(
    nodeCandidates(env).map(async (executable) => {
      const output = await queryOutput(executable, ['--version'], { env, signal });
      return output === undefined ? undefined : parseNodeVersionOutput(executable, output);
    }),
  );
  const found = probed.filter((installation): installation is NodeInstallation => installation !== undefined);
  return found.sort((a, b) => compareVersions(b.version, a.version));
}
