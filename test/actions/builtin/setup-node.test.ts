import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nodeCandidates } from '../../../src/actions/builtin/node-toolchains.ts';
import { nodeVersionFromFileText, parseNodeRequest } from '../../../src/actions/builtin/node-version-spec.ts';
import { placeholderAuthToken } from '../../../src/actions/builtin/npm-registry.ts';
import { setupNode } from '../../../src/actions/builtin/setup-node.ts';
import { resolveCommand } from '../../../src/actions/builtin/toolchains.ts';
import { failureOf, fakeExecutable, runAction, runOnPath } from './support.ts';

const systemPath = ['/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);
const hostNode = resolveCommand('node', systemPath);
const host = hostNode ? { executable: hostNode, version: execFileSync(hostNode, ['--version'], { encoding: 'utf8' }).trim() } : undefined;
const hostMajor = host ? Number(host.version.slice(1).split('.')[0]) : 0;
const needsHostNode = { skip: host ? false : 'no node in /usr/local/bin, /usr/bin or /bin' };
const hostIsLts = hostMajor >= 4 && hostMajor % 2 === 0;

let scratch = '';
let workspace = '';
/** Stand-in nodes, each in its own folder: an even (LTS) line above any real one, an odd line above it, and an old LTS line. */
const fakeVersions = ['v98.1.0', 'v99.0.0', 'v6.17.1'] as const;
const fakeNodes: Record<string, string> = {};

function fakeFolders(): string[] {
  return fakeVersions.map((version) => path.dirname(fakeNodes[version]!));
}

function environment(extra: Record<string, string> = {}, pathFolders: string[] = fakeFolders()): Record<string, string> {
  return {
    PATH: [systemPath, ...pathFolders].join(path.delimiter),
    HOME: path.join(scratch, 'home'),
    RUNNER_TEMP: mkdtempSync(path.join(scratch, 'runner-temp-')),
    ...extra,
  };
}

function freshWorkspace(files: Record<string, string> = {}): string {
  workspace = mkdtempSync(path.join(scratch, 'workspace-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(workspace, name), text);
  return workspace;
}

before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'gantry-setup-node-'));
  mkdirSync(path.join(scratch, 'home'));
  for (const version of fakeVersions) {
    fakeNodes[version] = fakeExecutable(path.join(scratch, 'toolchains', version, 'bin'), 'node', version);
    fakeExecutable(path.join(scratch, 'toolchains', version, 'bin'), 'npm', `npm for ${version}`);
  }
});

after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('setup-node with the host node', () => {
  it("chooses the host's major, reports its exact version, and node runs it afterwards", needsHostNode, async () => {
    const result = await runAction(setupNode, { 'node-version': String(hostMajor) }, environment({}, []), freshWorkspace());
    assert.equal(result.outputs['node-version'], host!.version);
    assert.ok(result.logs.some((line) => line.startsWith(`Using Node ${host!.version} from `) && line.endsWith(`(requested ${hostMajor})`)), result.logs.join('\n'));
    assert.equal(runOnPath('node', ['--version'], result.nextPath()), host!.version);
    assert.equal(realpathSync(resolveCommand('node', result.nextPath())!), realpathSync(host!.executable));
  });

  it('fails with one line naming the request, what was found and how to install', needsHostNode, async () => {
    const message = await failureOf(setupNode, { 'node-version': '14' }, environment({}, []), freshWorkspace());
    assert.match(message, /^no Node\.js matching '14' on this machine \(found: .+\); install it \(e\.g\. nvm install 14\) or change node-version$/);
    assert.ok(message.includes(`${host!.version} at `), message);
  });

  it('matches ranges and x wildcards', needsHostNode, async () => {
    for (const request of [`${hostMajor}.x`, `>=${hostMajor}`, `^${hostMajor}`, host!.version, 'latest', 'node', 'current']) {
      const result = await runAction(setupNode, { 'node-version': request }, environment({}, []), freshWorkspace());
      assert.equal(result.outputs['node-version'], host!.version, request);
    }
  });

  it('lts/* chooses the host node, an LTS line', { skip: !host ? 'no host node' : !hostIsLts ? 'the host node is not an LTS line' : false }, async () => {
    const result = await runAction(setupNode, { 'node-version': 'lts/*' }, environment({}, []), freshWorkspace());
    assert.equal(result.outputs['node-version'], host!.version);
  });

  it('without node-version reports the node on PATH and changes nothing', needsHostNode, async () => {
    const result = await runAction(setupNode, {}, environment({}, []), freshWorkspace());
    assert.equal(result.outputs['node-version'], host!.version);
    assert.deepEqual(result.added, []);
  });
});

