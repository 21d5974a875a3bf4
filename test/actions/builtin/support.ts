// Test support for the built-in actions: a context that records what the action
// did, stand-in executables, and running a command on the PATH a step would see next.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BuiltinAction, BuiltinActionContext } from '../../../src/actions/types.ts';

export interface Recorded {
  context: BuiltinActionContext;
  logs: string[];
  outputs: Record<string, string>;
  exported: Record<string, string>;
  /** Folders in the order addPath was called. */
  added: string[];
  /** The PATH the next step sees: each added folder in front of the ones before it. */
  nextPath(): string;
}

export function recordingContext(inputs: Record<string, string>, env: Record<string, string>, workspace: string): Recorded {
  const logs: string[] = [];
  const outputs: Record<string, string> = {};
  const exported: Record<string, string> = {};
  const added: string[] = [];
  const context: BuiltinActionContext = {
    inputs,
    env,
    workspace,
    sha: '0123456789abcdef0123456789abcdef01234567',
    repository: { dir: workspace, ref: 'refs/heads/main', name: 'octo/repo' },
    log: (line) => void logs.push(line),
    setOutput: (name, value) => void (outputs[name] = value),
    exportVariable: (name, value) => void (exported[name] = value),
    addPath: (folder) => void added.push(folder),
    saveState: () => undefined,
    state: {},
    signal: new AbortController().signal,
  };
  return { context, logs, outputs, exported, added, nextPath: () => [...added].reverse().concat(env.PATH ?? '').join(path.delimiter) };
}

export async function runAction(
  action: BuiltinAction,
  inputs: Record<string, string>,
  env: Record<string, string>,
  workspace: string,
): Promise<Recorded> {
  const recorded = recordingContext(inputs, env, workspace);
  await action.run(recorded.context);
  return recorded;
}

/** The one-line message the action failed with; fails the test when it succeeds. */
export async function failureOf(action: BuiltinAction, inputs: Record<string, string>, env: Record<string, string>, workspace: string): Promise<string> {
  const recorded = recordingContext(inputs, env, workspace);
  try {
    await action.run(recorded.context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes('\n')) throw new Error(`the failure message has more than one line: ${JSON.stringify(message)}`, { cause: error });
    return message;
  }
  throw new Error(`${action.name} succeeded with ${JSON.stringify(inputs)}; outputs ${JSON.stringify(recorded.outputs)}`);
}

/** An executable shell script at `folder/name` that prints `output` whatever it is asked. */
export function fakeExecutable(folder: string, name: string, output: string): string {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  writeFileSync(file, `#!/bin/sh\necho '${output}'\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Runs `command` as a shell would find it on `pathValue`; its trimmed standard output. */
export function runOnPath(command: string, args: string[], pathValue: string): string {
  return execFileSync('/bin/sh', ['-c', `${command} "$@"`, command, ...args], { env: { PATH: pathValue }, encoding: 'utf8' }).trim();
}
