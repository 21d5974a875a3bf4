// `actions/upload-artifact` (v4), built in: the files the path patterns match
// (hidden ones only with include-hidden-files), zipped relative to the least
// common ancestor of the patterns' search paths, stored as an artifact of this
// run through the artifact service.

import { statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BuiltinAction, BuiltinActionContext } from '../types.ts';
import { writeZip } from './artifact-zip.ts';
import { globPaths, patternLines, searchPaths } from './glob-paths.ts';
import { ArtifactClient } from './runtime-client.ts';
import { booleanInput, homeFolder, input, jobTempFolder } from './toolchains.ts';

/** The deepest folder every path is in (upload-artifact's getMultiPathLCA). */
function commonAncestor(paths: readonly string[]): string {
  const split = paths.map((p) => p.split('/'));
  const first = split[0] ?? [];
  let depth = 0;
  while (depth < first.length && split.every((parts) => parts[depth] === first[depth])) depth++;
  return first.slice(0, depth).join('/') || '/';
}

/** The files to upload and the folder their names in the zip are relative to. */
export function filesToUpload(patterns: readonly string[], options: { workspace: string; home: string; includeHidden: boolean }) {
  const globOptions = { workspace: options.workspace, home: options.home, implicitDescendants: true, excludeHidden: !options.includeHidden };
  const seen = new Set<string>();
  const files = globPaths(patterns, globOptions).filter((file) => {
    if (!isFile(file) || seen.has(file.toLowerCase())) return false;
    seen.add(file.toLowerCase());
    return true;
  });
  const roots = searchPaths(patterns, globOptions);
  let root: string;
  if (roots.length > 1) root = commonAncestor(roots);
  else if (files.length === 1 && roots[0] === files[0]) root = path.dirname(files[0]!);
  else root = roots[0] ?? options.workspace;
  return { files, root };
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

function retention(context: BuiltinActionContext): Date | undefined {
  const text = input(context.inputs, 'retention-days');
  if (!text) return undefined;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 0) throw new Error(`retention-days is '${text}'; it takes a whole number of days (1 to 90, 0 for the default)`);
  if (days === 0) return undefined;
  const limit = Number(context.env.GITHUB_RETENTION_DAYS || 90);
  const kept = Math.min(days, limit);
  if (kept < days) context.log(`Warning: Retention days cannot be greater than the maximum allowed retention set within the repository. Using ${limit} instead.`);
  return new Date(Date.now() + kept * 86_400_000);
}

function compressionLevel(context: BuiltinActionContext): number {
  const text = input(context.inputs, 'compression-level') || '6';
  const level = Number(text);
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new Error(`compression-level is '${text}'; it takes 0 to 9`);
  return level;
}

export const uploadArtifact: BuiltinAction = {
  name: 'actions/upload-artifact',
  run: async (context) => {
    const name = input(context.inputs, 'name') || 'artifact';
    const patterns = patternLines(context.inputs.path ?? '');
    if (patterns.length === 0) throw new Error('Input required and not supplied: path');
    const ifNoFiles = input(context.inputs, 'if-no-files-found') || 'warn';
    if (!['warn', 'error', 'ignore'].includes(ifNoFiles)) {
      throw new Error(`Unrecognized if-no-files-found input. Provided: ${ifNoFiles}. Available options: warn, error, ignore`);
    }
    const expiresAt = retention(context);
    const level = compressionLevel(context);
    const { files, root } = filesToUpload(patterns, {
      workspace: context.workspace,
      home: homeFolder(context.env),
      includeHidden: booleanInput(context.inputs, 'include-hidden-files', false),
    });
    if (files.length === 0) {
      const message = `No files were found with the provided path: ${patterns.join('\n')}. No artifacts will be uploaded.`;
      if (ifNoFiles === 'error') throw new Error(message);
      context.log(ifNoFiles === 'warn' ? `Warning: ${message}` : message);
      return;
    }
    context.log(`With the provided path, there will be ${files.length} file${files.length === 1 ? '' : 's'} uploaded`);
    const client = new ArtifactClient(context.env, context.signal);
    if (booleanInput(context.inputs, 'overwrite', false)) {
      const [existing] = await client.list(name);
      if (existing) {
        await client.delete(name);
        context.log(`Artifact '${name}' (ID: ${existing.id}) deleted`);
      }
    }
    const parent = jobTempFolder(context.env, 'gantry-upload-artifact');
    await mkdir(parent, { recursive: true });
    const folder = await mkdtemp(path.join(parent, 'zip-'));
    try {
      const zipFile = path.join(folder, `${name}.zip`);
      const { digest } = await writeZip(zipFile, root, files, level);
      const id = await client.upload(name, zipFile, { digest, ...(expiresAt ? { expiresAt } : {}) });
      const size = (await stat(zipFile)).size;
      context.log(`Artifact ${name} has been successfully uploaded! Final size is ${size} bytes. Artifact ID is ${id}`);
      context.setOutput('artifact-id', String(id));
      context.setOutput('artifact-digest', digest.replace(/^sha256:/, ''));
      const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: run } = context.env;
      context.setOutput('artifact-url', `${server}/${repository}/actions/runs/${run}/artifacts/${id}`);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  },
};
