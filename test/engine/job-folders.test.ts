// A finished job's folder is made into a later job's: whatever the job did to it, the result must hold
// exactly what a new folder holds, and making it so must never change anything outside the folder.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeFolder, reuseFolder, type FolderLayout } from '../../src/engine/job-folders.ts';
import { Workspaces } from '../../src/engine/workspace.ts';

let root = '';
let template = '';
let outside = '';
let outsideFolder = '';
let layout: FolderLayout;
const prefix = () => path.join(root, 'job-');

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'gantry-job-folders-test-'));
  template = path.join(root, 'template');
  mkdirSync(path.join(template, 'src', 'deep'), { recursive: true });
  mkdirSync(path.join(template, '.git', 'objects', 'info'), { recursive: true });
  writeFileSync(path.join(template, 'README.md'), 'read me\n');
  writeFileSync(path.join(template, 'src', 'main.ts'), 'export const answer = 42;\n');
  writeFileSync(path.join(template, 'src', 'deep', 'data.txt'), 'x'.repeat(10_000));
  writeFileSync(path.join(template, 'build.sh'), '#!/bin/sh\necho build\n', { mode: 0o755 });
  writeFileSync(path.join(template, '.git', 'HEAD'), 'abc\n');
  symlinkSync('src/main.ts', path.join(template, 'main-link.ts'));
  outside = path.join(root, 'outside.txt');
  writeFileSync(outside, 'not the job folder\n');
  outsideFolder = path.join(root, 'outside-folder');
  mkdirSync(outsideFolder);
  writeFileSync(path.join(outsideFolder, 'kept.txt'), 'kept\n');
  layout = {
    folders: ['temp', 'tool-cache', path.join('temp', '_runner_file_commands')],
    files: [path.join('temp', '_runner_file_commands', 'set_env_1'), path.join('temp', '_runner_file_commands', 'set_output_1'), path.join('temp', 'script.sh')],
    copy: { from: template, to: 'workspace' },
  };
});
after(() => {
  for (const entry of walk(root)) if (!entry.link) chmodSync(path.join(root, entry.path), 0o700);
  rmSync(root, { recursive: true, force: true });
});

interface Entry {
  path: string;
  mode: number;
  link?: string;
  content?: string;
}

/** Every entry under `folder`: relative path, permissions, and a file's content or a link's target. */
function walk(folder: string, relative = ''): Entry[] {
  const entries: Entry[] = [];
  for (const name of readdirSync(path.join(folder, relative)).sort()) {
    const at = path.join(relative, name);
    const stats = lstatSync(path.join(folder, at));
    const mode = stats.mode & 0o7777;
    if (stats.isSymbolicLink()) entries.push({ path: at, mode: 0, link: readlinkSync(path.join(folder, at)) });
    else if (stats.isDirectory()) entries.push({ path: `${at}/`, mode }, ...walk(folder, at));
    else if (stats.isFile()) entries.push({ path: at, mode, content: readFileSync(path.join(folder, at), 'utf8') });
    else entries.push({ path: at, mode: stats.mode });
  }
  return entries;
}

