// One `run:` step: the script in a file, the shell GitHub would pick, the
// process through the executor, workflow commands on its output, and the file
// commands it left behind.

import { randomUUID } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ProcessStartError, type Executor } from '../executors/types.ts';
import { resolveShell, scriptFileContent, ShellError } from '../executors/shells.ts';
import type { Annotation, EngineListener, JobKey } from './events.ts';
import { createEmptyFile } from './job-folders.ts';
import { parseKeyValueFile, parsePathFile, validateEnvEntries } from './file-commands.ts';
import type { SecretMasker } from './masking.ts';
import type { StepFiles } from './runner-env.ts';
import { mayHoldCommand, WorkflowCommandParser } from './workflow-commands.ts';

export type StepOutcome = 'success' | 'failure' | 'cancelled';

export interface ProcessStepRequest {
  job: JobKey;
  step: number;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  files: StepFiles;
  /** Reads what the step wrote to one of `files` (`StepFileSet.read`). */
  readFile(file: string): string;
  executor: Executor;
  signal: AbortSignal;
  /** Kills the process at once (a second interrupt), even while `signal` is stopping it. */
  kill?: AbortSignal;
  /** Aborted when the step's own timeout fired (the step fails rather than being cancelled). */
  timedOut: () => boolean;
  killGraceMs?: number;
  /** For a sandboxing executor: what the step may write, and whether it reaches the network. */
  isolation: { writable: string[]; network: boolean };
  masker: SecretMasker;
  debug: boolean;
  emit: EngineListener;
}

export interface StepReport {
  outcome: StepOutcome;
  outputs: Record<string, string>;
  env: Record<string, string>;
  paths: string[];
  state: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** Processes the step left running in the background; the job ends them when it ends. */
  background?: { end(): void };
}

/**
 * The file-command files of a job's steps. They are created with the job's
 * folder and emptied before each step: creating files costs several times more
 * than truncating them, and steps of a job never run at the same time.
 */
export class StepFileSet {
  /** Files a step wrote to: only these need emptying for the next one. */
  private readonly written = new Set<string>();
  /** The job's `run:` script files. */
  readonly scripts: ScriptFiles;

  /** `files` exist (empty), and so do `scripts`, `.sh` files in `temp`. */
  constructor(
    private readonly files: StepFiles,
    temp: string,
    scripts: readonly string[],
  ) {
    this.scripts = new ScriptFiles(temp, scripts);
  }

  /** Resolves when no script file is being made in `temp`: then the folder may be removed. */
  settled(): Promise<void> {
    return this.scripts.settled();
  }

  forNextStep(): StepFiles {
    // These files are tiny: synchronous calls cost a fraction of the thread-pool round trips that
    // asynchronous ones take per step (measured in bench/step-overhead.ts).
    for (const file of this.written) writeFileSync(file, '');
    this.written.clear();
    return this.files;
  }

  /** What a step wrote to `file`; a file left empty is only looked at, not read. */
  read(file: string): string {
    try {
      if (statSync(file).size === 0) return '';
      this.written.add(file);
      return readFileSync(file, 'utf8');
    } catch {
      // A step that removed the file gets a fresh one.
      this.written.add(file);
      return '';
    }
  }
}

/** Writes a `run:` script where the shell expects it and returns the command line. */
export async function prepareScript(
  script: string,
  shell: string | undefined,
  scripts: ScriptFiles,
  which: (name: string) => string | null,
): Promise<string[]> {
  const resolved = resolveShell(shell, { which });
  const file = scripts.take(resolved.extension);
  writeScript(file, scriptFileContent(script, resolved.extension));
  return resolved.argv(file);
}

/**
 * Writes a script into its file, which is usually one made empty ahead: without truncating it on
 * open, because ext4 starts writing back a file truncated on open when it is closed, which costs
 * five times the write (measured: 50–80 µs against 10–15 µs a step).
 */
