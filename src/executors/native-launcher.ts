// The C process launcher (native-launcher.c): built with the machine's C compiler the first time a
// Gantry process needs it, kept by the hash of its source, and found again by every later process.
// Without a compiler (or when GANTRY_PROCESS_LAUNCHER=node) the host executor uses the launcher
// written for Node instead, which does the same at about 1 ms more per process started.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const sourcePath = fileURLToPath(new URL('./native-launcher.c', import.meta.url));
const packageRoot = path.resolve(path.dirname(sourcePath), '..', '..');

export type LauncherKind = 'native' | 'node';

export interface NativeLauncher {
  /** The built program, or undefined when it cannot be built here. */
  program: string | undefined;
  /** Why there is no program (no compiler, a build error...). */
  reason?: string;
}

let found: NativeLauncher | undefined;

/** The launcher this process uses unless told otherwise: GANTRY_PROCESS_LAUNCHER, else native when it builds. */
export function preferredLauncher(): LauncherKind {
  if (process.env.GANTRY_PROCESS_LAUNCHER === 'node') return 'node';
  return nativeLauncher().program === undefined ? 'node' : 'native';
}

/** The C launcher, built now if this version of its source has not been built on this machine. */
export function nativeLauncher(): NativeLauncher {
  found ??= locateNativeLauncher(cacheFolders());
  return found;
}

/** The C launcher built in the first of `folders` that has it, else built into the first that can be made. */
export function locateNativeLauncher(folders: string[]): NativeLauncher {
  let source: Buffer;
  try {
    source = readFileSync(sourcePath);
  } catch (error) {
    return { program: undefined, reason: `its source is missing: ${(error as Error).message}` };
  }
  // A node_modules shared between machines of two architectures must not hand one the other's program.
  const name = `gantry-process-launcher-${process.arch}-${createHash('sha256').update(source).digest('hex').slice(0, 16)}`;
  for (const folder of folders) {
    const program = path.join(folder, name);
    if (runsHere(program)) return { program };
  }
  let reason = 'no folder to build it in could be made';
  for (const folder of folders) {
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
    } catch {
      continue;
    }
    const program = path.join(folder, name);
    // Built under a name of its own and renamed: Gantry processes starting together may all build it.
    const building = `${program}.${process.pid}.tmp`;
    const compiler = process.env.CC ?? 'cc';
    const built = spawnSync(compiler, ['-O2', '-o', building, sourcePath], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (built.error !== undefined || built.status !== 0) {
      rmSync(building, { force: true });
      reason = built.error !== undefined ? `${compiler}: ${built.error.message}` : `${compiler} failed: ${built.stderr.trim().split('\n')[0] ?? ''}`;
      break;
    }
    renameSync(building, program);
    if (runsHere(program)) return { program };
    // A folder on a file system mounted noexec takes the file but will not run it: the next one may.
    rmSync(program, { force: true });
    reason = `${program} was built but does not run (a file system mounted noexec?)`;
  }
  return { program: undefined, reason };
}

/** Beside Gantry's own dependencies when it may write there, else in the user's cache folder. */
function cacheFolders(): string[] {
  const userCache = process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache');
  return [path.join(packageRoot, 'node_modules', '.cache', 'gantry'), path.join(userCache, 'gantry')];
}

/**
 * Whether the program starts here: a file that is not executable, on a noexec file system, or built
 * for another machine sharing this folder (another C library) does not. Started with `--check`, the
 * launcher prints its name and exits with 0.
 */
function runsHere(program: string): boolean {
  const ran = spawnSync(program, ['--check'], { env: {}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  return ran.status === 0 && ran.stdout.trim() === 'gantry-process-launcher';
}