/** Everything a job might do to its folder, short of processes that outlive it. */
function dirty(folder: string): void {
  const workspace = path.join(folder, 'workspace');
  writeFileSync(path.join(workspace, 'README.md'), 'changed by the job\n');
  writeFileSync(path.join(folder, 'temp', '_runner_file_commands', 'set_env_1'), 'SECRET_LEFT=1\n');
  writeFileSync(path.join(folder, 'temp', 'left.txt'), 'left in temp\n');
  mkdirSync(path.join(workspace, 'node_modules', 'a', 'b'), { recursive: true });
  writeFileSync(path.join(workspace, 'node_modules', 'a', 'b', 'index.js'), '');
  mkdirSync(path.join(folder, 'tool-cache', 'node', '20'), { recursive: true });
  // A workspace file swapped for a link to a file outside: rewriting it in place would write there.
  unlinkSync(path.join(workspace, 'src', 'main.ts'));
  symlinkSync(outside, path.join(workspace, 'src', 'main.ts'));
  // A hard link to the outside file in place of a template file: the same danger, without a link to see.
  unlinkSync(path.join(workspace, 'build.sh'));
  linkSync(outside, path.join(workspace, 'build.sh'));
  // A template file that became a folder, a template folder that became a file.
  rmSync(path.join(workspace, '.git', 'HEAD'));
  mkdirSync(path.join(workspace, '.git', 'HEAD'));
  rmSync(path.join(workspace, 'src', 'deep'), { recursive: true });
  writeFileSync(path.join(workspace, 'src', 'deep'), 'now a file');
  // The link pointed somewhere else; a named pipe; permissions taken away.
  unlinkSync(path.join(workspace, 'main-link.ts'));
  symlinkSync('/etc/passwd', path.join(workspace, 'main-link.ts'));
  execFileSync('mkfifo', [path.join(folder, 'temp', 'pipe')]);
  chmodSync(path.join(folder, 'temp', 'script.sh'), 0o400);
  // A template folder swapped for a link to a folder outside: filling it would fill that one.
  rmSync(path.join(workspace, '.git', 'objects', 'info'), { recursive: true, force: true });
  symlinkSync(outsideFolder, path.join(workspace, '.git', 'objects', 'info'));
  chmodSync(path.join(workspace, '.git', 'objects'), 0o500);
  chmodSync(path.join(folder, 'tool-cache'), 0o555);
}

/** Resets `folder` once its entries' change times are older than a clock tick, and waits as long again. */
async function resetUntilTrusted(folder: string): Promise<string> {
  await sleep(40);
  const reset = (await reuseFolder(folder, prefix(), layout)).path;
  await sleep(40);
  return reset;
}

