import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePythonProbe, pythonCandidates, pythonVersionToSemver } from '../../../src/actions/builtin/python-toolchains.ts';
import { pep440ToSemver, pythonSpecToSemver, readPythonVersionFile } from '../../../src/actions/builtin/python-version-spec.ts';
import { setupPython } from '../../../src/actions/builtin/setup-python.ts';
import { resolveCommand } from '../../../src/actions/builtin/toolchains.ts';
import { failureOf, fakeExecutable, recordingContext, runAction, runOnPath } from './support.ts';

const systemPath = ['/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);
const hostPython = resolveCommand('python3', systemPath);
const versionQuery = ['-c', 'import sys; print(sys.version.split()[0])'];
const host = hostPython
  ? {
      executable: hostPython,
      version: execFileSync(hostPython, versionQuery, { encoding: 'utf8' }).trim(),
      prefix: execFileSync(hostPython, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim(),
      architecture: execFileSync(hostPython, ['-c', 'import platform; print(platform.machine())'], { encoding: 'utf8' }).trim(),
    }
  : undefined;
const needsHostPython = { skip: host ? false : 'no python3 in /usr/local/bin, /usr/bin or /bin' };
const hostMajorMinor = host ? host.version.split('.').slice(0, 2).join('.') : '';

let scratch = '';
let fakes = '';
let workspace = '';
let fake39 = '';
let fake312 = '';
let fake314rc = '';

/** A step environment with only what the test gives: no pyenv under HOME, the fakes after the system folders. */
function environment(extra: Record<string, string> = {}, pathFolders: string[] = [fakes]): Record<string, string> {
  return {
    PATH: [systemPath, ...pathFolders].join(path.delimiter),
    HOME: path.join(scratch, 'home'),
    RUNNER_TEMP: path.join(scratch, 'runner-temp'),
    ...extra,
  };
}

function writeWorkspaceFile(name: string, text: string): void {
  writeFileSync(path.join(workspace, name), text);
}

before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'gantry-setup-python-'));
  fakes = path.join(scratch, 'toolchains');
  fake39 = fakeExecutable(fakes, 'python3.9', '3.9.18');
  fake312 = fakeExecutable(fakes, 'python3.12', '3.12.1');
  fake314rc = fakeExecutable(fakes, 'python3.14', '3.14.0rc1');
  mkdirSync(path.join(scratch, 'home'));
});

after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function freshWorkspace(): string {
  workspace = mkdtempSync(path.join(scratch, 'workspace-'));
  return workspace;
}

describe('setup-python with the host interpreter', () => {
  it("chooses the host's major.minor, reports the exact version and path, and makes python run it", needsHostPython, async () => {
    const env = environment({}, []);
    const result = await runAction(setupPython, { 'python-version': hostMajorMinor }, env, freshWorkspace());
    assert.equal(result.outputs['python-version'], host!.version);
    assert.equal(realpathSync(result.outputs['python-path']!), realpathSync(host!.executable));
    assert.equal(result.outputs['cache-hit'], 'false');
    assert.ok(
      result.logs.includes(`Using Python ${host!.version} from ${result.outputs['python-path']} (requested ${hostMajorMinor})`),
      result.logs.join('\n'),
    );
    for (const command of ['python', 'python3']) {
      assert.equal(runOnPath(command, versionQuery, result.nextPath()), host!.version, `${command} on the next step's PATH`);
    }
  });

  it('exports what the real action exports for the interpreter', needsHostPython, async () => {
    const result = await runAction(setupPython, { 'python-version': hostMajorMinor }, environment({}, []), freshWorkspace());
    assert.equal(result.exported.pythonLocation, host!.prefix);
    assert.equal(result.exported.Python_ROOT_DIR, host!.prefix);
    assert.equal(result.exported.Python2_ROOT_DIR, host!.prefix);
    assert.equal(result.exported.Python3_ROOT_DIR, host!.prefix);
    assert.equal(result.exported.PKG_CONFIG_PATH, `${host!.prefix}/lib/pkgconfig`);
  });

  it('puts the links it needs under RUNNER_TEMP when the folder has no python', needsHostPython, async () => {
    const env = environment({}, []);
    const result = await runAction(setupPython, { 'python-version': hostMajorMinor }, env, freshWorkspace());
    const folderHasPython = resolveCommand('python', path.dirname(host!.executable)) !== undefined;
    if (!folderHasPython) {
      assert.ok(result.added.some((folder) => folder.startsWith(env.RUNNER_TEMP! + path.sep)), `added: ${result.added.join(', ')}`);
    }
  });

  it('fails with one line naming the request and what was found when nothing matches', needsHostPython, async () => {
    const message = await failureOf(setupPython, { 'python-version': '2.7' }, environment({}, []), freshWorkspace());
    assert.match(message, /^no Python matching '2\.7' on this machine \(found: .+\); install it \(e\.g\. pyenv install 2\.7\) or change python-version$/);
    assert.ok(message.includes(`${host!.version} at `), message);
  });

  it("matches ranges: '>=3.8' and '3.x' choose the host when it is the newest", needsHostPython, async () => {
    for (const request of ['>=3.8', '3.x', `~${hostMajorMinor}`, `${host!.version}`]) {
      const result = await runAction(setupPython, { 'python-version': request }, environment({}, []), freshWorkspace());
      assert.equal(result.outputs['python-version'], host!.version, request);
    }
  });

  it('filters by architecture when one is asked for', needsHostPython, async () => {
    const other = ['x86_64', 'amd64'].includes(host!.architecture.toLowerCase()) ? 'arm64' : 'x64';
    const message = await failureOf(setupPython, { 'python-version': hostMajorMinor, architecture: other }, environment({}, []), freshWorkspace());
    assert.match(message, new RegExp(`^no ${other} Python matching '${hostMajorMinor.replace('.', '\\.')}'`));
  });
});

