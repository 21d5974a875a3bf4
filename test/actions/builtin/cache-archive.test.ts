// The built-in cache makes the same versions and archives as @actions/cache.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheVersion, compressionMethod, createArchive, extractArchive } from '../../../src/actions/builtin/cache-archive.ts';
import { writeTree } from '../../storage/support.ts';

// The toolkit's own helpers, which its package exports do not expose by name.
const internals = fileURLToPath(new URL('../../../node_modules/@actions/cache/lib/internal/cacheUtils.js', import.meta.url));
const cacheUtils = (await import(pathToFileURL(internals).href)) as {
  getCompressionMethod(): Promise<string>;
  getCacheVersion(paths: string[], compressionMethod?: string): string;
};

describe('cache archives', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'gantry-cache-archive-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('computes the version and chooses the compression as the toolkit does', async () => {
    const env = { PATH: process.env.PATH ?? '' };
    const method = await compressionMethod(env);
    assert.equal(method, await cacheUtils.getCompressionMethod());
    for (const paths of [['node_modules'], ['~/.npm', 'dist/**', '!dist/tmp']]) {
      assert.equal(cacheVersion(paths, method), cacheUtils.getCacheVersion(paths, method));
      assert.equal(cacheVersion(paths, 'gzip'), cacheUtils.getCacheVersion(paths, 'gzip'));
    }
  });

  for (const method of ['zstd-without-long', 'gzip'] as const) {
    it(`archives and extracts relative to the workspace (${method})`, async () => {
      const workspace = path.join(root, `ws-${method}`);
      await writeTree(workspace, { 'deps/a.txt': 'a', 'deps/b/c.txt': 'c' });
      const folder = await mkdtemp(path.join(root, 'archive-'));
      const options = { env: { PATH: process.env.PATH ?? '' }, signal: new AbortController().signal };
      const archive = await createArchive(folder, workspace, ['deps'], method, options);
      const other = path.join(root, `restored-${method}`);
      await writeTree(other, {});
      await extractArchive(archive, other, method, options);
      assert.equal(await readFile(path.join(other, 'deps/b/c.txt'), 'utf8'), 'c');
    });
  }
});
