import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Fastify from 'fastify';
import { registerWebUi } from '../../src/server/web-ui.ts';

async function serve(root: string) {
  const app = Fastify();
  app.get('/api/known', async () => ({ ok: true }));
  await registerWebUi(app, root);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, address };
}

test('the built app is served at / and for its own routes, assets with a long cache, the API untouched', async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'gantry-web-ui-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  const { app, address } = await serve(root);
  t.after(() => app.close());

  for (const page of ['/', '/runs/12', '/settings/tokens?x=1']) {
    const response = await fetch(`${address}${page}`);
    assert.equal(response.status, 200, page);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.match(await response.text(), /id="root"/);
  }
  const asset = await fetch(`${address}/assets/index-abc123.js`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.equal(await asset.text(), 'console.log(1)');

  assert.deepEqual(await (await fetch(`${address}/api/known`)).json(), { ok: true });
  const unknown = await fetch(`${address}/api/unknown`);
  assert.equal(unknown.status, 404);
  assert.doesNotMatch(await unknown.text(), /id="root"/);
  assert.equal((await fetch(`${address}/hooks/nothing`)).status, 404);
  const missingAsset = await fetch(`${address}/assets/index-gone.js`);
  assert.equal(missingAsset.status, 404);
  assert.doesNotMatch(await missingAsset.text(), /id="root"/);
});

test('without a build, / says how to build the app', async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'gantry-web-ui-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const { app, address } = await serve(root);
  t.after(() => app.close());
  const response = await fetch(`${address}/`);
  assert.equal(response.status, 503);
  const { error } = (await response.json()) as { error: { code: string; message: string } };
  assert.equal(error.code, 'web_ui_not_built');
  assert.match(error.message, /npm run web:build/);
});
