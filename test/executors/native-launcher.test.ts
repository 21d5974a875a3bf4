// Building the C process launcher: once per version of its source, found again afterwards, and a
// clear reason (for falling back to the launcher for Node) when this machine cannot build it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { locateNativeLauncher } from '../../src/executors/native-launcher.ts';

let scratch = '';

before(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'gantry-native-launcher-'));
});

after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function withCompiler<T>(compiler: string | undefined, action: () => T): T {
  const saved = process.env.CC;
  if (compiler === undefined) delete process.env.CC;
  else process.env.CC = compiler;
  try {
    return action();
  } finally {
    if (saved === undefined) delete process.env.CC;
    else process.env.CC = saved;
  }
}

describe('the C process launcher', () => {
  it('is built into the first folder that can be made, named by its source, and found there afterwards', () => {
    const blocked = path.join(scratch, 'a-file');
    writeFileSync(blocked, '');
    const folder = path.join(scratch, 'cache', 'gantry');
    const built = withCompiler(undefined, () => locateNativeLauncher([path.join(blocked, 'under-a-file'), folder]));
    assert.ok(built.program !== undefined, `built: ${built.reason ?? ''}`);
    assert.equal(path.dirname(built.program), folder);
    assert.match(path.basename(built.program), new RegExp(`^gantry-process-launcher-${process.arch}-[0-9a-f]{16}$`));
    const builtAt = statSync(built.program).mtimeMs;

    // A compiler that always fails proves the second lookup does not build again.
    const again = withCompiler('false', () => locateNativeLauncher([folder]));
    assert.equal(again.program, built.program);
    assert.equal(statSync(built.program).mtimeMs, builtAt);
  });

  it('builds again over a program of its name that does not run here (built for another machine)', () => {
    const first = withCompiler(undefined, () => locateNativeLauncher([path.join(scratch, 'first')]));
    assert.ok(first.program !== undefined, first.reason);
    const folder = path.join(scratch, 'shared');
    mkdirSync(folder);
    const stale = path.join(folder, path.basename(first.program));
    writeFileSync(stale, 'not a program for this machine\n', { mode: 0o755 });
    const rebuilt = withCompiler(undefined, () => locateNativeLauncher([folder]));
    assert.equal(rebuilt.program, stale);
    assert.notEqual(readFileSync(stale, 'latin1').slice(0, 4), 'not ');
  });

  it('says why when it cannot be built, and leaves nothing half-built behind', () => {
    const folder = path.join(scratch, 'no-compiler');
    const missing = withCompiler('gantry-no-such-compiler', () => locateNativeLauncher([folder]));
    assert.equal(missing.program, undefined);
    assert.match(missing.reason ?? '', /^gantry-no-such-compiler: .*ENOENT/);

    const failing = withCompiler('false', () => locateNativeLauncher([folder]));
    assert.equal(failing.program, undefined);
    assert.match(failing.reason ?? '', /^false failed/);
    assert.deepEqual(readdirSync(folder), []);
  });

  it('compiles without a warning (-Wall -Wextra), as lint holds the TypeScript to', () => {
    const source = fileURLToPath(new URL('../../src/executors/native-launcher.c', import.meta.url));
    const compiled = spawnSync(process.env.CC ?? 'cc', ['-Wall', '-Wextra', '-Werror', '-fsyntax-only', source], { encoding: 'utf8' });
    assert.equal(compiled.status, 0, compiled.stderr);
  });

  it('is not kept in a folder whose file system will not run programs (noexec), but in the next one', (t) => {
    if (process.getuid?.() !== 0 || spawnSync('unshare', ['--mount', 'true']).status !== 0) {
      t.skip('needs root and unshare to mount a noexec file system in a private mount namespace');
      return;
    }
    const noexec = path.join(scratch, 'noexec');
    const next = path.join(scratch, 'next');
    const module = new URL('../../src/executors/native-launcher.ts', import.meta.url).href;
    const program = `
      import { locateNativeLauncher } from ${JSON.stringify(module)};
      console.log(JSON.stringify([locateNativeLauncher([${JSON.stringify(noexec)}]), locateNativeLauncher([${JSON.stringify(noexec)}, ${JSON.stringify(next)}])]));`;
    const script = `mkdir -p '${noexec}' && mount -t tmpfs -o noexec gantry-test '${noexec}' && exec '${process.execPath}' --import tsx --input-type=module --eval "$0"`;
    const ran = spawnSync('unshare', ['--mount', 'sh', '-c', script, program], { encoding: 'utf8' });
    assert.equal(ran.status, 0, ran.stderr);
    const [alone, withNext] = JSON.parse(ran.stdout) as [{ program?: string; reason?: string }, { program?: string }];
    assert.equal(alone.program, undefined);
    assert.match(alone.reason ?? '', /was built but does not run/);
    assert.equal(path.dirname(withNext.program ?? ''), next);
  });
});
