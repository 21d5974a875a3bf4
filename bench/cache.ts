// cache: save and restore a tree of many files (300 MB in 20,000 files at scale
// 1) through the built-in actions/cache and Gantry's cache service (archive,
// upload over loopback HTTP, content-addressed store, download, extract),
// against the same tar piped through the same compressor on the same tree:
// `tar -c | zstdmt > file` then `unzstd < file | tar -x` (gzip when there is no zstd).

import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cacheAction, cacheRestoreAction } from '../src/actions/builtin/cache.ts';
import { compressionMethod } from '../src/actions/builtin/cache-archive.ts';
import type { BuiltinActionContext } from '../src/actions/types.ts';
import { startRuntimeServer } from '../src/storage/runtime-server.ts';
import { log, median, medians, metric, perRound, rounds, runBenchmark, tempDir, timed } from './lib/harness.ts';

const TARGET_RATIO = 1.3;

/** Text-like content (source code compresses 3-5×), the same for every run: a seeded generator. */
function fileContent(index: number, size: number): Buffer {
  let seed = (index * 2654435761) >>> 0;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words = ['const', 'function', 'return', 'module', 'exports', 'require', 'value', 'options', 'length', 'undefined', 'this', 'if', 'else', 'for'];
  const parts: string[] = [];
  let length = 0;
  while (length < size) {
    const part = `${words[Math.floor(random() * words.length)]}_${Math.floor(random() * 100000).toString(36)}${random() < 0.1 ? ';\n' : ' '}`;
    parts.push(part);
    length += part.length;
  }
  return Buffer.from(parts.join('').slice(0, size));
}

async function writeTree(root: string, files: number, totalBytes: number): Promise<void> {
  const size = Math.max(1, Math.floor(totalBytes / files));
  for (let i = 0; i < files; i++) {
    const folder = path.join(root, `pkg-${Math.floor(i / 100)}`, `dir-${Math.floor(i / 10) % 10}`);
    if (i % 10 === 0) await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, `file-${i}.js`), fileContent(i, size));
  }
}

