import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalActionResolver } from '../../src/actions/local-resolver.ts';
import { ActionResolutionError, type BuiltinAction } from '../../src/actions/types.ts';

const checkout: BuiltinAction = { name: 'actions/checkout', run: async () => {} };
const cacheRestore: BuiltinAction = { name: 'actions/cache/restore', run: async () => {} };

const compositeAction = `name: Hello
description: Says hello
runs:
  using: composite
  steps:
    - run: echo hello
      shell: bash
`;

const nodeAction = `name: Node thing
runs:
  using: node20
  main: index.js
`;

const brokenAction = `name: Broken
description: Two mistakes
runs:
  using: composite
  steps:
    - run: echo no shell
    - uses: ./other
      shel: bash
`;

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ActionResolutionError, `expected ActionResolutionError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), 'the message is one line');
    return true;
  });
}

describe('LocalActionResolver', () => {
  let workspace: string;
  const resolver = new LocalActionResolver([checkout, cacheRestore]);

  async function write(relative: string, content: string) {
    const file = path.join(workspace, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }

  before(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'gantry-resolver-'));
    await write('.github/actions/hello/action.yml', compositeAction);
    await write('tools/yaml-only/action.yaml', nodeAction);
    await write('broken/action.yml', brokenAction);
    await write('container/Dockerfile', 'FROM alpine:3.20\n');
    await write('empty/README.md', '# not an action\n');
    await write('action.yml', nodeAction);
  });
  after(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  describe('built-in actions', () => {
    it('resolves a built-in by name, ignoring the ref', async () => {
      const resolved = await resolver.resolve('actions/checkout@v4', workspace);
      assert.equal(resolved.kind, 'builtin');
      assert.equal(resolved.action, checkout);
      assert.equal(resolved.uses, 'actions/checkout@v4');
    });

    it('matches names in any case and with a path inside the repository', async () => {
      assert.equal((await resolver.resolve('Actions/Checkout@main', workspace)).kind, 'builtin');
      const restore = await resolver.resolve('actions/cache/restore@v4', workspace);
      assert.ok(restore.kind === 'builtin');
      assert.equal(restore.action, cacheRestore);
    });

    it('requires a ref, as GitHub does', async () => {
      await rejectsWith(resolver.resolve('actions/checkout', workspace), /^actions\/checkout: a ref is required.*actions\/checkout@v4/);
    });
  });

  describe('local actions', () => {
    it('loads action.yml from a folder relative to the workspace', async () => {
      const resolved = await resolver.resolve('./.github/actions/hello', workspace);
      assert.ok(resolved.kind === 'definition');
      assert.equal(resolved.directory, path.join(workspace, '.github/actions/hello'));
      assert.equal(resolved.definition.name, 'Hello');
      assert.equal(resolved.definition.runs.using, 'composite');
      assert.equal(resolved.definition.file, path.join('.github/actions/hello', 'action.yml'));
    });

    it('loads action.yaml, and resolves despite warnings (no description)', async () => {
      const resolved = await resolver.resolve('./tools/yaml-only', workspace);
      assert.ok(resolved.kind === 'definition');
      assert.equal(resolved.definition.runs.using, 'node20');
      assert.equal(resolved.definition.file, path.join('tools/yaml-only', 'action.yaml'));
    });

    it('resolves ./ to the action at the root of the workspace', async () => {
      const resolved = await resolver.resolve('./', workspace);
      assert.ok(resolved.kind === 'definition');
      assert.equal(resolved.directory, path.resolve(workspace));
      assert.equal(resolved.definition.name, 'Node thing');
    });

    it('refuses an invalid action file with its first error as file:line:col and the count of others', async () => {
      await rejectsWith(
        resolver.resolve('./broken', workspace),
        /^\.\/broken: the action file is invalid: broken\/action\.yml:6:7: a `run:` step in a composite action needs `shell:` \(and 1 more error\)$/,
      );
    });

    it('names a missing folder and says where ./ paths start', async () => {
      await rejectsWith(resolver.resolve('./nowhere/action', workspace), /no folder nowhere\/action in the workspace .*relative to the repository root/);
    });

    it('names the folder and both file names when there is no action file', async () => {
      await rejectsWith(resolver.resolve('./empty', workspace), /^\.\/empty: no action\.yml or action\.yaml in empty$/);
    });

    it('says a folder with only a Dockerfile needs a container engine', async () => {
      await rejectsWith(resolver.resolve('./container', workspace), /Dockerfile.*container engine \(Docker or Podman\)/);
    });

    it('refuses local paths not written ./path', async () => {
      await rejectsWith(resolver.resolve('../elsewhere', workspace), /a local action is written `\.\/path`/);
    });
  });

  describe('references this version cannot resolve', () => {
    it('refuses docker:// references: they name an image the engine runs, not an action folder', async () => {
      await rejectsWith(
        resolver.resolve('docker://alpine:3.20', workspace),
        /^docker:\/\/alpine:3\.20: a docker:\/\/ step names an image, not an action folder: .*container engine, Docker or Podman\)$/,
      );
    });

    it('refuses remote actions, listing the built-ins and suggesting a local copy', async () => {
      await rejectsWith(resolver.resolve('actions/setup-node@v4', workspace), /cannot run "actions\/setup-node@v4" here: .*action store/);
      await rejectsWith(
        resolver.resolve('octo-org/tools/lint@0123abc', workspace),
        /built-in actions: actions\/cache\/restore, actions\/checkout\. .*`uses: \.\/path\/to\/it`/,
      );
    });

    it('says "none" when there are no built-ins', async () => {
      await rejectsWith(new LocalActionResolver([]).resolve('actions/checkout@v4', workspace), /built-in actions: none\./);
    });

    it('refuses references that are not in any of GitHub\'s forms', async () => {
      await rejectsWith(resolver.resolve('checkout@v4', workspace), /not an action reference/);
      await rejectsWith(resolver.resolve('actions/checkout@v4@v5', workspace), /not an action reference/);
      await rejectsWith(resolver.resolve('actions//checkout@v4', workspace), /not an action reference/);
    });
  });
});