describe('setup-node choosing among several installations', () => {
  const cases: [string, string][] = [
    ['98', 'v98.1.0'],
    ['98.x', 'v98.1.0'],
    ['>=18', 'v99.0.0'],
    ['latest', 'v99.0.0'],
    ['lts/*', 'v98.1.0'],
    ['lts/boron', 'v6.17.1'],
    ['^6', 'v6.17.1'],
    ['v6.17.1', 'v6.17.1'],
    ['6.17.1', 'v6.17.1'],
    ['>=6 <7 || 98', 'v98.1.0'],
  ];
  for (const [request, expected] of cases) {
    it(`'${request}' chooses ${expected}`, async () => {
      const result = await runAction(setupNode, { 'node-version': request }, environment(), freshWorkspace());
      assert.equal(result.outputs['node-version'], expected);
      assert.equal(runOnPath('node', ['--version'], result.nextPath()), expected, 'node on the next step’s PATH');
    });
  }

  it('passes over prereleases for latest and lts/*, and chooses one only when named', async () => {
    const rc = fakeExecutable(path.join(scratch, 'toolchains', 'v100.0.0-rc.1', 'bin'), 'node', 'v100.0.0-rc.1');
    const env = environment({}, [...fakeFolders(), path.dirname(rc)]);
    for (const [request, expected] of [['latest', 'v99.0.0'], ['lts/*', 'v98.1.0'], ['>=98', 'v99.0.0'], ['100.0.0-rc.1', 'v100.0.0-rc.1']]) {
      const result = await runAction(setupNode, { 'node-version': request! }, env, freshWorkspace());
      assert.equal(result.outputs['node-version'], expected, request);
    }
  });

  it('links npm from the same folder when it has to link node', async () => {
    const env = environment();
    const result = await runAction(setupNode, { 'node-version': '98' }, env, freshWorkspace());
    assert.equal(runOnPath('npm', [], result.nextPath()), 'npm for v98.1.0');
    assert.ok(result.added.at(-1)!.startsWith(env.RUNNER_TEMP! + path.sep), `added: ${result.added.join(', ')}`);
  });

  it('lts/-1 is the LTS line below the newest one found', async () => {
    const result = await runAction(setupNode, { 'node-version': 'lts/-1' }, environment(), freshWorkspace());
    const expected = host && hostIsLts && hostMajor > 6 && hostMajor < 98 ? host.version : 'v6.17.1';
    assert.equal(result.outputs['node-version'], expected);
  });

  it('fails for an LTS line that is not installed, and for an unknown codename', async () => {
    const argon = await failureOf(setupNode, { 'node-version': 'lts/argon' }, environment(), freshWorkspace());
    assert.match(argon, /^no Node\.js matching 'lts\/argon' on this machine \(found: v99\.0\.0 at .+, v98\.1\.0 at .+\); install it \(e\.g\. nvm install --lts\) or change node-version$/);
    const unknown = await failureOf(setupNode, { 'node-version': 'lts/nonesuch' }, environment(), freshWorkspace());
    assert.match(unknown, /^node-version 'lts\/nonesuch' names an LTS line this built-in does not know/);
  });

  it('says nightly and canary builds are downloads it does not do', async () => {
    const message = await failureOf(setupNode, { 'node-version': '22-nightly' }, environment(), freshWorkspace());
    assert.match(message, /^node-version '22-nightly' asks for a nightly, canary or rc download/);
  });

  it("finds nvm's versions when they are not on PATH", async () => {
    const nvm = path.join(scratch, 'nvm');
    const nvm97 = fakeExecutable(path.join(nvm, 'versions', 'node', 'v97.0.1', 'bin'), 'node', 'v97.0.1');
    const env = environment({ NVM_DIR: nvm }, []);
    assert.ok(nodeCandidates(env).includes(nvm97));
    const result = await runAction(setupNode, { 'node-version': '97' }, env, freshWorkspace());
    assert.deepEqual(result.added, [path.dirname(nvm97)]);
    assert.equal(runOnPath('node', ['--version'], result.nextPath()), 'v97.0.1');
  });

  it('logs that caching is not done, and does not fail', async () => {
    const result = await runAction(setupNode, { 'node-version': '98', cache: 'npm' }, environment(), freshWorkspace());
    assert.ok(result.logs.some((line) => /cache: 'npm' is not done/.test(line)), result.logs.join('\n'));
  });
});

