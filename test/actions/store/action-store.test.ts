import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ActionStore, defaultCacheDir, STORE_METADATA_FILE } from '../../../src/actions/store/action-store.ts';
import { ActionResolutionError } from '../../../src/actions/types.ts';
import { compositeAction, createServedRepositories, type ServedRepositories } from './fixtures.ts';
import { startGitDaemon, type GitDaemon } from './git-server.ts';

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ActionResolutionError, `expected ActionResolutionError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), `the message is one line: ${error.message}`);
    return true;
  });
}

async function exists(target: string): Promise<boolean> {
  return access(target).then(
    () => true,
    () => false,
  );
}

/** Names in the repository folder of the store other than entries: temporary folders left behind. */
async function leftovers(store: ActionStore, owner: string, repo: string): Promise<string[]> {
  const folder = path.dirname(store.entryDirectory(owner, repo, 'x'));
  return (await readdir(folder).catch(() => [])).filter((name) => name.startsWith('.'));
}

/** Runs `body` with git reading `key=value` as configuration (GIT_CONFIG_COUNT), as a user's config would. */
async function withGitConfig<T>(key: string, value: string, body: () => Promise<T>): Promise<T> {
  const saved = { count: process.env.GIT_CONFIG_COUNT, key: process.env.GIT_CONFIG_KEY_0, value: process.env.GIT_CONFIG_VALUE_0 };
  Object.assign(process.env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: key, GIT_CONFIG_VALUE_0: value });
  try {
    return await body();
  } finally {
    for (const [name, previous] of [
      ['GIT_CONFIG_COUNT', saved.count],
      ['GIT_CONFIG_KEY_0', saved.key],
      ['GIT_CONFIG_VALUE_0', saved.value],
    ] as const) {
      if (previous === undefined) delete process.env[name];
      else process.env[name] = previous;
    }
  }
}

describe('ActionStore', () => {
  let root: string;
  let served: ServedRepositories;
  let daemon: GitDaemon;
  let cacheDir: string;
  let store: ActionStore;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'gantry-store-'));
    const serverRoot = path.join(root, 'server');
    await mkdir(serverRoot);
    served = await createServedRepositories(serverRoot);
    daemon = await startGitDaemon(serverRoot);
    cacheDir = path.join(root, 'cache');
    store = new ActionStore({ serverUrl: daemon.url, cacheDir });
  });

  after(async () => {
    await daemon?.stop();
    await served?.remove();
    if (root) await rm(root, { recursive: true, force: true });
  });

  describe('fetching from a git server', () => {
    it('fetches a tag (annotated, peeled to its commit) into <cache>/<host>/<owner>/<repo>/<ref>, without .git', async () => {
      const fetched = await store.fetch('acme', 'hello', 'v1');
      assert.equal(fetched.directory, path.join(cacheDir, `127.0.0.1_${daemon.port}`, 'acme', 'hello', 'v1'));
      assert.equal(fetched.commit, served.hello.first);
      assert.equal(fetched.source, 'git');
      assert.equal(await readFile(path.join(fetched.directory, 'action.yml'), 'utf8'), compositeAction('first'));
      assert.ok(await exists(path.join(fetched.directory, 'greet', 'index.js')));
      assert.equal(await exists(path.join(fetched.directory, '.git')), false);
      const metadata = JSON.parse(await readFile(path.join(fetched.directory, STORE_METADATA_FILE), 'utf8'));
      assert.equal(metadata.commit, served.hello.first);
      assert.equal(metadata.from, `${daemon.url}/acme/hello`);
      assert.deepEqual(await leftovers(store, 'acme', 'hello'), []);
    });

    it('fetches a branch at its tip', async () => {
      const fetched = await store.fetch('acme', 'hello', 'main');
      assert.equal(fetched.commit, served.hello.second);
      assert.equal(await readFile(path.join(fetched.directory, 'action.yml'), 'utf8'), compositeAction('second'));
    });

    it('keeps a ref with a slash in one folder', async () => {
      const fetched = await store.fetch('acme', 'hello', 'release/v2');
      assert.equal(path.basename(fetched.directory), 'release%2Fv2');
      assert.equal(fetched.commit, served.hello.first);
    });

    it('fetches a pinned full SHA that is not a branch tip, and verifies it', async () => {
      const fetched = await store.fetch('acme', 'hello', served.hello.first);
      assert.equal(fetched.commit, served.hello.first);
      assert.equal(path.basename(fetched.directory), served.hello.first);
      assert.equal(await readFile(path.join(fetched.directory, 'action.yml'), 'utf8'), compositeAction('first'));
    });

    it('falls back to fetching every branch when the server refuses a commit by SHA', async () => {
      // Protocol v0 and no uploadpack.allow*SHA1InWant on acme/node-action: the server refuses.
      const fetched = await withGitConfig('protocol.version', '0', () => store.fetch('acme', 'node-action', served.node.middle));
      assert.equal(fetched.commit, served.node.middle);
      assert.match(await readFile(path.join(fetched.directory, 'action.yml'), 'utf8'), /Node middle/);
    });

    it('refuses a pinned SHA that is not in the repository, storing nothing', async () => {
      const wrong = 'deadbeef'.repeat(5);
      await rejectsWith(store.fetch('acme', 'hello', wrong), new RegExp(`^cannot fetch "acme/hello@${wrong}" from git://127\\.0\\.0\\.1:\\d+: no commit ${wrong}`));
      assert.equal(await exists(store.entryDirectory('acme', 'hello', wrong)), false);
      assert.deepEqual(await leftovers(store, 'acme', 'hello'), []);
    });

    it('names an unknown ref in one line', async () => {
      await rejectsWith(store.fetch('acme', 'hello', 'v9'), /^cannot fetch "acme\/hello@v9" from git:\/\/\S+: acme\/hello has no tag or branch "v9"; use an existing tag/);
      assert.equal(await exists(store.entryDirectory('acme', 'hello', 'v9')), false);
    });

    it('names an unknown repository', async () => {
      await rejectsWith(store.fetch('acme', 'missing', 'v1'), /^cannot fetch "acme\/missing@v1" from \S+: no repository acme\/missing there \(.*not exported.*\);.*gantry actions add acme\/missing@v1 --from PATH`$/);
    });

    it('refuses refs and names git would misread, without running git', async () => {
      await rejectsWith(store.fetch('acme', 'hello', '--upload-pack=touch x'), /is not a git tag, branch or commit SHA/);
      await rejectsWith(store.fetch('acme', 'hello', 'main:refs/heads/evil'), /is not a git tag, branch or commit SHA/);
      await rejectsWith(store.fetch('..', 'hello', 'v1'), /is not a repository owner or name/);
    });

    it('fetches once when asked twice at the same time', async () => {
      const [a, b] = await Promise.all([store.fetch('acme', 'node-action', 'v1'), store.fetch('acme', 'node-action', 'v1')]);
      assert.equal(a.commit, served.node.first);
      assert.deepEqual(a, b);
    });

    it('reuses a cached branch as is; refresh fetches it again', async () => {
      await served.node.work.write('action.yml', compositeAction('third'));
      const third = await served.node.work.commit('third');
      await served.node.work.git('push', '-q', served.node.bare, 'main');
      const first = await store.fetch('acme', 'node-action', 'main');
      assert.equal(first.commit, third);
      await served.node.work.write('action.yml', compositeAction('fourth'));
      const fourth = await served.node.work.commit('fourth');
      await served.node.work.git('push', '-q', served.node.bare, 'main');
      assert.equal((await new ActionStore({ serverUrl: daemon.url, cacheDir }).fetch('acme', 'node-action', 'main')).commit, third);
      const refreshed = await new ActionStore({ serverUrl: daemon.url, cacheDir, refresh: true }).fetch('acme', 'node-action', 'main');
      assert.equal(refreshed.commit, fourth);
      assert.equal(await readFile(path.join(refreshed.directory, 'action.yml'), 'utf8'), compositeAction('fourth'));
      assert.deepEqual(await leftovers(store, 'acme', 'node-action'), []);
    });

    it('refuses a cached copy of a pinned SHA whose commit is another', async () => {
      const fetched = await store.fetch('acme', 'hello', served.hello.first);
      const file = path.join(fetched.directory, STORE_METADATA_FILE);
      const original = await readFile(file, 'utf8');
      await writeFile(file, original.replace(`"commit": "${served.hello.first}"`, `"commit": "${served.hello.second}"`));
      try {
        await rejectsWith(store.fetch('acme', 'hello', served.hello.first), /store's copy .* is commit \w+, not the pinned \w+; remove that folder/);
      } finally {
        await writeFile(file, original);
      }
    });

    it('fetches from a file:// server URL', async () => {
      const fileStore = new ActionStore({ serverUrl: `file://${path.join(root, 'server')}`, cacheDir });
      const fetched = await fileStore.fetch('acme', 'hello', 'v1');
      assert.equal(fetched.commit, served.hello.first);
      assert.match(path.relative(cacheDir, fetched.directory), /^file_.*server[/\\]acme[/\\]hello[/\\]v1$/);
      await rejectsWith(fileStore.fetch('acme', 'nothing', 'v1'), /no repository acme\/nothing there \(.*does not appear to be a git repository/);
    });
  });

  describe('when the server is down', () => {
    before(async () => {
      await daemon.stop();
    });

    it('reuses the cache without contacting the server (a new store, the daemon stopped)', async () => {
      const again = new ActionStore({ serverUrl: daemon.url, cacheDir });
      const fetched = await again.fetch('acme', 'hello', 'v1');
      assert.equal(fetched.commit, served.hello.first);
      assert.equal(fetched.source, 'git');
      assert.equal((await again.fetch('acme', 'hello', 'main')).commit, served.hello.second);
    });

    it('says what failed and how to work offline when the action is not cached', async () => {
      await rejectsWith(
        store.fetch('acme', 'hello', 'v2'),
        /^cannot fetch "acme\/hello@v2" from git:\/\/127\.0\.0\.1:\d+: .*(Connection refused|unable to connect).*; to run offline, put a copy in the store with `gantry actions add acme\/hello@v2 --from PATH`$/,
      );
      assert.deepEqual(await leftovers(store, 'acme', 'hello'), []);
    });

    it('offline: cached entries resolve, others are refused without trying the network', async () => {
      const offline = new ActionStore({ serverUrl: 'https://github.invalid', cacheDir, offline: true });
      await rejectsWith(
        offline.fetch('acme', 'hello', 'v1'),
        /^cannot fetch "acme\/hello@v1" from https:\/\/github\.invalid: working offline and the store has no copy \(looked in .*github\.invalid.*\); to run offline, .*`gantry actions add acme\/hello@v1 --from PATH`$/,
      );
      const cached = new ActionStore({ serverUrl: daemon.url, cacheDir, offline: true, refresh: true });
      assert.equal((await cached.fetch('acme', 'hello', 'main')).commit, served.hello.second);
    });
  });

  describe('add and list', () => {
    let offline: ActionStore;
    let sources: string;

    before(async () => {
      sources = path.join(root, 'sources');
      offline = new ActionStore({ serverUrl: 'https://github.com', cacheDir, offline: true });
    });

    it('copies a plain folder (without .git folders) into the store, then serves it offline', async () => {
      const folder = path.join(sources, 'plain');
      await mkdir(path.join(folder, 'sub', '.git'), { recursive: true });
      await writeFile(path.join(folder, 'action.yml'), compositeAction('plain'));
      await writeFile(path.join(folder, 'sub', '.git', 'HEAD'), 'ref: refs/heads/main\n');
      const entry = await offline.add('octo', 'tool', 'v3', folder);
      assert.equal(entry.name, 'octo/tool@v3');
      assert.equal(entry.commit, undefined);
      assert.equal(entry.source, 'added');
      assert.equal(entry.directory, path.join(cacheDir, 'github.com', 'octo', 'tool', 'v3'));
      assert.equal(await exists(path.join(entry.directory, 'sub', '.git')), false);
      const fetched = await offline.fetch('octo', 'tool', 'v3');
      assert.deepEqual(fetched, { directory: entry.directory, commit: undefined, source: 'added' });
      assert.equal(await readFile(path.join(fetched.directory, 'action.yml'), 'utf8'), compositeAction('plain'));
    });

    it('copies the HEAD commit of a git repository (not .git, not uncommitted changes), replacing the entry', async () => {
      const work = served.hello.work;
      await writeFile(path.join(work.dir, 'uncommitted.txt'), 'not committed\n');
      try {
        const entry = await offline.add('octo', 'tool', 'v3', work.dir);
        assert.equal(entry.commit, served.hello.second);
        assert.equal(await exists(path.join(entry.directory, '.git')), false);
        assert.equal(await exists(path.join(entry.directory, 'uncommitted.txt')), false);
        assert.equal(await readFile(path.join(entry.directory, 'action.yml'), 'utf8'), compositeAction('second'));
        assert.equal((await offline.fetch('octo', 'tool', 'v3')).commit, served.hello.second);
      } finally {
        await rm(path.join(work.dir, 'uncommitted.txt'));
      }
    });

    it('copies the pinned commit of a git repository for a SHA ref, and refuses a SHA it does not have', async () => {
      const entry = await offline.add('octo', 'tool', served.hello.first, served.hello.work.dir);
      assert.equal(entry.commit, served.hello.first);
      assert.equal(await readFile(path.join(entry.directory, 'action.yml'), 'utf8'), compositeAction('first'));
      const wrong = '0123456789'.repeat(4);
      await rejectsWith(offline.add('octo', 'tool', wrong, served.hello.work.dir), new RegExp(`cannot add "octo/tool@${wrong}" .* has no commit ${wrong}`));
      assert.deepEqual(await leftovers(offline, 'octo', 'tool'), []);
    });

    it('refuses a path that is not a folder', async () => {
      await rejectsWith(offline.add('octo', 'tool', 'v4', path.join(root, 'nowhere')), /^cannot add "octo\/tool@v4" to the action store: .*nowhere is not a folder$/);
    });

    it('lists every entry with its server, commit and folder', async () => {
      const entries = await offline.list();
      const nodeMain = await served.node.work.git('rev-parse', 'HEAD'); // after the refresh test's pushes
      const summary = entries.map((entry) => `${entry.name} ${entry.server} ${entry.commit ?? '-'} ${entry.source}`);
      assert.deepEqual(summary, [
        `acme/hello@${served.hello.first} ${daemon.url} ${served.hello.first} git`,
        `acme/hello@main ${daemon.url} ${served.hello.second} git`,
        `acme/hello@release/v2 ${daemon.url} ${served.hello.first} git`,
        `acme/hello@v1 file://${path.join(root, 'server')} ${served.hello.first} git`,
        `acme/hello@v1 ${daemon.url} ${served.hello.first} git`,
        `acme/node-action@${served.node.middle} ${daemon.url} ${served.node.middle} git`,
        `acme/node-action@main ${daemon.url} ${nodeMain} git`,
        `acme/node-action@v1 ${daemon.url} ${served.node.first} git`,
        `octo/tool@${served.hello.first} https://github.com ${served.hello.first} added`,
        `octo/tool@v3 https://github.com ${served.hello.second} added`,
      ]);
      for (const entry of entries) assert.ok(await exists(path.join(entry.directory, 'action.yml')), entry.directory);
    });
  });
});

