// The built-in cache and artifact actions refuse bad inputs in one line, as
// the real actions do, before they touch any service.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cacheAction, cacheRestoreAction } from '../../../src/actions/builtin/cache.ts';
import { downloadArtifact } from '../../../src/actions/builtin/download-artifact.ts';
import { uploadArtifact } from '../../../src/actions/builtin/upload-artifact.ts';
import { failureOf, runAction } from './support.ts';

describe('built-in cache and artifact inputs', () => {
  let workspace: string;
  const env = () => ({ PATH: process.env.PATH ?? '', RUNNER_TEMP: path.join(workspace, 'tmp') });
  before(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'gantry-builtin-inputs-'));
    await writeFile(path.join(workspace, 'file.txt'), 'x');
  });
  after(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('actions/cache needs key and path, and checks keys as the toolkit does', async () => {
    assert.equal(await failureOf(cacheAction, { path: 'x' }, env(), workspace), 'Input required and not supplied: key');
    assert.equal(await failureOf(cacheAction, { key: 'k' }, env(), workspace), 'Input required and not supplied: path');
    assert.match(await failureOf(cacheAction, { key: 'a,b', path: 'x' }, env(), workspace), /Key Validation Error: a,b cannot contain commas/);
    const many = Array.from({ length: 10 }, (_, i) => `k${i}`).join('\n');
    assert.match(await failureOf(cacheRestoreAction, { key: 'k', path: 'x', 'restore-keys': many }, env(), workspace), /limited to a maximum of 10/);
    assert.match(await failureOf(cacheAction, { key: 'k', path: 'x', 'lookup-only': 'yes' }, env(), workspace), /input 'lookup-only' is 'yes'; it takes true or false/);
  });

  it('without the run\'s services, says which variable is missing', async () => {
    assert.match(await failureOf(cacheAction, { key: 'k', path: 'x' }, env(), workspace), /cache service is not available to this step: ACTIONS_CACHE_URL is not set/);
    assert.match(await failureOf(downloadArtifact, { name: 'a' }, env(), workspace), /artifact service is not available to this step: ACTIONS_RESULTS_URL is not set/);
  });

  it('actions/upload-artifact: if-no-files-found, retention-days and compression-level', async () => {
    assert.match(
      await failureOf(uploadArtifact, { path: 'missing/*', 'if-no-files-found': 'error' }, env(), workspace),
      /No files were found with the provided path: missing\/\*\. No artifacts will be uploaded\./,
    );
    const ignored = await runAction(uploadArtifact, { path: 'missing/*', 'if-no-files-found': 'ignore' }, env(), workspace);
    assert.ok(ignored.logs.some((line) => !line.startsWith('Warning') && line.includes('No files were found')));
    assert.match(await failureOf(uploadArtifact, { path: 'file.txt', 'if-no-files-found': 'fail' }, env(), workspace), /Unrecognized if-no-files-found input\. Provided: fail/);
    assert.match(await failureOf(uploadArtifact, { path: 'file.txt', 'retention-days': 'soon' }, env(), workspace), /retention-days is 'soon'/);
    assert.match(await failureOf(uploadArtifact, { path: 'file.txt', 'compression-level': '11' }, env(), workspace), /compression-level is '11'; it takes 0 to 9/);
    assert.equal(await failureOf(uploadArtifact, {}, env(), workspace), 'Input required and not supplied: path');
  });
});
