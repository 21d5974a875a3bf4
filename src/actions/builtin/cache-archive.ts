// Cache archives exactly as @actions/cache makes them, so an entry saved by the
// built-in restores through the toolkit and back: the same version hash, the
// same compression choice (zstd when the machine has it, else gzip), the same
// tar arguments, paths relative to the workspace.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type CompressionMethod = 'zstd-without-long' | 'gzip';

/** The toolkit's salt, part of every version. */
const VERSION_SALT = '1.0';

/** @actions/cache's getCacheVersion on Linux and macOS: the paths as written, the compression, the salt. */
export function cacheVersion(paths: readonly string[], compression: CompressionMethod): string {
  return createHash('sha256').update([...paths, compression, VERSION_SALT].join('|')).digest('hex');
}

/** As the toolkit decides: zstd when `zstd --quiet --version` answers, else gzip. */
export async function compressionMethod(env: Record<string, string>): Promise<CompressionMethod> {
  try {
    const { stdout } = await run('zstd', ['--quiet', '--version'], { env });
    return stdout.trim() === '' ? 'gzip' : 'zstd-without-long';
  } catch {
    return 'gzip';
  }
}

export const archiveFileName = (compression: CompressionMethod): string => (compression === 'gzip' ? 'cache.tgz' : 'cache.tzst');

const compressArgs = (compression: CompressionMethod) => (compression === 'gzip' ? ['-z'] : ['--use-compress-program', 'zstdmt']);
const decompressArgs = (compression: CompressionMethod) => (compression === 'gzip' ? ['-z'] : ['--use-compress-program', 'unzstd']);

async function tar(args: string[], options: { cwd: string; env: Record<string, string>; signal: AbortSignal }): Promise<void> {
  try {
    await run('tar', args, { ...options, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join('; ');
    throw new Error(`tar failed: ${detail || (error instanceof Error ? error.message : String(error))}`, { cause: error });
  }
}

/** Writes `<archiveFolder>/cache.tzst` (or .tgz) of `relativePaths` (relative to `workspace`). */
export async function createArchive(
  archiveFolder: string,
  workspace: string,
  relativePaths: readonly string[],
  compression: CompressionMethod,
  options: { env: Record<string, string>; signal: AbortSignal },
): Promise<string> {
  const name = archiveFileName(compression);
  await writeFile(path.join(archiveFolder, 'manifest.txt'), relativePaths.join('\n'));
  const args = ['--posix', '-cf', name, '--exclude', name, '-P', '-C', workspace, '--files-from', 'manifest.txt', ...compressArgs(compression)];
  await tar(args, { cwd: archiveFolder, ...options });
  return path.join(archiveFolder, name);
}

export async function extractArchive(
  archive: string,
  workspace: string,
  compression: CompressionMethod,
  options: { env: Record<string, string>; signal: AbortSignal },
): Promise<void> {
  await mkdir(workspace, { recursive: true });
  await tar(['-xf', archive, '-P', '-C', workspace, ...decompressArgs(compression)], { cwd: workspace, ...options });
}
