// A fresh workspace per job: a clean checkout of the event's commit that shares
// the repository's objects, so the user's working copy is never touched. The
// commit is checked out once per run into a template; every job copies it.
// Job folders are made off the main thread (job-folders.ts), and the next job's
// folder is made while the current job runs. A finished job's folder is made
// into a later job's: reset to exactly what a new one holds, not removed.

import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { checkoutCommit, repositoryPlace, type RepositoryPlace } from '../plan/git-checkout.ts';
import { makeFolder, removeFolders, reuseFolder, startFolderWorker, type FolderLayout } from './job-folders.ts';
import { leftoverFolders, ownedFolderPrefix } from './leftover-folders.ts';
import { FILE_COMMANDS_FOLDER, stepFilesIn, type StepFiles } from './runner-env.ts';

export interface Workspace {
  /** GITHUB_WORKSPACE: the checkout, or the project's folder inside it. */
  path: string;
  /** The checkout's top level (the repository's top level with --bind). */
  checkout: string;
  /** RUNNER_TEMP: emptied for every job. */
  temp: string;
  /** RUNNER_TOOL_CACHE. */
  toolCache: string;
  /** The job's file-command files in `temp`, created empty. */
  stepFiles: StepFiles;
  /** Empty `.sh` files in `temp` for the job's first scripts. */
  scripts: string[];
  /** Everything of this job a sandboxed step may write: the job's folder, or with --bind the repository too. */
  writable: string[];
  dispose(): Promise<void>;
}

export interface WorkspaceRequest {
  repoDir: string;
  /** The project's folder relative to the repository's top level ('' for the top level). */
  projectPath: string;
  sha: string;
  /** Work in the repository folder itself (`--bind`). */
  bind: boolean;
}

/** A job's folder as made, before a job takes it: its path and the names of the files in it. */
interface MadeFolder {
  /** What it holds; `copy.from` is the checkout template, none with --bind. */
  layout: FolderLayout;
  base: Promise<string>;
  /** Whether `base` has settled: a job takes a folder that is ready before one still being made. */
  ready: boolean;
  fileCommandsId: string;
  scripts: string[];
}

/** Script files made with a job's folder: most jobs need no more, and a job that does makes the next while a step runs. */
const SCRIPTS_AHEAD = 2;
const REMOVAL_BATCH_MS = 20;
/**
 * Folders made ahead: with two, a folder has two jobs' time to be made, which it needs on a busy
 * machine (measured with --jobs 1 and 2); an unused one costs the worker a make and a removal.
 */
const SPARES = 2;
/** Finished jobs' folders kept for later jobs beyond this many are removed. */
const MOST_SPARES = SPARES + 2;
/** Leftovers of killed Gantry processes are looked for once per process, with its first run. */
let leftoversSwept = false;