describe('ActionStore configuration', () => {
  it('defaults to $XDG_CACHE_HOME/gantry/actions, else ~/.cache/gantry/actions', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' }, '/home/me'), path.join('/xdg', 'gantry', 'actions'));
    assert.equal(defaultCacheDir({}, '/home/me'), path.join('/home/me', '.cache', 'gantry', 'actions'));
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }, '/home/me'), path.join('/home/me', '.cache', 'gantry', 'actions'));
  });

  it('defaults to github.com and keeps each server in its own folder', () => {
    const github = new ActionStore({ cacheDir: '/c' });
    assert.equal(github.serverUrl, 'https://github.com');
    assert.equal(github.entryDirectory('actions', 'checkout', 'v4'), path.join('/c', 'github.com', 'actions', 'checkout', 'v4'));
    const enterprise = new ActionStore({ serverUrl: 'https://ghe.example.com:8443/', cacheDir: '/c' });
    assert.equal(enterprise.serverUrl, 'https://ghe.example.com:8443');
    assert.equal(enterprise.entryDirectory('a', 'b', 'v1'), path.join('/c', 'ghe.example.com_8443', 'a', 'b', 'v1'));
  });

  it('refuses server URLs git cannot fetch from', () => {
    assert.throws(() => new ActionStore({ serverUrl: 'ftp://example.com', cacheDir: '/c' }), /ftp: is not supported/);
    assert.throws(() => new ActionStore({ serverUrl: 'github.com', cacheDir: '/c' }), /invalid actions server URL "github\.com"/);
  });
});