function run(program: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${program} ${args.join(' ')} exited ${code}`))));
  });
}

/** The baseline: the same tar, the same compressor, through a file. */
async function tarRoundTrip(workspace: string, target: string, archive: string, zstd: boolean): Promise<void> {
  if (zstd) {
    await run('sh', ['-c', `tar --posix -cf - -C "${workspace}" deps | zstdmt > "${archive}"`], workspace);
    await mkdir(target, { recursive: true });
    await run('sh', ['-c', `unzstd < "${archive}" | tar -xf - -C "${target}"`], target);
  } else {
    await run('tar', ['--posix', '-czf', archive, '-C', workspace, 'deps'], workspace);
    await mkdir(target, { recursive: true });
    await run('tar', ['-xzf', archive, '-C', target], target);
  }
}

function context(workspace: string, env: Record<string, string>, inputs: Record<string, string>, state: Record<string, string>, saved: Record<string, string>): BuiltinActionContext {
  return {
    inputs,
    env,
    workspace,
    sha: '0'.repeat(40),
    repository: { dir: workspace, ref: 'refs/heads/main', name: 'bench/cache' },
    log: () => undefined,
    setOutput: () => undefined,
    exportVariable: () => undefined,
    addPath: () => undefined,
    saveState: (name, value) => void (saved[name] = value),
    state,
    signal: new AbortController().signal,
  };
}

async function countFiles(folder: string): Promise<number> {
  return (await readdir(folder, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).length;
}

await runBenchmark('cache', { runs: 3 }, async (options) => {
  const files = Math.max(20, Math.round(20_000 * options.scale));
  const totalBytes = Math.max(64 * 1024, Math.round(300 * 1024 * 1024 * options.scale));
  const root = await tempDir('cache');
  const source = path.join(root, 'source');
  log(`writing ${files} files, ${(totalBytes / 1e6).toFixed(1)} MB`);
  await writeTree(path.join(source, 'deps'), files, totalBytes);
  const server = await startRuntimeServer({ cacheDir: path.join(root, 'store'), artifactsDir: path.join(root, 'artifacts') });
  const env = { PATH: process.env.PATH ?? '', RUNNER_TEMP: path.join(root, 'runner-temp') };
  const zstd = (await compressionMethod(env)) !== 'gzip';
  let saves = 0;
  let archiveBytes = 0;

  const gantry = async (): Promise<number> => {
    const key = `bench-${process.pid}-${saves++}`;
    const job = await server.jobToken(server.newRun(), [{ scope: 'refs/heads/main', permission: 3 }]);
    const jobEnv = { ...env, ACTIONS_CACHE_URL: server.url, ACTIONS_RUNTIME_TOKEN: job.token };
    const inputs = { path: 'deps', key };
    const target = path.join(root, 'restored-gantry');
    const ms = await timed(async () => {
      // The job that saves: actions/cache misses, then its post step saves.
      const state: Record<string, string> = {};
      await cacheAction.run(context(source, jobEnv, inputs, {}, state));
      await cacheAction.post!(context(source, jobEnv, inputs, state, {}));
      // The job that restores, in a workspace of its own.
      await cacheRestoreAction.run(context(target, jobEnv, inputs, {}, {}));
    });
    const restored = await countFiles(path.join(target, 'deps'));
    if (restored !== files) throw new Error(`the restore brought back ${restored} files of ${files}`);
    const sample = path.join('deps', 'pkg-0', 'dir-0', 'file-0.js');
    if (!(await readFile(path.join(target, sample))).equals(await readFile(path.join(source, sample)))) throw new Error('a restored file differs');
    archiveBytes = (await server.cache.entries()).find((entry) => entry.key === key)?.size ?? 0;
    await rm(target, { recursive: true, force: true });
    return ms;
  };
  const baseline = async (): Promise<number> => {
    const target = path.join(root, 'restored-tar');
    const archive = path.join(root, 'baseline.archive');
    const ms = await timed(() => tarRoundTrip(source, target, archive, zstd));
    const restored = await countFiles(path.join(target, 'deps'));
    if (restored !== files) throw new Error(`tar brought back ${restored} files of ${files}`);
    await rm(target, { recursive: true, force: true });
    await rm(archive, { force: true });
    return ms;
  };

  try {
    if (options.warmup) {
      log('warm-up (untimed)');
      await baseline();
      await gantry();
    }
    log(`measuring ${options.runs} round(s)`);
    const samples = await rounds(options.runs, { baseline, gantry });
    const ratios = perRound(samples, (t) => t.gantry / t.baseline);
    const ratio = median(ratios);
    const megabytes = totalBytes / 1e6;
    return {
      description: `save + restore of ${files} files (${megabytes.toFixed(1)} MB) through the built-in actions/cache and the cache service vs tar | ${zstd ? 'zstdmt' : 'gzip'} and back`,
      sizes: { files, megabytes: Math.round(megabytes * 10) / 10, archiveMegabytes: Math.round((archiveBytes / 1e6) * 10) / 10, compression: zstd ? 'zstd' : 'gzip' },
      ratio,
      ratioOf: 'gantry save+restore / tar | compressor round trip',
      metrics: [
        metric('gantry save+restore / tar round trip', ratio, '×', { target: { max: TARGET_RATIO }, rounds: ratios }),
        metric('tar round-trip throughput', megabytes / (median(samples.baseline) / 1000), 'MB/s'),
        metric('gantry save+restore throughput', megabytes / (median(samples.gantry) / 1000), 'MB/s'),
        metric('archive size', archiveBytes / 1e6, 'MB'),
      ],
      samplesMs: samples,
      medianMs: medians(samples),
      notes: [
        'gantry: actions/cache main (a miss) and post (archive, reserve, PATCH chunks, commit: hash, rename, entry file) then actions/cache/restore (lookup, download, extract) in another folder',
        'both sides use the system tar and the same compressor the toolkit picks; the tree is text-like (seeded), as dependency folders are',
      ],
    };
  } finally {
    await server.close();
    const info = await stat(root).catch(() => undefined);
    if (info) await rm(root, { recursive: true, force: true });
  }
});
