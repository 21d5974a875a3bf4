// The environment and contexts a hosted runner gives every step, with values
// that match the event.

import os from 'node:os';
import path from 'node:path';

export interface StepFiles {
  output: string;
  env: string;
  path: string;
  state: string;
  summary: string;
}

/** Where the runner keeps a job's file-command files: `<RUNNER_TEMP>/_runner_file_commands`. */
export const FILE_COMMANDS_FOLDER = '_runner_file_commands';

/** The file-command files of a job in `folder`, named as the runner names them (`set_output_<id>`...). */
export function stepFilesIn(folder: string, id: string): StepFiles {
  return {
    output: path.join(folder, `set_output_${id}`),
    env: path.join(folder, `set_env_${id}`),
    path: path.join(folder, `add_path_${id}`),
    state: path.join(folder, `save_state_${id}`),
    summary: path.join(folder, `step_summary_${id}`),
  };
}

export interface RunnerFacts {
  name: string;
  temp: string;
  toolCache: string;
  workspace: string;
  debug: boolean;
  eventPath: string;
  /** ACTIONS_* variables of the runtime services (cache, artifacts), for JavaScript and built-in actions. */
  runtime?: () => Promise<Record<string, string>>;
}

const archNames: Record<string, string> = { x64: 'X64', arm64: 'ARM64', arm: 'ARM', ia32: 'X86' };
const osNames: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };

export function runnerContext(facts: RunnerFacts): Record<string, unknown> {
  return {
    name: facts.name,
    os: osNames[process.platform] ?? process.platform,
    arch: archNames[process.arch] ?? process.arch,
    temp: facts.temp,
    tool_cache: facts.toolCache,
    debug: facts.debug ? '1' : '',
    environment: 'self-hosted',
    workspace: facts.workspace,
  };
}

/**
 * GITHUB_* and RUNNER_* variables from the `github` and `runner` contexts. They
 * are applied after the workflow's `env`, which may not override them.
 */
export function defaultVariables(
  github: Record<string, unknown>,
  runner: Record<string, unknown>,
  facts: RunnerFacts,
  step: { files: StepFiles; action: string; jobId: string },
): Record<string, string> {
  const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
  const variables: Record<string, string> = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: step.action,
    GITHUB_ACTOR: text(github.actor),
    GITHUB_API_URL: text(github.api_url),
    GITHUB_BASE_REF: text(github.base_ref),
    GITHUB_ENV: step.files.env,
    GITHUB_EVENT_NAME: text(github.event_name),
    GITHUB_EVENT_PATH: facts.eventPath,
    GITHUB_GRAPHQL_URL: text(github.graphql_url),
    GITHUB_HEAD_REF: text(github.head_ref),
    GITHUB_JOB: step.jobId,
    GITHUB_OUTPUT: step.files.output,
    GITHUB_PATH: step.files.path,
    GITHUB_REF: text(github.ref),
    GITHUB_REF_NAME: text(github.ref_name),
    GITHUB_REF_PROTECTED: text(github.ref_protected),
    GITHUB_REF_TYPE: text(github.ref_type),
    GITHUB_REPOSITORY: text(github.repository),
    GITHUB_REPOSITORY_OWNER: text(github.repository_owner),
    GITHUB_RETENTION_DAYS: text(github.retention_days),
    GITHUB_RUN_ATTEMPT: text(github.run_attempt),
    GITHUB_RUN_ID: text(github.run_id),
    GITHUB_RUN_NUMBER: text(github.run_number),
    GITHUB_SERVER_URL: text(github.server_url),
    GITHUB_SHA: text(github.sha),
    GITHUB_STATE: step.files.state,
    GITHUB_STEP_SUMMARY: step.files.summary,
    GITHUB_TRIGGERING_ACTOR: text(github.triggering_actor),
    GITHUB_WORKFLOW: text(github.workflow),
    GITHUB_WORKFLOW_REF: text(github.workflow_ref),
    GITHUB_WORKFLOW_SHA: text(github.sha),
    GITHUB_WORKSPACE: facts.workspace,
    RUNNER_ARCH: text(runner.arch),
    RUNNER_DEBUG: facts.debug ? '1' : '',
    RUNNER_ENVIRONMENT: text(runner.environment),
    RUNNER_NAME: facts.name,
    RUNNER_OS: text(runner.os),
    RUNNER_TEMP: facts.temp,
    RUNNER_TOOL_CACHE: facts.toolCache,
  };
  if (!facts.debug) delete variables.RUNNER_DEBUG;
  return variables;
}

export function runnerName(): string {
  return `gantry-${os.hostname()}`;
}
