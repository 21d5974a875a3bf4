// The npm @actions/artifact client, unmodified, against Gantry's artifact service:
// two jobs of one run share artifacts; another run sees none of them.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DefaultArtifactClient } from '@actions/artifact';
import yazl from 'yazl';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { actAsJob, branch, restoreEnvironment, startTestServer, writeTree, type TestServer } from './support.ts';

describe('@actions/artifact against the artifact service', () => {
  let test: TestServer;
  let workspace: string;
  let run: string;

  before(async () => {
    test = await startTestServer();
    workspace = await mkdtemp(path.join(tmpdir(), 'gantry-artifact-ws-'));
    run = test.server.newRun();
  });
  after(async () => {
    restoreEnvironment();
    await test.stop();
    await rm(workspace, { recursive: true, force: true });
  });

  it('uploads in one job; another job of the run lists, downloads and deletes it', async () => {
    const producer = await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'out/report.txt': 'report', 'out/nested/data.json': '{"n":1}' });
    const client = new DefaultArtifactClient();
    const uploaded = await client.uploadArtifact('build-output', [path.join(workspace, 'out/report.txt'), path.join(workspace, 'out/nested/data.json')], path.join(workspace, 'out'), { retentionDays: 3 });
    assert.ok(uploaded.id && uploaded.id > 0);
    assert.ok(uploaded.size && uploaded.size > 0);

    await actAsJob(test.server, run, workspace, [branch('main')]);
    const consumer = new DefaultArtifactClient();
    const { artifacts } = await consumer.listArtifacts();
    assert.deepEqual(artifacts.map((a) => a.name), ['build-output']);
    assert.equal(artifacts[0]?.id, uploaded.id);
    assert.equal(artifacts[0]?.digest, uploaded.digest ? `sha256:${uploaded.digest}` : undefined);
    const stored = await test.server.artifacts.get(run, uploaded.id);
    assert.equal(stored?.jobBackendId, producer.jobBackendId);
    assert.equal(stored?.retentionDays, 3);

    const target = path.join(workspace, 'downloaded');
    const { artifact } = await consumer.getArtifact('build-output');
    const download = await consumer.downloadArtifact(artifact.id, { path: target, expectedHash: artifact.digest });
    assert.equal(download.digestMismatch, false);
    assert.equal(await readFile(path.join(target, 'report.txt'), 'utf8'), 'report');
    assert.equal(await readFile(path.join(target, 'nested/data.json'), 'utf8'), '{"n":1}');

    await consumer.deleteArtifact('build-output');
    assert.deepEqual((await consumer.listArtifacts()).artifacts, []);
  });

  it('a name used in the run is refused until it is deleted', async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'one.txt': '1' });
    const client = new DefaultArtifactClient();
    await client.uploadArtifact('unique', [path.join(workspace, 'one.txt')], workspace);
    await assert.rejects(client.uploadArtifact('unique', [path.join(workspace, 'one.txt')], workspace), /already exists/);
    await client.deleteArtifact('unique');
    await client.uploadArtifact('unique', [path.join(workspace, 'one.txt')], workspace);
  });

  it('concurrent uploads of two jobs get distinct ids', async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'p1.txt': 'one', 'p2.txt': 'two' });
    const client = new DefaultArtifactClient();
    const [one, two] = await Promise.all([
      client.uploadArtifact('parallel-1', [path.join(workspace, 'p1.txt')], workspace),
      client.uploadArtifact('parallel-2', [path.join(workspace, 'p2.txt')], workspace),
    ]);
    assert.notEqual(one.id, two.id);
    const listed = (await client.listArtifacts()).artifacts.filter((a) => a.name.startsWith('parallel-'));
    assert.deepEqual(listed.map((a) => a.name).sort(), ['parallel-1', 'parallel-2']);
  });

  it('a bigger artifact arrives in several blocks intact', async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    const big = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    await writeFile(path.join(workspace, 'big.bin'), big);
    const client = new DefaultArtifactClient();
    const { id } = await client.uploadArtifact('big', [path.join(workspace, 'big.bin')], workspace, { compressionLevel: 0 });
    const target = path.join(workspace, 'big-out');
    await client.downloadArtifact(id!, { path: target });
    assert.ok(big.equals(await readFile(path.join(target, 'big.bin'))));
  });

  it("another run's token sees none of this run's artifacts and cannot name its run", async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'mine.txt': 'mine' });
    await new DefaultArtifactClient().uploadArtifact('private', [path.join(workspace, 'mine.txt')], workspace);
    const stranger = await actAsJob(test.server, test.server.newRun(), workspace, [branch('main')]);
    assert.deepEqual((await new DefaultArtifactClient().listArtifacts()).artifacts, []);
    const response = await fetch(`${test.server.url}twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stranger.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workflow_run_backend_id: run, workflow_job_run_backend_id: stranger.jobBackendId }),
    });
    assert.equal(response.status, 403);
    const unauthenticated = await fetch(`${test.server.url}twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(unauthenticated.status, 401);
  });

  it("refuses names GitHub refuses", async () => {
    await actAsJob(test.server, run, workspace, [branch('main')]);
    await writeTree(workspace, { 'n.txt': 'n' });
    for (const name of ['a/b', '../up', 'x:y', 'q?']) {
      await assert.rejects(new DefaultArtifactClient().uploadArtifact(name, [path.join(workspace, 'n.txt')], workspace), /not valid|not allowed|Forward slash|Colon|Question/i, name);
    }
    const job = await actAsJob(test.server, run, workspace, [branch('main')]);
    const response = await fetch(`${test.server.url}twirp/github.actions.results.api.v1.ArtifactService/CreateArtifact`, {
      method: 'POST',
      headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ workflow_run_backend_id: run, workflow_job_run_backend_id: job.jobBackendId, name: '../../escape', version: 7 }),
    });
    assert.equal(response.status, 400, 'the service checks names itself, not only the client');
  });

  it('refuses to finalize a zip whose entries climb out of their folder', async () => {
    const job = await actAsJob(test.server, run, workspace, [branch('main')]);
    const zipFile = path.join(workspace, 'evil.zip');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('pwned'), 'XX/XX/evil.txt', { compress: false });
    zip.end();
    // yazl itself refuses '..' in names; rewrite the bytes after it wrote a same-length safe name.
    await pipeline(zip.outputStream, createWriteStream(zipFile));
    const bytes = Buffer.from((await readFile(zipFile)).toString('latin1').replaceAll('XX/XX/', '../../'), 'latin1');
    const call = (method: string, body: object) =>
      fetch(`${test.server.url}twirp/github.actions.results.api.v1.ArtifactService/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workflow_run_backend_id: run, workflow_job_run_backend_id: job.jobBackendId, ...body }),
      });
    const created = (await (await call('CreateArtifact', { name: 'evil', version: 7 })).json()) as { signed_upload_url: string };
    const put = await fetch(created.signed_upload_url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: bytes });
    assert.equal(put.status, 201);
    const finalized = await call('FinalizeArtifact', { name: 'evil', size: String(bytes.length) });
    assert.equal(finalized.status, 400);
    assert.match(((await finalized.json()) as { msg: string }).msg, /'\.\.\/\.\.\/evil\.txt' climbs out/);
    assert.ok((await test.server.artifacts.all(run)).every((a) => a.name !== 'evil'), 'nothing of it is kept');
    assert.equal((await test.server.artifacts.list(run, { name: 'evil' })).length, 0);
  });
});
