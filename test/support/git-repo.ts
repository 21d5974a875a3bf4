// Real git repositories in temporary folders for tests.

import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TempRepo {
  dir: string;
  git(...args: string[]): Promise<string>;
  write(file: string, content: string): Promise<void>;
  commit(message: string): Promise<string>;
  remove(): Promise<void>;
}

export async function createRepo(files: Record<string, string> = {}): Promise<TempRepo> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gantry-test-'));
  const git = async (...args: string[]) => (await run('git', args, { cwd: dir })).stdout.trim();
  const write = async (file: string, content: string) => {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  };
  const commit = async (message: string) => {
    await git('add', '-A');
    await git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.name', 'Test User');
  await git('config', 'user.email', 'test@example.invalid');
  await git('config', 'commit.gpgsign', 'false');
  for (const [file, content] of Object.entries(files)) await write(file, content);
  if (Object.keys(files).length > 0) await commit('initial');
  return { dir, git, write, commit, remove: () => rm(dir, { recursive: true, force: true }) };
}