describe('setup-node version files', () => {
  const cases: [string, string, string][] = [
    ['.nvmrc', '98\n', 'v98.1.0'],
    ['.nvmrc', 'lts/*\n', 'v98.1.0'],
    ['.node-version', 'v6.17.1\n', 'v6.17.1'],
    ['.tool-versions', 'python 3.11.7\nnodejs 98.1.0\n', 'v98.1.0'],
    ['package.json', JSON.stringify({ engines: { node: '>=98 <99' } }), 'v98.1.0'],
    ['package.json', JSON.stringify({ engines: { node: '>=98' }, volta: { node: '6.17.1' } }), 'v6.17.1'],
    ['package.json', JSON.stringify({ devEngines: { runtime: [{ name: 'node', version: '^6' }] }, engines: { node: '98' } }), 'v6.17.1'],
  ];
  for (const [name, text, expected] of cases) {
    it(`reads ${name} (${JSON.stringify(text)})`, async () => {
      const result = await runAction(setupNode, { 'node-version-file': name }, environment(), freshWorkspace({ [name]: text }));
      assert.equal(result.outputs['node-version'], expected);
    });
  }

  it("follows volta's extends", async () => {
    freshWorkspace({ 'base.json': JSON.stringify({ volta: { node: '98.1.0' } }) });
    mkdirSync(path.join(workspace, 'app'));
    writeFileSync(path.join(workspace, 'app', 'package.json'), JSON.stringify({ volta: { extends: '../base.json' } }));
    const result = await runAction(setupNode, { 'node-version-file': 'app/package.json' }, environment(), workspace);
    assert.equal(result.outputs['node-version'], 'v98.1.0');
  });

  it('fails with one line for a missing file and for a package.json without a version', async () => {
    const missing = await failureOf(setupNode, { 'node-version-file': '.nvmrc' }, environment(), freshWorkspace());
    assert.match(missing, /^node-version-file '\.nvmrc' does not exist \(looked at .+\/\.nvmrc\)$/);
    const empty = await failureOf(setupNode, { 'node-version-file': 'package.json' }, environment(), freshWorkspace({ 'package.json': '{"name":"x"}' }));
    assert.equal(empty, "node-version-file 'package.json' names no Node.js version");
  });

  it("reads an action.yml's runs.using", () => {
    assert.equal(nodeVersionFromFileText("runs:\n  using: 'node20'\n  main: index.js\n", 'action.yml'), '20');
  });
});

describe('setup-node registry-url', () => {
  it('writes an .npmrc in RUNNER_TEMP and exports it with the placeholder token', async () => {
    const env = environment();
    const result = await runAction(setupNode, { 'node-version': '98', 'registry-url': 'https://registry.example.com' }, env, freshWorkspace());
    const npmrc = path.join(env.RUNNER_TEMP!, '.npmrc');
    assert.equal(result.exported.NPM_CONFIG_USERCONFIG, npmrc);
    assert.equal(result.exported.NODE_AUTH_TOKEN, placeholderAuthToken);
    assert.deepEqual(readFileSync(npmrc, 'utf8').split('\n'), ['//registry.example.com/:_authToken=${NODE_AUTH_TOKEN}', 'registry=https://registry.example.com/']);
  });

  it("passes the step's NODE_AUTH_TOKEN on, and writes the scope and always-auth when given", async () => {
    const env = environment({ NODE_AUTH_TOKEN: 'token-from-secrets' });
    const inputs = { 'registry-url': 'https://registry.example.com/', scope: 'Acme', 'always-auth': 'true' };
    const result = await runAction(setupNode, inputs, env, freshWorkspace());
    assert.equal(result.exported.NODE_AUTH_TOKEN, 'token-from-secrets');
    assert.deepEqual(readFileSync(result.exported.NPM_CONFIG_USERCONFIG!, 'utf8').split('\n'), [
      '//registry.example.com/:_authToken=${NODE_AUTH_TOKEN}',
      '@acme:registry=https://registry.example.com/',
      'always-auth=true',
    ]);
  });

  it("scopes GitHub Packages to the repository owner and replaces an earlier registry line", async () => {
    const env = environment({ GITHUB_REPOSITORY_OWNER: 'Octo-Org' });
    writeFileSync(path.join(env.RUNNER_TEMP!, '.npmrc'), 'fund=false\n@octo-org:registry=https://old.example.com/\n');
    const result = await runAction(setupNode, { 'registry-url': 'https://npm.pkg.github.com' }, env, freshWorkspace());
    assert.deepEqual(readFileSync(result.exported.NPM_CONFIG_USERCONFIG!, 'utf8').split('\n'), [
      'fund=false',
      '//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}',
      '@octo-org:registry=https://npm.pkg.github.com/',
    ]);
  });
});

describe('node requests', () => {
  it('reads aliases, LTS names and ranges', () => {
    assert.deepEqual(parseNodeRequest('lts/*'), { kind: 'lts', text: 'lts/*', pick: { linesBelowNewest: 0 } });
    assert.deepEqual(parseNodeRequest('lts/Iron'), { kind: 'lts', text: 'lts/Iron', pick: { major: 20 } });
    assert.deepEqual(parseNodeRequest('lts/-2'), { kind: 'lts', text: 'lts/-2', pick: { linesBelowNewest: 2 } });
    assert.equal(parseNodeRequest('LATEST').kind, 'latest');
    assert.equal(parseNodeRequest('20.x').kind, 'range');
    assert.throws(() => parseNodeRequest('twenty'), /^Error: node-version 'twenty' is not a version, range or alias/);
  });
});