describe('setup-python choosing among several interpreters', () => {
  it('chooses the stand-in 3.9 for 3.9 and makes python and python3 run it', async () => {
    const result = await runAction(setupPython, { 'python-version': '3.9' }, environment(), freshWorkspace());
    assert.equal(result.outputs['python-version'], '3.9.18');
    assert.equal(result.outputs['python-path'], fake39);
    assert.deepEqual(result.added, [path.join(scratch, 'runner-temp', 'gantry-setup-python', '3.9.18')], 'its folder is on PATH already; links to it go in front');
    for (const command of ['python', 'python3', 'python3.9']) {
      assert.equal(runOnPath(command, versionQuery, result.nextPath()), '3.9.18', command);
    }
    assert.equal(result.exported.pythonLocation, path.dirname(fakes), 'a stand-in that reports no prefix: the folder above bin');
  });

  it('chooses the highest version satisfying a range', async () => {
    const cases: [string, string][] = [
      ['3.x', '3.12.1'],
      ['>=3.8', '3.12.1'],
      ['>=3.8 <3.10', '3.9.18'],
      ['3.9.18', '3.9.18'],
      ['~3.12.0', '3.12.1'],
      ['^3.9', '3.12.1'],
      ['3.9 || 3.12', '3.12.1'],
      ['3.9.x', '3.9.18'],
      ['3.14-dev', '3.14.0rc1'],
      ['3.14.0rc1', '3.14.0rc1'],
    ];
    for (const [request, expected] of cases) {
      const result = await runAction(setupPython, { 'python-version': request }, environment(), freshWorkspace());
      assert.equal(result.outputs['python-version'], expected, request);
    }
  });

  it('leaves prereleases out unless asked for', async () => {
    const message = await failureOf(setupPython, { 'python-version': '3.14' }, environment(), freshWorkspace());
    assert.match(message, /found: 3\.14\.0rc1 at .*python3\.14, 3\.12\.1 at .*python3\.12/);
    const allowed = await runAction(setupPython, { 'python-version': '3.14', 'allow-prereleases': 'true' }, environment(), freshWorkspace());
    assert.equal(allowed.outputs['python-path'], fake314rc);
  });

  it('lists every interpreter found, newest first, when the exact version is missing', async () => {
    const message = await failureOf(setupPython, { 'python-version': '3.9.17' }, environment(), freshWorkspace());
    assert.match(message, new RegExp(`found: 3\\.14\\.0rc1 at ${fake314rc}, 3\\.12\\.1 at ${fake312}, .*3\\.9\\.18 at ${fake39}\\)`));
  });

  it('hints at YAML reading 3.10 as 3.1', async () => {
    const message = await failureOf(setupPython, { 'python-version': '3.1' }, environment(), freshWorkspace());
    assert.match(message, /YAML read it as the number 3\.1: quote it\)$/);
  });

  it('sets up each line of python-version; the last one is python', async () => {
    const result = await runAction(setupPython, { 'python-version': '3.9\n3.12\n' }, environment(), freshWorkspace());
    assert.equal(result.outputs['python-version'], '3.12.1');
    assert.equal(runOnPath('python', versionQuery, result.nextPath()), '3.12.1');
    assert.equal(runOnPath('python3.9', versionQuery, result.nextPath()), '3.9.18');
  });

  it('with update-environment false sets outputs only', async () => {
    const result = await runAction(setupPython, { 'python-version': '3.9', 'update-environment': 'false' }, environment(), freshWorkspace());
    assert.equal(result.outputs['python-version'], '3.9.18');
    assert.deepEqual(result.exported, {});
    assert.deepEqual(result.added, []);
  });

  it('logs that caching is not done, and does not fail', async () => {
    const result = await runAction(setupPython, { 'python-version': '3.9', cache: 'pip' }, environment(), freshWorkspace());
    assert.ok(result.logs.some((line) => /cache: 'pip' is not done/.test(line)), result.logs.join('\n'));
    assert.equal(result.outputs['python-version'], '3.9.18');
  });

  it('says PyPy, GraalPy and free-threaded builds are not supported', async () => {
    for (const request of ['pypy3.9', 'graalpy-24.0', '3.13t']) {
      const message = await failureOf(setupPython, { 'python-version': request }, environment(), freshWorkspace());
      assert.match(message, new RegExp(`^python-version '${request.replace('.', '\\.')}' asks for`), message);
    }
  });

  it('stops when the step is cancelled', async () => {
    const recorded = recordingContext({ 'python-version': '3.9' }, environment(), freshWorkspace());
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(setupPython.run({ ...recorded.context, signal: controller.signal }), /^Error: actions\/setup-python was cancelled$/);
    assert.deepEqual(recorded.outputs, {});
  });

  it('rejects what is not a version or range', async () => {
    const message = await failureOf(setupPython, { 'python-version': 'three' }, environment(), freshWorkspace());
    assert.match(message, /^python-version 'three' is not a version or range/);
  });

  it("finds pyenv's versions but not its shims", async () => {
    const pyenv = path.join(scratch, 'pyenv');
    const pyenv38 = fakeExecutable(path.join(pyenv, 'versions', '3.8.10', 'bin'), 'python3.8', '3.8.10');
    fakeExecutable(path.join(pyenv, 'shims'), 'python3', '3.7.1');
    const env = environment({ PYENV_ROOT: pyenv }, [path.join(pyenv, 'shims'), fakes]);
    assert.ok(pythonCandidates(env).includes(pyenv38));
    const result = await runAction(setupPython, { 'python-version': '3.8' }, env, freshWorkspace());
    assert.equal(result.outputs['python-path'], pyenv38);
    assert.equal(result.added[0], path.dirname(pyenv38), 'a folder not on PATH goes on it first');
    assert.equal(runOnPath('python', versionQuery, result.nextPath()), '3.8.10');
    const message = await failureOf(setupPython, { 'python-version': '3.7' }, env, freshWorkspace());
    assert.ok(!message.includes('3.7.1'), message);
  });
});

