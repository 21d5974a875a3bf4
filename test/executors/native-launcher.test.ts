// Building the C process launcher: once per version of its source, found again afterwards, and a
// clear reason (for falling back to the launcher for Node) when this machine cannot build it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
});
