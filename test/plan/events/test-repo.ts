// A real git repository for the event builder tests, and payload assertions.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

// Keep the machine's git configuration (signing, hooks, identity) out of the test repositories.
process.env.GIT_CONFIG_GLOBAL = '/dev/null';
process.env.GIT_CONFIG_NOSYSTEM = '1';

const temporaryDirs: string[] = [];

/** Removes every folder makeTempDir made; register with `after(removeTempDirs)`. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(temporaryDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  temporaryDirs.push(dir);
  return dir;
}

/** A real repository with helpers to commit; commit dates advance one minute per commit. */
export class TestRepo {
  private clock = Date.parse('2024-05-01T10:00:00Z') / 1000;

  private constructor(readonly dir: string) {}

  static async create(options: { remote?: string | null; folder?: string } = {}): Promise<TestRepo> {
    const parent = await makeTempDir('gantry-events-');
    const dir = join(parent, options.folder ?? 'widgets');
    await mkdir(dir);
    const repo = new TestRepo(dir);
    await repo.git('init', '-q', '-b', 'main');
    await repo.git('config', 'user.name', 'Jane Doe');
    await repo.git('config', 'user.email', 'jane@example.com');
    const remote = options.remote === undefined ? 'https://github.com/acme/widgets.git' : options.remote;
    if (remote !== null) await repo.git('remote', 'add', 'origin', remote);
    return repo;
  }

  async git(...args: string[]): Promise<string> {
    const date = `${this.clock} +0200`;
    const { stdout } = await execFileAsync('git', ['-C', this.dir, ...args], {
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return stdout.trim();
  }

  async write(files: Record<string, string>): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  }

  /** Writes files, removes paths, commits everything; returns the new commit's SHA. */
  async commit(message: string, files: Record<string, string> = {}, removals: string[] = []): Promise<string> {
    await this.write(files);
    for (const path of removals) await this.git('rm', '-q', path);
    await this.git('add', '-A');
    this.clock += 60;
    await this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }
}

export function record(value: unknown): Record<string, unknown> {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `expected an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

export function list(value: unknown): unknown[] {
  assert.ok(Array.isArray(value), `expected an array, got ${JSON.stringify(value)}`);
  return value;
}