describe('setup-python version files', () => {
  const cases: [string, string, string][] = [
    ['.python-version', '3.9\n', '3.9.18'],
    ['.python-version', '# pinned\n3.12.1\n', '3.12.1'],
    ['pyproject.toml', '[project]\nname = "demo"\nrequires-python = ">=3.9,<3.10"\n', '3.9.18'],
    ['pyproject.toml', '[tool.poetry.dependencies]\npython = "^3.10"\n', '3.12.1'],
    ['pyproject.toml', '[project]\nrequires-python = "~=3.9.0"\n', '3.9.18'],
    ['.tool-versions', 'nodejs 20.1.0\npython 3.9.18\n', '3.9.18'],
    ['Pipfile', '[packages]\nrequests = "*"\n\n[requires]\npython_version = "3.9"\n', '3.9.18'],
  ];
  for (const [name, text, expected] of cases) {
    it(`reads ${name} (${JSON.stringify(text)})`, async () => {
      freshWorkspace();
      writeWorkspaceFile(name, text);
      const result = await runAction(setupPython, { 'python-version-file': name }, environment(), workspace);
      assert.equal(result.outputs['python-version'], expected);
    });
  }

  it('prefers python-version over the file, with a warning', async () => {
    freshWorkspace();
    writeWorkspaceFile('.python-version', '3.12\n');
    const result = await runAction(setupPython, { 'python-version': '3.9', 'python-version-file': '.python-version' }, environment(), workspace);
    assert.equal(result.outputs['python-version'], '3.9.18');
    assert.ok(result.logs.some((line) => line.startsWith('Warning: both python-version and python-version-file')));
  });

  it("uses the workspace's .python-version when neither input is given", async () => {
    freshWorkspace();
    writeWorkspaceFile('.python-version', '3.9\n');
    const result = await runAction(setupPython, {}, environment(), workspace);
    assert.equal(result.outputs['python-version'], '3.9.18');
  });

  it('without any version leaves the Python on PATH as it is', async () => {
    const result = await runAction(setupPython, {}, environment(), freshWorkspace());
    assert.deepEqual(result.outputs, {});
    assert.deepEqual(result.added, []);
    assert.ok(result.logs.some((line) => line.startsWith('Warning: neither python-version nor python-version-file')));
  });

  it('fails with one line when the file is missing', async () => {
    const message = await failureOf(setupPython, { 'python-version-file': 'missing/.python-version' }, environment(), freshWorkspace());
    assert.match(message, /^python-version-file 'missing\/\.python-version' does not exist \(looked at .+\)$/);
  });

  it('fails when a pyproject.toml names no Python', async () => {
    freshWorkspace();
    writeWorkspaceFile('pyproject.toml', '[project]\nname = "demo"\n');
    const message = await failureOf(setupPython, { 'python-version-file': 'pyproject.toml' }, environment(), workspace);
    assert.equal(message, "python-version-file 'pyproject.toml' names no Python version");
  });

  it('reads each line of a .python-version as one version', () => {
    freshWorkspace();
    writeWorkspaceFile('.python-version', '3.12\nsystem\n3.9\n');
    assert.deepEqual(readPythonVersionFile('.python-version', workspace), ['3.12', '3.9']);
  });
});

