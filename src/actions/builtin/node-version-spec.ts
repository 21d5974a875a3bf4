// What setup-node is asked for (node-version or a version file) and which
// installed Node.js that means: semver ranges, `latest`/`current`/`node`, and
// `lts/*`, `lts/-1`, `lts/<codename>` over the LTS lines (even majors from 4) found.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NodeInstallation } from './node-toolchains.ts';
import { compareVersions, highestSatisfying, parseRange, type VersionRange } from './version-ranges.ts';

export const ltsCodenames: Readonly<Record<string, number>> = {
  argon: 4,
  boron: 6,
  carbon: 8,
  dubnium: 10,
  erbium: 12,
  fermium: 14,
  gallium: 16,
  hydrogen: 18,
  iron: 20,
  jod: 22,
  krypton: 24,
};

export type NodeRequest =
  | { kind: 'range'; text: string; range: VersionRange }
  | { kind: 'latest'; text: string }
  | { kind: 'lts'; text: string; pick: { major: number } | { linesBelowNewest: number } };

export function parseNodeRequest(text: string): NodeRequest {
  const alias = text.toLowerCase();
  if (['latest', 'current', 'node'].includes(alias)) return { kind: 'latest', text };
  const lts = /^lts\/(.+)$/.exec(alias);
  if (lts) {
    const which = lts[1]!;
    if (which === '*') return { kind: 'lts', text, pick: { linesBelowNewest: 0 } };
    const below = /^-(\d+)$/.exec(which);
    if (below) return { kind: 'lts', text, pick: { linesBelowNewest: Number(below[1]) } };
    const major = ltsCodenames[which];
    if (major === undefined) throw new Error(`node-version '${text}' names an LTS line this built-in does not know (known: ${Object.keys(ltsCodenames).join(', ')})`);
    return { kind: 'lts', text, pick: { major } };
  }
  if (/nightly|canary|^\d+(\.\d+)*-rc$/i.test(text)) {
    throw new Error(`node-version '${text}' asks for a nightly, canary or rc download; the built-in actions/setup-node uses the Node.js installed on this machine only`);
  }
  const range = parseRange(text);
  if (!range || text.trim() === '') throw new Error(`node-version '${text}' is not a version, range or alias (examples: 20, 20.x, >=18, lts/*, latest)`);
  return { kind: 'range', text, range };
}

function isLtsLine(major: number): boolean {
  return major >= 4 && major % 2 === 0;
}

function highest(installations: readonly NodeInstallation[]): NodeInstallation | undefined {
  return [...installations].sort((a, b) => compareVersions(b.version, a.version))[0];
}

/** The installation the request means, or undefined when none on this machine does. */
export function chooseNode(installations: readonly NodeInstallation[], request: NodeRequest): NodeInstallation | undefined {
  const releases = installations.filter((installation) => installation.version.prerelease.length === 0);
  switch (request.kind) {
    case 'range':
      return highestSatisfying(installations, request.range);
    case 'latest':
      return highest(releases);
    case 'lts': {
      const lts = releases.filter((installation) => isLtsLine(installation.version.major));
      if ('major' in request.pick) {
        const { major } = request.pick;
        return highest(lts.filter((installation) => installation.version.major === major));
      }
      const lines = [...new Set(lts.map((installation) => installation.version.major))].sort((a, b) => b - a);
      const major = lines[request.pick.linesBelowNewest];
      return major === undefined ? undefined : highest(lts.filter((installation) => installation.version.major === major));
    }
  }
}

/**
 * setup-node's reading of a version file: package.json's volta.node, devEngines.runtime
 * (node), engines.node, then volta.extends; an action.yml's `using: nodeNN`; otherwise
 * the first line like `20`, `v20.1.0`, `lts/iron` or `nodejs 20.1.0` (.nvmrc,
 * .node-version, .tool-versions). Undefined when a package.json names no version.
 */
export function nodeVersionFromFileText(text: string, file: string): string | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    manifest = undefined;
  }
  if (typeof manifest === 'object' && manifest !== null) return nodeVersionFromManifest(manifest as PackageManifest, file);
  const actionRuntime = /^\s+using:\s*['"]?node(\d+)['"]?\s*(?:#.*)?$/m.exec(text);
  if (actionRuntime) return actionRuntime[1];
  const line = /^(?:node(?:js)?\s+)?v?([^\s]+)$/m.exec(text);
  return line?.[1] ?? (text.trim() || undefined);
}

interface PackageManifest {
  volta?: { node?: string; extends?: string };
  devEngines?: { runtime?: RuntimeEntry | RuntimeEntry[] };
  engines?: { node?: string };
}

interface RuntimeEntry {
  name?: string;
  version?: string;
}

function nodeVersionFromManifest(manifest: PackageManifest, file: string): string | undefined {
  if (typeof manifest.volta?.node === 'string') return manifest.volta.node;
  const runtimes = manifest.devEngines?.runtime === undefined ? [] : [manifest.devEngines.runtime].flat();
  const runtime = runtimes.find((entry) => entry.name?.toLowerCase() === 'node' && entry.version);
  if (runtime?.version) return runtime.version;
  if (typeof manifest.engines?.node === 'string') return manifest.engines.node;
  if (typeof manifest.volta?.extends === 'string') return readNodeVersionFile(path.resolve(path.dirname(file), manifest.volta.extends));
  return undefined;
}

export function readNodeVersionFile(file: string): string | undefined {
  if (!existsSync(file)) throw new Error(`node-version-file '${file}' does not exist`);
  return nodeVersionFromFileText(readFileSync(file, 'utf8'), file);
}

/** node-version or, without it, what node-version-file names (relative to the workspace). Empty: no version asked for. */
export function requestedNodeVersion(inputs: { version: string; versionFile: string }, workspace: string, log: (line: string) => void): string {
  if (inputs.version) {
    if (inputs.versionFile) log('Warning: both node-version and node-version-file are given; node-version is used');
    return inputs.version;
  }
  if (!inputs.versionFile) return '';
  const location = path.resolve(workspace, inputs.versionFile);
  if (!existsSync(location)) throw new Error(`node-version-file '${inputs.versionFile}' does not exist (looked at ${location})`);
  const version = readNodeVersionFile(location);
  if (!version) throw new Error(`node-version-file '${inputs.versionFile}' names no Node.js version`);
  log(`Resolved ${inputs.versionFile} as ${version}`);
  return version;
}