describe('job folders', () => {
  it('makes a folder holding the layout and a copy of the template', async () => {
    const made = await makeFolder(prefix(), layout);
    const workspace = path.join(made, 'workspace');
    assert.deepEqual(walk(workspace), walk(template));
    assert.equal(readFileSync(path.join(made, 'temp', 'script.sh'), 'utf8'), '');
    assert.ok(statSync(path.join(made, 'tool-cache')).isDirectory());
  });

  // A folder reset after its entries' change times were old enough is checked by those times, not read.
  for (const [state, prepared] of [
    ['a folder just made', async (folder: string) => folder],
    ['a folder reset before, whose change times it trusts', resetUntilTrusted],
  ] as const) {
    it(`makes a finished job’s folder hold exactly what a new one holds, touching nothing outside it (${state})`, async () => {
      const fresh = walk(await makeFolder(prefix(), layout));
      const used = await prepared(await makeFolder(prefix(), layout));
      const keptInode = statSync(path.join(used, 'workspace', 'src')).ino;
      dirty(used);

      const reused = (await reuseFolder(used, prefix(), layout)).path;

      assert.notEqual(reused, used);
      assert.ok(reused.startsWith(prefix()), reused);
      assert.equal(existsSync(used), false, 'the old name is gone');
      assert.deepEqual(walk(reused), fresh);
      assert.equal(readFileSync(outside, 'utf8'), 'not the job folder\n', 'the file outside is unchanged');
      assert.equal(statSync(outside).nlink, 1, 'the job’s hard link to the outside file went with the folder’s entry');
      assert.deepEqual(readdirSync(outsideFolder), ['kept.txt'], 'the folder a link pointed to is neither filled nor emptied');
      assert.equal(statSync(path.join(reused, 'workspace', 'src')).ino, keptInode, 'a folder of the right kind is kept');
    });

    it(`finds changes that keep a file’s size, and changed permissions, and rewrites only those files (${state})`, async () => {
      const fresh = walk(await makeFolder(prefix(), layout));
      const used = await prepared(await makeFolder(prefix(), layout));
      const file = (relative: string) => path.join(used, relative);
      const data = file('workspace/src/deep/data.txt');
      const untouched = statSync(file('workspace/.git/HEAD'));
      writeFileSync(data, 'x'.repeat(5_000) + 'y' + 'x'.repeat(4_999));
      writeFileSync(file('workspace/src/main.ts'), 'export const answer = 43;\n');
      writeFileSync(file('workspace/README.md'), 'read me\nand more lines after it\n');
      chmodSync(file('workspace/build.sh'), 0o644);
      chmodSync(file('temp/_runner_file_commands/set_env_1'), 0o600);
      writeFileSync(file('temp/script.sh'), 'echo left\n');
      chmodSync(file('workspace/src/deep'), 0o700);

      const reused = (await reuseFolder(used, prefix(), layout)).path;

      assert.deepEqual(walk(reused), fresh);
      const after = statSync(path.join(reused, 'workspace/.git/HEAD'));
      assert.deepEqual([after.ino, after.mtimeMs, after.ctimeMs], [untouched.ino, untouched.mtimeMs, untouched.ctimeMs], 'an unchanged file is not written');
    });

  }

  it('keeps the inodes of files it can rewrite in place', async () => {
    const used = await makeFolder(prefix(), layout);
    const inodes = (folder: string) => ['workspace/README.md', 'workspace/src/deep/data.txt', 'temp/script.sh'].map((file) => statSync(path.join(folder, file)).ino);
    const before = inodes(used);
    writeFileSync(path.join(used, 'workspace', 'README.md'), 'changed');
    const reused = (await reuseFolder(used, prefix(), layout)).path;
    assert.deepEqual(inodes(reused), before);
    assert.equal(readFileSync(path.join(reused, 'workspace', 'README.md'), 'utf8'), 'read me\n');
  });

  it('reads only what may have changed since the last reset, by the change times it can trust', async () => {
    const folder = await resetUntilTrusted(await makeFolder(prefix(), layout));
    const untouched = await reuseFolder(folder, prefix(), layout);
    assert.equal(untouched.read, 1, 'nothing but the renamed folder itself is listed');
    await sleep(40);
    const readme = path.join(untouched.path, 'workspace', 'README.md');
    writeFileSync(readme, 'READ ME\n');
    const changed = await reuseFolder(untouched.path, prefix(), layout);
    assert.equal(changed.read, 2, 'the folder and the one changed file');
    assert.equal(readFileSync(path.join(changed.path, 'workspace', 'README.md'), 'utf8'), 'read me\n');
    const fresh = await reuseFolder(await makeFolder(prefix(), layout), prefix(), layout);
    assert.ok(fresh.read > 10, `a folder just made is read whole (${fresh.read})`);
  });

  it('reads a new template at an old template’s path', async () => {
    const moved = path.join(root, 'template-moved');
    const other = path.join(root, 'template-other');
    mkdirSync(path.join(other, 'src'), { recursive: true });
    writeFileSync(path.join(other, 'src', 'main.ts'), 'export const answer = 7;\n');
    const used = await makeFolder(prefix(), layout);
    try {
      execFileSync('mv', [template, moved]);
      execFileSync('mv', [other, template]);
      const reused = (await reuseFolder(used, prefix(), layout)).path;
      assert.deepEqual(walk(path.join(reused, 'workspace')), walk(template));
    } finally {
      execFileSync('mv', [template, other]);
      execFileSync('mv', [moved, template]);
    }
  });

  it('makes a new folder when the finished one holds a file that cannot be removed', async (t) => {
    const used = await makeFolder(prefix(), layout);
    const stuck = path.join(used, 'temp', 'immutable.txt');
    writeFileSync(stuck, 'kept by the file system');
    if (spawnSync('chattr', ['+i', stuck]).status !== 0) {
      t.skip('chattr +i is not available here (it needs root and a file system with attributes)');
      return;
    }
    try {
      const reused = (await reuseFolder(used, prefix(), layout)).path;
      assert.deepEqual(walk(reused), walk(await makeFolder(prefix(), layout)));
      assert.equal(existsSync(path.join(reused, 'temp', 'immutable.txt')), false);
    } finally {
      // The folder it is in was renamed before its reset failed.
      for (const entry of walk(root)) if (entry.path.endsWith('immutable.txt')) spawnSync('chattr', ['-i', path.join(root, entry.path)]);
    }
  });

  it('makes a new folder when the finished one is gone', async () => {
    const reused = (await reuseFolder(path.join(root, 'not-there'), prefix(), layout)).path;
    assert.deepEqual(walk(path.join(reused, 'workspace')), walk(template));
  });

  it('drops the workspace when the next layout has none (--bind)', async () => {
    const used = await makeFolder(prefix(), layout);
    const reused = (await reuseFolder(used, prefix(), { folders: layout.folders, files: layout.files })).path;
    assert.deepEqual(readdirSync(reused).sort(), ['temp', 'tool-cache']);
  });

  it('gives a later job of the run a finished job’s folder, reset, and removes every folder at the run’s end', async () => {
    const repo = path.join(root, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' }).trim();
    git('init', '-q');
    writeFileSync(path.join(repo, 'file.txt'), 'committed\n');
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    const request = { repoDir: repo, projectPath: '', sha: git('rev-parse', 'HEAD'), bind: false };
    const workspaces = new Workspaces();
    const seen = new Map<number, string>();
    const folders = new Set<string>();
    for (let job = 0; job < 8; job++) {
      const workspace = await workspaces.prepare(request);
      const inode = statSync(path.join(workspace.path, 'file.txt')).ino;
      assert.equal(readFileSync(path.join(workspace.path, 'file.txt'), 'utf8'), 'committed\n', `job ${job} sees the commit`);
      assert.deepEqual(readdirSync(workspace.temp).sort(), ['_runner_file_commands', ...workspace.scripts.map((s) => path.basename(s))].sort());
      for (const file of Object.values(workspace.stepFiles)) assert.equal(readFileSync(file, 'utf8'), '', `job ${job}: ${file} is empty`);
      seen.set(inode, workspace.checkout);
      folders.add(path.dirname(workspace.temp));
      writeFileSync(path.join(workspace.path, 'file.txt'), `changed by job ${job}\n`);
      writeFileSync(path.join(workspace.temp, 'left.txt'), 'left');
      for (const file of Object.values(workspace.stepFiles)) writeFileSync(file, `written by job ${job}\n`);
      await workspace.dispose();
    }
    assert.ok(seen.size < 8, `folders were used again (${seen.size} distinct checkouts for 8 jobs)`);
    await workspaces.dispose();
    const left = readdirSync(tmpdir()).filter((name) => name.startsWith(`gantry-${process.pid}-`));
    assert.deepEqual(left, []);
    for (const folder of folders) assert.equal(existsSync(folder), false, folder);
  });

  it('makes a run’s folders in the temporary folder of its time, on another file system too (TMPDIR changed since start)', async (t) => {
    if (!existsSync('/dev/shm')) return t.skip('no /dev/shm here');
    const repo = path.join(root, 'repo-for-tmpdir');
    mkdirSync(repo);
    execFileSync('git', ['-C', repo, 'init', '-q']);
    const otherTemp = mkdtempSync('/dev/shm/gantry-tmpdir-');
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = otherTemp;
    try {
      const workspaces = new Workspaces();
      const workspace = await workspaces.prepare({ repoDir: repo, projectPath: '', sha: '', bind: true });
      assert.ok(workspace.temp.startsWith(`${otherTemp}${path.sep}`), workspace.temp);
      await workspace.dispose();
      await workspaces.dispose();
      assert.deepEqual(readdirSync(otherTemp), []);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(otherTemp, { recursive: true, force: true });
    }
  });
});
