// A Gantry killed mid-run leaves job folders, spares and checkout templates in the temporary folder;
// the next Gantry process that makes job folders removes them, and never another live process's.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { leftoverFolders } from '../../src/engine/leftover-folders.ts';
import { Workspaces } from '../../src/engine/workspace.ts';

const made: string[] = [];
after(() => {
  for (const folder of made) rmSync(folder, { recursive: true, force: true });
});

/** The pid of a process that has ended. */
function deadPid(): number {
  const ended = spawnSync('true');
  return ended.pid!;
}

function folder(name: string): string {
  const full = path.join(tmpdir(), name);
  mkdirSync(path.join(full, 'temp'), { recursive: true });
  writeFileSync(path.join(full, 'temp', 'file'), 'x');
  made.push(full);
  return full;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('leftover temporary folders', () => {
  it('lists only Gantry folders of processes that no longer exist', async () => {
    const dead = deadPid();
    const job = folder(`gantry-${dead}-job-7-1-build-aB3dEf`);
    const spare = folder(`gantry-${dead}-spare-Qw12Er`);
    const checkouts = folder(`gantry-${dead}-checkouts-Zx98Cv`);
    const live = folder(`gantry-${process.pid}-job-7-1-build-aB3dEf`);
    const older = folder(`gantry-${dead}-1-build-aB3dEf`);
    const unrelated = folder(`gantry-${dead}-notes-aB3dEf`);
    const found = await leftoverFolders();
    for (const expected of [job, spare, checkouts]) assert.ok(found.includes(expected), `${expected} is a leftover`);
    for (const kept of [live, older, unrelated]) assert.ok(!found.includes(kept), `${kept} is not`);
  });

  it('are removed by the next process that makes job folders, after a Gantry was killed mid-job', async () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'gantry-leftover-repo-'));
    made.push(repo);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    writeFileSync(path.join(repo, 'README.md'), 'hello\n');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'one');
    const sha = git('rev-parse', 'HEAD');
    const program = `
      import { Workspaces } from ${JSON.stringify(new URL('../../src/engine/workspace.ts', import.meta.url).href)};
      const workspace = await new Workspaces().prepare({ repoDir: ${JSON.stringify(repo)}, projectPath: '', sha: ${JSON.stringify(sha)}, bind: false });
      console.log(workspace.checkout);
      setInterval(() => {}, 1000);`;
    const gantry = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', program], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    gantry.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => output.includes('\n'), 'the job folder');
    const pid = gantry.pid!;
    const owned = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`gantry-${pid}-`));
    await until(() => owned().filter((name) => name.includes('-job-')).length >= 3, 'the job folder and the spares made ahead');
    assert.ok(existsSync(output.trim()), 'the job checkout exists');
    assert.ok(owned().some((name) => name.includes('-checkouts-')), 'and the checkout template');
    gantry.kill('SIGKILL');
    await new Promise((resolve) => gantry.once('exit', resolve));
    assert.ok(owned().length >= 3, `the killed process left ${owned().join(', ')}`);

    new Workspaces();
    await until(() => owned().length === 0, "the killed process's folders to be removed");
  });
});
