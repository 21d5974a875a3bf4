// `actions/download-artifact` (v4), built in: one artifact by name into `path`,
// or every artifact of the run (those whose name matches `pattern`), each in a
// folder of its own name unless merge-multiple. Archives are extracted only
// when no entry would land outside the destination.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { BuiltinAction } from '../types.ts';
import { extractZip } from './artifact-zip.ts';
import { ArtifactClient, type ArtifactListing } from './runtime-client.ts';
import { booleanInput, homeFolder, input, jobTempFolder } from './toolchains.ts';

export const downloadArtifact: BuiltinAction = {
  name: 'actions/download-artifact',
  run: async (context) => {
    const name = input(context.inputs, 'name');
    const pattern = input(context.inputs, 'pattern');
    const mergeMultiple = booleanInput(context.inputs, 'merge-multiple', false);
    for (const ignored of ['github-token', 'repository', 'run-id']) {
      if (input(context.inputs, ignored)) context.log(`${ignored}: ignored; the built-in downloads artifacts of this run only`);
    }
    const written = input(context.inputs, 'path');
    const expanded = written === '~' || written.startsWith('~/') ? homeFolder(context.env) + written.slice(1) : written;
    const destination = path.resolve(context.workspace, expanded || '.');
    const client = new ArtifactClient(context.env, context.signal);

    let artifacts: ArtifactListing[];
    if (name) {
      artifacts = await client.list(name);
      if (artifacts.length === 0) throw new Error(`Unable to download artifact(s): Artifact not found for name: ${name}`);
    } else {
      artifacts = await client.list();
      if (pattern) {
        const matches = picomatch(pattern, { dot: true });
        artifacts = artifacts.filter((artifact) => matches(artifact.name));
      }
      if (artifacts.length === 0) context.log(`No artifacts found${pattern ? ` matching the pattern ${pattern}` : ''} in this run`);
    }
    const ids = input(context.inputs, 'artifact-ids');
    if (ids) {
      const wanted = new Set(ids.split(',').map((id) => Number(id.trim())));
      artifacts = artifacts.filter((artifact) => wanted.has(artifact.id));
    }
    const parent = jobTempFolder(context.env, 'gantry-download-artifact');
    await mkdir(parent, { recursive: true });
    const scratch = await mkdtemp(path.join(parent, 'zip-'));
    try {
      for (const artifact of artifacts) {
        const target = name || mergeMultiple ? destination : path.join(destination, artifact.name);
        const zipFile = path.join(scratch, `${artifact.id}.zip`);
        await client.download(artifact.name, zipFile);
        const count = await extractZip(zipFile, target);
        context.log(`Artifact '${artifact.name}' (ID: ${artifact.id}, ${count} file${count === 1 ? '' : 's'}) downloaded to ${target}`);
        await rm(zipFile, { force: true });
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    context.log('Total of ' + artifacts.length + ' artifact(s) downloaded');
    context.setOutput('download-path', destination);
  },
};