/** Makes the workspaces of one run; `dispose` removes the templates it made. */
export class Workspaces {
  private readonly templates = new Map<string, Promise<string>>();
  private templateRoot: Promise<string> | undefined;
  private readonly removals = new Set<Promise<void>>();
  /** Folders of finished jobs not yet sent for removal. */
  private readonly batch: string[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  /** The next jobs' folders, made while the current ones run. */
  private spares: MadeFolder[] = [];
  private closed = false;
  /** Read once per run: the temp folder's name costs a look at the environment (os.tmpdir) each time. */
  private readonly prefix = ownedFolderPrefix('job');

  constructor() {
    startFolderWorker();
    if (!leftoversSwept) {
      leftoversSwept = true;
      void leftoverFolders().then((folders) => (folders.length > 0 ? removeFolders(folders) : undefined)).catch(() => undefined);
    }
  }

  async prepare(request: WorkspaceRequest): Promise<Workspace> {
    const place = await repositoryPlace(request.repoDir);
    const template = request.bind ? '' : await this.template(place, request.sha);
    const fits = (spare: MadeFolder) => (spare.layout.copy?.from ?? '') === template;
    for (const stale of this.spares.filter((spare) => !fits(spare))) this.discard(stale);
    this.spares = this.spares.filter(fits);
    const readyAt = this.spares.findIndex((spare) => spare.ready);
    const made = this.spares.splice(Math.max(readyAt, 0), 1)[0] ?? this.make(template);
    while (this.spares.length < SPARES) this.spares.push(this.make(template));

    const base = await made.base;
    const temp = path.join(base, 'temp');
    const toolCache = path.join(base, 'tool-cache');
    const stepFiles = stepFilesIn(path.join(temp, FILE_COMMANDS_FOLDER), made.fileCommandsId);
    const scripts = made.scripts.map((script) => path.join(temp, script));
    // A job's folder is made ready for a later job while the next job runs; the run waits for every removal at its end.
    const dispose = async () => this.release(base, made);
    const files = { temp, toolCache, stepFiles, scripts };
    if (request.bind) {
      return { ...files, path: path.resolve(request.repoDir), checkout: place.top, writable: [path.resolve(request.repoDir), base], dispose };
    }
    const checkout = path.join(base, 'workspace');
    return { ...files, path: path.join(checkout, request.projectPath), checkout, writable: [base], dispose };
  }

  async dispose(): Promise<void> {
    this.closed = true;
    for (const spare of this.spares.splice(0)) this.discard(spare);
    // Discarded spares join the batch once made; then the batch goes, and the run waits for it.
    await Promise.allSettled([...this.removals]);
    const root = this.templateRoot;
    this.templateRoot = undefined;
    this.templates.clear();
    if (root) this.remove(await root.catch(() => ''));
    this.flushRemovals();
    await Promise.allSettled([...this.removals]);
  }

  /** Starts making a job's folder: temp/ with the file-command files and script files, tool-cache/, the checkout. */
  private make(template: string): MadeFolder {
    const fileCommandsId = randomUUID();
    const scripts = Array.from({ length: SCRIPTS_AHEAD }, () => `${randomUUID()}.sh`);
    const commands = path.join('temp', FILE_COMMANDS_FOLDER);
    const layout = {
      folders: ['temp', 'tool-cache', commands],
      files: [...Object.values(stepFilesIn(commands, fileCommandsId)), ...scripts.map((script) => path.join('temp', script))],
      ...(template ? { copy: { from: template, to: 'workspace' } } : {}),
    };
    return this.spare({ layout, fileCommandsId, scripts }, makeFolder(this.prefix, layout));
  }

  /** A finished job's folder becomes a spare with the same layout (file names included), or goes. */
  private release(base: string, made: MadeFolder): void {
    if (this.closed || this.spares.length >= MOST_SPARES) {
      this.remove(base);
      return;
    }
    // Sent after what runs in this turn of the event loop: a job waiting for this one's end starts
    // its step first, and the message (a copy of the layout for the other thread) is sent while it runs.
    const reused = new Promise<string>((resolve) => setImmediate(() => resolve(reuseFolder(base, this.prefix, made.layout).then((reset) => reset.path))));
    this.spares.push(this.spare(made, reused));
  }

  private spare(folder: Omit<MadeFolder, 'base' | 'ready'>, base: Promise<string>): MadeFolder {
    const spare: MadeFolder = { ...folder, base, ready: false };
    // A spare that fails is reported to the job that takes it, or to nobody.
    base.then(
      () => (spare.ready = true),
      () => (spare.ready = true),
    );
    return spare;
  }

  private discard(made: MadeFolder): void {
    const removal = made.base.then(
      (base) => this.remove(base),
      () => undefined,
    );
    this.track(removal);
  }

  /** Removals go to the worker in batches: one message per job costs more than the removal's wait. */
  private remove(folder: string): void {
    if (folder === '') return;
    this.batch.push(folder);
    this.batchTimer ??= setTimeout(() => this.flushRemovals(), REMOVAL_BATCH_MS).unref();
  }

  private flushRemovals(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (this.batch.length > 0) this.track(removeFolders(this.batch.splice(0)));
  }

  private track(removal: Promise<void>): Promise<void> {
    const tracked = removal.catch(() => undefined).finally(() => this.removals.delete(tracked));
    this.removals.add(tracked);
    return tracked;
  }

  private template(place: RepositoryPlace, sha: string): Promise<string> {
    return once(this.templates, `${place.top}\0${sha}`, async () => {
      const name = String(this.templates.size);
      this.templateRoot ??= mkdtemp(ownedFolderPrefix('checkouts'));
      const folder = path.join(await this.templateRoot, name);
      await checkoutCommit(place, sha, folder);
      return folder;
    });
  }
}

function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = make();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}