function writeScript(file: string, content: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch {
    writeFileSync(file, content);
    return;
  }
  try {
    const bytes = Buffer.from(content);
    writeFileSync(fd, bytes);
    // A step may have written to a later step's file.
    ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Names for a job's script files, one per step as the runner makes them. A
 * `.sh` file is created ahead, off the main thread (the first two with the
 * job's folder, then one while the step before runs): on a journaling disk creating
 * a file costs about a millisecond, as much as starting the step's shell, and
 * writing into an existing one a few microseconds.
 */
export class ScriptFiles {
  private readonly spares: string[];

  /** `spares`: empty `.sh` files in `folder` made ahead for the first scripts. */
  constructor(
    private readonly folder: string,
    spares: readonly string[],
  ) {
    this.spares = [...spares];
  }

  /** A fresh file name with this extension (an existing empty file when one is ready). */
  take(extension: string): string {
    const spare = extension === '.sh' ? this.spares.shift() : undefined;
    if (spare === undefined) return path.join(this.folder, `${randomUUID()}${extension}`);
    if (this.spares.length === 0) this.prepareSpare();
    return spare;
  }

  /** Resolves when no file is being made. */
  settled(): Promise<void> {
    return this.making;
  }

  private making: Promise<void> = Promise.resolve();

  private prepareSpare(): void {
    const file = path.join(this.folder, `${randomUUID()}.sh`);
    this.making = createEmptyFile(file).then(
      () => void this.spares.push(file),
      () => undefined,
    );
  }
}

export { ShellError };

export async function runProcessStep(request: ProcessStepRequest): Promise<StepReport> {
  const { job, step, masker, emit } = request;
  const annotations: Annotation[] = [];
  const parser = new WorkflowCommandParser();
  const log = (stream: 'stdout' | 'stderr' | 'system', line: string) =>
    emit({ type: 'log', job, step, stream, line: masker.mask(line), at: Date.now() });

  let commandFailure = false;
  const commandOutputs: Record<string, string> = {};
  const commandState: Record<string, string> = {};
  const annotate = (annotation: Annotation) => {
    const masked = { ...annotation, message: masker.mask(annotation.message), title: annotation.title && masker.mask(annotation.title) };
    annotations.push(masked);
    emit({ type: 'annotation', job, step, annotation: masked, at: Date.now() });
  };

  const onLine = (stream: 'stdout' | 'stderr', line: string) => {
    if (!mayHoldCommand(line)) return log(stream, line);
    const { command, display, messages, failsStep } = parser.processLine(line);
    if (failsStep) commandFailure = true;
    switch (command?.kind) {
      case 'add-mask':
        masker.add(command.value);
        break;
      case 'stop-commands':
        if (command.maskToken) masker.add(command.token);
        break;
      case 'group':
        emit({ type: 'group', job, step, action: 'start', title: masker.mask(command.title), at: Date.now() });
        break;
      case 'endgroup':
        emit({ type: 'group', job, step, action: 'end', at: Date.now() });
        break;
      case 'annotation':
        annotate(command.annotation);
        break;
      case 'debug':
        if (request.debug) log(stream, `##[debug]${command.message}`);
        break;
      case 'set-output':
        commandOutputs[command.name] = command.value;
        break;
      case 'save-state':
        commandState[command.name] = command.value;
        break;
      default:
        break;
    }
    if (display !== null) log(stream, display);
    for (const message of messages) annotate({ level: message.level, message: message.message });
  };

  let exitCode: number | null;
  let background: StepReport['background'];
  try {
    const result = await request.executor.run({
      argv: request.argv,
      env: request.env,
      cwd: request.cwd,
      signal: request.signal,
      kill: request.kill,
      killGraceMs: request.killGraceMs,
      keepBackgroundProcesses: true,
      isolation: request.isolation,
      onLine,
    });
    exitCode = result.exitCode;
    background = result.background;
    if (result.stopped) {
      log('system', request.timedOut() ? 'The step exceeded its timeout-minutes and was stopped.' : 'The step was cancelled.');
      const files = await readFileCommands(request, log);
      return { ...files, outputs: { ...commandOutputs, ...files.outputs }, state: { ...commandState, ...files.state }, outcome: request.timedOut() ? 'failure' : 'cancelled', annotations };
    }
  } catch (error) {
    if (!(error instanceof ProcessStartError)) throw error;
    log('system', `Error: ${error.message}`);
    return { outcome: 'failure', outputs: {}, env: {}, paths: [], state: {}, summary: '', annotations };
  }
  if (exitCode !== 0) log('system', `Error: Process completed with exit code ${exitCode ?? 'null (killed by a signal)'}.`);
  const files = await readFileCommands(request, log);
  const succeeded = exitCode === 0 && !files.failed && !commandFailure;
  return {
    ...files,
    outputs: { ...commandOutputs, ...files.outputs },
    state: { ...commandState, ...files.state },
    outcome: succeeded ? 'success' : 'failure',
    annotations,
    ...(background ? { background } : {}),
  };
}

async function readFileCommands(
  request: ProcessStepRequest,
  log: (stream: 'system', line: string) => void,
): Promise<Omit<StepReport, 'outcome' | 'annotations'> & { failed: boolean }> {
  const read = (file: string) => request.readFile(file);
  const [output, env, paths, state, summary] = [
    read(request.files.output),
    read(request.files.env),
    read(request.files.path),
    read(request.files.state),
    read(request.files.summary),
  ];
  const outputs = parseKeyValueFile(output, 'GITHUB_OUTPUT');
  const envs = parseKeyValueFile(env, 'GITHUB_ENV');
  const allowedEnv = validateEnvEntries(envs.entries);
  const states = parseKeyValueFile(state, 'GITHUB_STATE');
  const errors = [...outputs.errors, ...envs.errors, ...states.errors];
  for (const error of [...errors, ...allowedEnv.errors]) log('system', `Error: ${error}`);
  return {
    outputs: Object.fromEntries(outputs.entries),
    env: Object.fromEntries(allowedEnv.entries),
    paths: parsePathFile(paths),
    state: Object.fromEntries(states.entries),
    summary: request.masker.mask(summary),
    failed: errors.length > 0,
  };
}
