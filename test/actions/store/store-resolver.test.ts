import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ActionStore } from '../../../src/actions/store/action-store.ts';
import { parseActionReference, StoreActionResolver } from '../../../src/actions/store/store-resolver.ts';
import { ActionResolutionError, type BuiltinAction } from '../../../src/actions/types.ts';
import { compositeAction, createServedRepositories, type ServedRepositories } from './fixtures.ts';
import { startGitDaemon, type GitDaemon } from './git-server.ts';

const checkout: BuiltinAction = { name: 'actions/checkout', run: async () => {} };

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ActionResolutionError, `expected ActionResolutionError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), `the message is one line: ${error.message}`);
    return true;
  });
}

describe('StoreActionResolver', () => {
  let root: string;
  let workspace: string;
  let served: ServedRepositories;
  let daemon: GitDaemon;
  let store: ActionStore;
  let resolver: StoreActionResolver;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'gantry-store-resolver-'));
    const serverRoot = path.join(root, 'server');
    await mkdir(serverRoot);
    served = await createServedRepositories(serverRoot);
    daemon = await startGitDaemon(serverRoot);
    store = new ActionStore({ serverUrl: daemon.url, cacheDir: path.join(root, 'cache') });
    resolver = new StoreActionResolver({ builtins: [checkout], store });
    workspace = path.join(root, 'workspace');
    await mkdir(path.join(workspace, 'local'), { recursive: true });
    await writeFile(path.join(workspace, 'local', 'action.yml'), compositeAction('local'));
  });

  after(async () => {
    await daemon?.stop();
    await served?.remove();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('resolves built-ins first, without fetching', async () => {
    const resolved = await resolver.resolve('actions/checkout@v4', workspace);
    assert.equal(resolved.kind, 'builtin');
    assert.deepEqual(await store.list(), []);
  });

  it('resolves ./path in the workspace and refuses docker:// and malformed references as before', async () => {
    const local = await resolver.resolve('./local', workspace);
    assert.ok(local.kind === 'definition');
    assert.equal(local.directory, path.join(workspace, 'local'));
    await rejectsWith(resolver.resolve('docker://alpine:3.20', workspace), /^docker:\/\/alpine:3\.20: .*container engine/);
    await rejectsWith(resolver.resolve('checkout@v4', workspace), /not an action reference/);
    await rejectsWith(resolver.resolve('acme/hello', workspace), /a ref is required/);
  });

  it('fetches a composite action at the root of a repository', async () => {
    const resolved = await resolver.resolve('acme/hello@v1', workspace);
    assert.ok(resolved.kind === 'definition');
    assert.equal(resolved.uses, 'acme/hello@v1');
    assert.equal(resolved.directory, store.entryDirectory('acme', 'hello', 'v1'));
    assert.equal(resolved.definition.runs.using, 'composite');
    assert.equal(resolved.definition.description, 'first');
  });

  it('fetches a node action at the root, and one under a path in the repository', async () => {
    const root = await resolver.resolve('acme/node-action@v1', workspace);
    assert.ok(root.kind === 'definition');
    assert.equal(root.definition.runs.using, 'node20');
    assert.equal(root.definition.name, 'Node one');
    const sub = await resolver.resolve('acme/hello/greet@main', workspace);
    assert.ok(sub.kind === 'definition');
    assert.equal(sub.directory, path.join(store.entryDirectory('acme', 'hello', 'main'), 'greet'));
    assert.equal(sub.definition.name, 'Greet');
    assert.equal(sub.definition.runs.using, 'node20');
  });

  it('pins by SHA through uses:', async () => {
    const resolved = await resolver.resolve(`acme/hello@${served.hello.first}`, workspace);
    assert.ok(resolved.kind === 'definition');
    assert.equal(resolved.definition.description, 'first');
  });

  it('refuses an invalid action file with its first diagnostic as file:line:col', async () => {
    await rejectsWith(
      resolver.resolve('acme/hello/broken@v1', workspace),
      /^acme\/hello\/broken@v1: the action file is invalid: \/.*[/\\]acme[/\\]hello[/\\]v1[/\\]broken[/\\]action\.yml:6:7: a `run:` step in a composite action needs `shell:`$/,
    );
  });

  it('names a missing folder, a folder without an action file, and a Dockerfile-only folder', async () => {
    await rejectsWith(resolver.resolve('acme/hello/nowhere@v1', workspace), /^acme\/hello\/nowhere@v1: acme\/hello@v1 \(commit [0-9a-f]{12}\) has no folder nowhere/);
    await rejectsWith(resolver.resolve('acme/hello/.github@v1', workspace), /has no folder \.github|no action\.yml or action\.yaml/);
    await rejectsWith(resolver.resolve('acme/hello/container@v1', workspace), /Dockerfile but no action\.yml.*container engine/);
    await rejectsWith(resolver.resolve('acme/hello/../x@v1', workspace), /must not contain "\." or "\.\." segments/);
  });

  it('passes on the store\'s one-line errors (unknown ref, server down, offline)', async () => {
    await rejectsWith(resolver.resolve('acme/hello@nope', workspace), /^cannot fetch "acme\/hello@nope" from .*no tag or branch "nope"/);
    await daemon.stop();
    await rejectsWith(resolver.resolve('acme/node-action@main', workspace), /^cannot fetch "acme\/node-action@main" .*`gantry actions add acme\/node-action@main --from PATH`$/);
    const offline = new StoreActionResolver({ builtins: [], store: new ActionStore({ serverUrl: daemon.url, cacheDir: store.cacheDir, offline: true }) });
    const cached = await offline.resolve('acme/hello/greet@main', workspace);
    assert.ok(cached.kind === 'definition');
  });

  it('resolves an action added from a local folder, offline', async () => {
    const folder = path.join(root, 'copy-of-tool');
    await mkdir(path.join(folder, 'lint'), { recursive: true });
    await writeFile(path.join(folder, 'lint', 'action.yml'), compositeAction('added by hand'));
    const offlineStore = new ActionStore({ serverUrl: 'https://github.com', cacheDir: store.cacheDir, offline: true });
    await offlineStore.add('octo', 'tools', 'v2', folder);
    const resolved = await new StoreActionResolver({ builtins: [], store: offlineStore }).resolve('octo/tools/lint@v2', workspace);
    assert.ok(resolved.kind === 'definition');
    assert.equal(resolved.definition.description, 'added by hand');
  });
});

describe('parseActionReference', () => {
  it('splits owner/repo[/path]@ref', () => {
    assert.deepEqual(parseActionReference('actions/checkout@v4'), { owner: 'actions', repo: 'checkout', path: '', ref: 'v4' });
    assert.deepEqual(parseActionReference('octo/tools/a/b@release/v2'), { owner: 'octo', repo: 'tools', path: 'a/b', ref: 'release/v2' });
  });

  it('refuses anything else in one line', () => {
    for (const text of ['actions/checkout', 'checkout@v4', './local@v1', 'a//b@v1', 'a/b@v1@v2', 'docker://alpine']) {
      assert.throws(() => parseActionReference(text), ActionResolutionError, text);
    }
  });
});
