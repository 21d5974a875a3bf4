// `actions/cache`, `actions/cache/restore` and `actions/cache/save`, built in:
// the same inputs, outputs and decisions as the actions (restore by key then
// restore-keys, save in the post step only when the primary key missed and the
// job succeeded), through the cache service the run provides.

import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BuiltinAction, BuiltinActionContext } from '../types.ts';
import { cacheVersion, compressionMethod, createArchive, extractArchive, archiveFileName } from './cache-archive.ts';
import { globPaths, patternLines } from './glob-paths.ts';
import { CacheClient, RuntimeServiceError } from './runtime-client.ts';
import { booleanInput, homeFolder, input, jobTempFolder } from './toolchains.ts';

const MAX_KEYS = 10;

function keyList(context: BuiltinActionContext, name: string): string[] {
  return patternLines(context.inputs[name] ?? '');
}

function primaryKey(context: BuiltinActionContext): string {
  const key = input(context.inputs, 'key');
  if (!key) throw new Error('Input required and not supplied: key');
  return key;
}

function cachePaths(context: BuiltinActionContext): string[] {
  const paths = (context.inputs.path ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
  if (paths.length === 0) throw new Error('Input required and not supplied: path');
  return paths;
}

function checkKeys(keys: readonly string[]): void {
  if (keys.length > MAX_KEYS) throw new Error(`Key Validation Error: Keys are limited to a maximum of ${MAX_KEYS}.`);
  for (const key of keys) {
    if (key.length > 512) throw new Error(`Key Validation Error: ${key} cannot be larger than 512 characters.`);
    if (key.includes(',')) throw new Error(`Key Validation Error: ${key} cannot contain commas.`);
  }
}

const sameKey = (a: string, b: string | undefined) => b !== undefined && a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

function logIgnored(context: BuiltinActionContext): void {
  if (input(context.inputs, 'enableCrossOsArchive')) context.log('enableCrossOsArchive: ignored; archives made here restore on this kind of machine');
}

async function scratchFolder(context: BuiltinActionContext): Promise<string> {
  const parent = jobTempFolder(context.env, 'gantry-cache');
  await mkdir(parent, { recursive: true });
  return mkdtemp(path.join(parent, 'archive-'));
}

/** Looks up and (unless lookup-only) extracts; returns the matched key. */
async function restore(context: BuiltinActionContext, outputs: 'cache' | 'restore'): Promise<string | undefined> {
  const key = primaryKey(context);
  if (outputs === 'restore') context.setOutput('cache-primary-key', key);
  else context.saveState('CACHE_KEY', key);
  const restoreKeys = keyList(context, 'restore-keys');
  const paths = cachePaths(context);
  const failOnMiss = booleanInput(context.inputs, 'fail-on-cache-miss', false);
  const lookupOnly = booleanInput(context.inputs, 'lookup-only', false);
  logIgnored(context);
  checkKeys([key, ...restoreKeys]);

  const compression = await compressionMethod(context.env);
  const client = new CacheClient(context.env, context.signal);
  const hit = await client.lookup([key, ...restoreKeys], cacheVersion(paths, compression));
  if (!hit) {
    if (failOnMiss) throw new Error(`Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: ${key}`);
    context.log(`Cache not found for input keys: ${[key, ...restoreKeys].join(', ')}`);
    return undefined;
  }
  if (!lookupOnly) {
    const folder = await scratchFolder(context);
    try {
      const archive = path.join(folder, archiveFileName(compression));
      await client.download(hit, archive);
      context.log(`Cache Size: ~${Math.round((await stat(archive)).size / (1024 * 1024))} MB`);
      await extractArchive(archive, context.workspace, compression, { env: context.env, signal: context.signal });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }
  if (outputs === 'restore') context.setOutput('cache-matched-key', hit.cacheKey);
  else context.saveState('CACHE_RESULT', hit.cacheKey);
  context.setOutput('cache-hit', String(sameKey(key, hit.cacheKey)));
  context.log(lookupOnly ? `Cache found and can be restored from key: ${hit.cacheKey}` : `Cache restored from key: ${hit.cacheKey}`);
  return hit.cacheKey;
}

async function save(context: BuiltinActionContext, key: string): Promise<void> {
  const paths = cachePaths(context);
  checkKeys([key]);
  const compression = await compressionMethod(context.env);
  const found = globPaths(paths, { workspace: context.workspace, home: homeFolder(context.env), implicitDescendants: false, excludeHidden: false });
  if (found.length === 0) {
    context.log('Warning: Path Validation Error: Path(s) specified in the action for caching do(es) not exist, hence no cache is being saved.');
    return;
  }
  const relative = found.map((file) => path.relative(context.workspace, file).split(path.sep).join('/') || '.');
  const folder = await scratchFolder(context);
  try {
    const archive = await createArchive(folder, context.workspace, relative, compression, { env: context.env, signal: context.signal });
    const size = (await stat(archive)).size;
    const client = new CacheClient(context.env, context.signal);
    const reserved = await client.reserve(key, cacheVersion(paths, compression), size);
    if (typeof reserved !== 'number') {
      context.log(`Failed to save: Unable to reserve cache with key ${key}, another job may be creating this cache. More details: ${reserved.refused}`);
      return;
    }
    await client.upload(reserved, archive);
    context.log(`Cache Size: ~${Math.round(size / (1024 * 1024))} MB (${size} B)`);
    context.log(`Cache saved with key: ${key}`);
  } catch (error) {
    // As the toolkit does, a failed save warns and leaves the job as it was.
    if (!(error instanceof RuntimeServiceError)) throw error;
    context.log(`Warning: Failed to save: ${error.message}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

export const cacheAction: BuiltinAction = {
  name: 'actions/cache',
  run: async (context) => {
    await restore(context, 'cache');
  },
  postIf: 'success()',
  post: async (context) => {
    const key = context.state.CACHE_KEY || input(context.inputs, 'key');
    if (!key) {
      context.log('Warning: Key is not specified.');
      return;
    }
    if (sameKey(key, context.state.CACHE_RESULT)) {
      context.log(`Cache hit occurred on the primary key ${key}, not saving cache.`);
      return;
    }
    await save(context, key);
  },
};

export const cacheRestoreAction: BuiltinAction = {
  name: 'actions/cache/restore',
  run: async (context) => {
    await restore(context, 'restore');
  },
};

export const cacheSaveAction: BuiltinAction = {
  name: 'actions/cache/save',
  run: async (context) => {
    await save(context, primaryKey(context));
  },
};