describe('python version spellings', () => {
  it("turns Python's into semver as setup-python does", () => {
    assert.equal(pythonSpecToSemver('3.13.0rc1', false), '3.13.0-rc1');
    assert.equal(pythonSpecToSemver('3.13-dev', false), '~3.13.0-0');
    assert.equal(pythonSpecToSemver('3.13', true), '~3.13.0-0');
    assert.equal(pythonSpecToSemver('3.13', false), '3.13');
    assert.equal(pythonSpecToSemver('>=3.9 <3.13', true), '>=3.9 <3.13');
  });

  it('turns PEP 440 requirements into semver ranges', () => {
    assert.equal(pep440ToSemver('>=3.9,<3.13'), '>=3.9 <3.13');
    assert.equal(pep440ToSemver('~=3.10'), '>=3.10 <4');
    assert.equal(pep440ToSemver('~=3.10.2'), '>=3.10.2 <3.11');
    assert.equal(pep440ToSemver('==3.11.*'), '=3.11.x');
    assert.equal(pep440ToSemver('>=3.8, !=3.9.0'), '>=3.8');
  });

  it('reads interpreter versions, prereleases included', () => {
    assert.deepEqual(pythonVersionToSemver('3.13.0rc1'), { major: 3, minor: 13, patch: 0, prerelease: ['rc1'] });
    assert.deepEqual(pythonVersionToSemver('3.14.0a1+'), { major: 3, minor: 14, patch: 0, prerelease: ['a1'] });
    assert.equal(pythonVersionToSemver('Python 3.11'), undefined);
  });

  it("reads the probe's lines, and a stand-in's single line", () => {
    const full = parsePythonProbe('/opt/py/bin/python3.11', '3.11.7\n/opt/py\nCPython\nx86_64 64\n');
    assert.equal(full?.prefix, '/opt/py');
    assert.equal(full?.implementation, 'CPython');
    assert.equal(full?.architecture, 'x64');
    const pypy = parsePythonProbe('/opt/pypy/bin/python3', '3.9.18\n/opt/pypy\nPyPy\naarch64 64\n');
    assert.equal(pypy?.implementation, 'PyPy');
    assert.equal(pypy?.architecture, 'arm64');
    const standIn = parsePythonProbe('/x/bin/python3.9', '3.9.18\n');
    assert.equal(standIn?.prefix, '/x');
    assert.equal(standIn?.architecture, undefined);
    assert.equal(parsePythonProbe('/x/bin/python', 'not a version\n'), undefined);
  });
});
