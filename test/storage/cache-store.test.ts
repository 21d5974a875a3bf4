// The cache store's guarantees: a crash mid-upload leaves nothing a restore
// returns, least recently used entries go first at the size limit.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CacheStore } from '../../src/storage/cache/cache-store.ts';
import { startTestServer } from './support.ts';

const fixture = fileURLToPath(new URL('./fixtures/serve-runtime.ts', import.meta.url));

async function put(store: CacheStore, key: string, content: string, scope = 'refs/heads/main') {
  const upload = await store.reserve(key, 'v1', scope);
  assert.ok(typeof upload === 'object', `reserve ${key}: ${String(upload)}`);
  const bytes = Buffer.from(content);
  await upload.writeChunk(0, bytes.length - 1, Readable.from([bytes]));
  return upload.commit(bytes.length);
}

describe('cache store', () => {
  const folders: string[] = [];
  after(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });
  const tempFolder = async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'gantry-cache-store-'));
    folders.push(folder);
    return folder;
  };

  it('a server killed mid-upload leaves no entry: a later restore misses and the store holds no partial archive', async () => {
    const root = await tempFolder();
    const cacheDir = path.join(root, 'cache');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, cacheDir, path.join(root, 'artifacts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const { url, token } = JSON.parse(line.toString()) as { url: string; token: string };
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const reserved = await fetch(`${url}_apis/artifactcache/caches`, { method: 'POST', headers, body: JSON.stringify({ key: 'crash', version: 'v1' }) });
      const { cacheId } = (await reserved.json()) as { cacheId: number };
      const first = await fetch(`${url}_apis/artifactcache/caches/${cacheId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-range': 'bytes 0-999/*' },
        body: Buffer.alloc(1000, 1),
      });
      assert.equal(first.status, 204);
      // The second chunk is still arriving when the server dies.
      let push: (chunk: Buffer | null) => void = () => {};
      const body = new ReadableStream<Uint8Array>({ start: (controller) => void (push = (chunk) => (chunk ? controller.enqueue(chunk) : controller.close())) });
      const second = fetch(`${url}_apis/artifactcache/caches/${cacheId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-range': 'bytes 1000-2999/*' },
        body,
        duplex: 'half',
      } as RequestInit).catch((error: unknown) => error);
      push(Buffer.alloc(500, 2));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const uploads = await readdir(path.join(cacheDir, 'uploads'));
      assert.equal(uploads.length, 1, 'the upload is in progress');
      child.kill('SIGKILL');
      await once(child, 'exit');
      await second;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    const store = await CacheStore.open({ root: cacheDir, maxBytes: 1 << 30 });
    assert.equal(await store.lookup(['crash'], 'v1', ['refs/heads/main']), undefined);
    assert.deepEqual(await readdir(path.join(cacheDir, 'entries')), []);
    assert.deepEqual(await readdir(path.join(cacheDir, 'uploads')), [], 'the dead upload was cleaned away');
    assert.deepEqual(await readdir(path.join(cacheDir, 'blobs', 'sha256')), []);
    // The key is free again.
    const entry = await put(store, 'crash', 'now complete');
    assert.equal((await store.lookup(['crash'], 'v1', ['refs/heads/main']))?.id, entry.id);
  });

  it('a commit with fewer bytes than claimed is refused and leaves nothing', async () => {
    const store = await CacheStore.open({ root: await tempFolder(), maxBytes: 1 << 30 });
    const upload = await store.reserve('short', 'v1', 'refs/heads/main');
    assert.ok(typeof upload === 'object');
    await upload.writeChunk(0, 9, Readable.from([Buffer.alloc(10)]));
    await assert.rejects(upload.commit(20), /10 of the 20 bytes/);
    assert.equal(await store.lookup(['short'], 'v1', ['refs/heads/main']), undefined);
    assert.deepEqual(await readdir(path.join(store.root, 'uploads')), []);
  });

  it('evicts the least recently used entries beyond the size limit', async () => {
    const store = await CacheStore.open({ root: await tempFolder(), maxBytes: 2500 });
    await put(store, 'a', 'a'.repeat(1000));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await put(store, 'b', 'b'.repeat(1000));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(await store.lookup(['a'], 'v1', ['refs/heads/main']), 'a is used, so b is now the least recently used');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await put(store, 'c', 'c'.repeat(1000));
    const keys = (await store.entries()).map((e) => e.key).sort();
    assert.deepEqual(keys, ['a', 'c']);
    const blobs = await readdir(path.join(store.root, 'blobs', 'sha256'), { recursive: true });
    assert.equal(blobs.filter((name) => name.includes('/')).length, 2, "b's archive is gone too");
  });

  it('keeps one archive for equal content under two keys', async () => {
    const store = await CacheStore.open({ root: await tempFolder(), maxBytes: 1 << 30 });
    const one = await put(store, 'same-1', 'identical');
    const two = await put(store, 'same-2', 'identical');
    assert.equal(one.blob, two.blob);
    const blobs = await readdir(path.join(store.root, 'blobs', 'sha256'), { recursive: true });
    assert.equal(blobs.filter((name) => name.includes('/')).length, 1);
  });

  it('refuses keys GitHub refuses', async () => {
    const store = await CacheStore.open({ root: await tempFolder(), maxBytes: 1 << 30 });
    await assert.rejects(store.reserve('a,b', 'v1', 'refs/heads/main'), /commas/);
    await assert.rejects(store.reserve('x'.repeat(513), 'v1', 'refs/heads/main'), /longer than 512/);
    await assert.rejects(store.reserve('', 'v1', 'refs/heads/main'), /empty/);
  });

  it('the HTTP service serves no archive for a traversal-shaped or unsigned id', async () => {
    const test = await startTestServer();
    try {
      await writeFile(path.join(test.root, 'secret.txt'), 'secret');
      for (const id of ['..%2F..%2Fsecret.txt', '%2e%2e', 'a'.repeat(64)]) {
        const response = await fetch(`${test.server.url}_apis/artifactcache/archives/${id}`);
        assert.ok([403, 404].includes(response.status), `${id}: ${response.status}`);
        assert.doesNotMatch(await response.text(), /secret/);
      }
    } finally {
      await test.stop();
    }
  });
});
