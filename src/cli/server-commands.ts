// Commands that talk to a Gantry server: repo add, dispatch, secret/var set.

import type { CommandIO } from './io.ts';
import { parseKeyValues } from './event-options.ts';
import { ServerClient, type ClientOptions } from './server-client.ts';
import { UsageError } from './io.ts';

export async function repoAdd(name: string, options: ClientOptions & { path?: string; url?: string; defaultBranch?: string }, io: CommandIO): Promise<number> {
  if (Boolean(options.path) === Boolean(options.url)) throw new UsageError('gantry repo add NAME needs exactly one of --path DIR or --url GIT_URL');
  const client = new ServerClient(options);
  const path = options.path ? (await import('node:path')).resolve(options.path) : undefined;
  const answer = await client.request<{ repo: { name: string }; webhookSecret: string }>('POST', '/api/repos', {
    name,
    ...(path ? { path } : {}),
    ...(options.url ? { url: options.url } : {}),
    ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
  });
  io.out(`registered ${answer.repo.name}\nwebhook secret (shown once): ${answer.webhookSecret}\n`);
  return 0;
}

export async function dispatch(repo: string, workflow: string, options: ClientOptions & { ref?: string; input: string[] }, io: CommandIO): Promise<number> {
  const client = new ServerClient(options);
  const inputs = parseKeyValues(options.input, '--input');
  const answer = await client.request<{ run: { id: number; workflowName: string } }>('POST', `/api/repos/${encodeURIComponent(repo)}/dispatch`, {
    workflow,
    ...(options.ref ? { ref: options.ref } : {}),
    inputs,
  });
  io.out(`queued run ${answer.run.id} (${answer.run.workflowName})\n`);
  return 0;
}

function scopePath(options: { repo?: string; env?: string }): string {
  if (options.env && !options.repo) throw new UsageError('--env needs --repo');
  if (!options.repo) return '/api';
  return `/api/repos/${encodeURIComponent(options.repo)}${options.env ? `/environments/${encodeURIComponent(options.env)}` : ''}`;
}

/** `gantry secret|var set|list|rm`: the value of a secret comes from stdin when not given. */
export async function valueCommand(
  kind: 'secrets' | 'variables',
  action: 'set' | 'list' | 'rm',
  name: string | undefined,
  options: ClientOptions & { repo?: string; env?: string; value?: string },
  io: CommandIO,
  readStdin: () => Promise<string>,
): Promise<number> {
  const client = new ServerClient(options);
  const base = `${scopePath(options)}/${kind}`;
  if (action === 'list') {
    const answer = await client.request<Record<string, { name: string; value?: string; updatedAt: string }[]>>('GET', base);
    for (const entry of answer[kind] ?? []) io.out(`${entry.name}${entry.value !== undefined ? `=${entry.value}` : ''}\t${entry.updatedAt}\n`);
    return 0;
  }
  if (!name) throw new UsageError(`gantry ${kind === 'secrets' ? 'secret' : 'var'} ${action} needs a NAME`);
  if (action === 'rm') {
    await client.request('DELETE', `${base}/${encodeURIComponent(name)}`);
    return 0;
  }
  const value = options.value ?? (await readStdin()).replace(/\r?\n$/, '');
  await client.request('PUT', `${base}/${encodeURIComponent(name)}`, { value });
  return 0;
}

interface RunView {
  id: number;
  repo: string;
  workflowName: string;
  event: string;
  branch: string | null;
  sha: string;
  attempt: number;
  status: string;
  conclusion: string | null;
  createdAt: string;
}

function runLine(run: RunView): string {
  return `${run.id}\t${run.repo}\t${run.workflowName}\t${run.event}\t${run.branch ?? '-'}\t${run.sha.slice(0, 8)}\t${run.conclusion ?? run.status}\t#${run.attempt}\t${run.createdAt}\n`;
}

function runNumber(value: string, what = 'a run id'): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`expected ${what} (a whole number), got "${value}"`);
  return id;
}

/** `gantry runs list|show|cancel|rerun`. */
export async function runsCommand(
  action: 'list' | 'show' | 'cancel' | 'rerun',
  id: string | undefined,
  options: ClientOptions & { repo?: string; status?: string; limit?: string; failed?: boolean; job?: string },
  io: CommandIO,
): Promise<number> {
  const client = new ServerClient(options);
  if (action === 'list') {
    const query = new URLSearchParams({ limit: options.limit ?? '20', ...(options.repo ? { repo: options.repo } : {}), ...(options.status ? { status: options.status } : {}) });
    const answer = await client.request<{ runs: RunView[] }>('GET', `/api/runs?${query}`);
    for (const run of answer.runs) io.out(runLine(run));
    return 0;
  }
  if (!id) throw new UsageError(`gantry runs ${action} needs a RUN id`);
  const run = runNumber(id);
  if (action === 'show') {
    const answer = await client.request<RunView & { jobs: { id: number; name: string; status: string; conclusion: string | null; reason: string | null; carriedFrom?: number | null; steps: { number: number; name: string; conclusion: string | null; status: string }[] }[] }>('GET', `/api/runs/${run}`);
    io.out(runLine(answer));
    for (const job of answer.jobs) {
      const carried = job.carriedFrom ? ` (carried over from attempt ${job.carriedFrom})` : '';
      io.out(`  job ${job.id} ${job.name}: ${job.conclusion ?? job.status}${job.reason ? ` (${job.reason})` : ''}${carried}\n`);
      for (const step of job.steps) io.out(`    ${step.number}. ${step.name}: ${step.conclusion ?? step.status}\n`);
    }
    return 0;
  }
  if (action === 'cancel') {
    await client.request('POST', `/api/runs/${run}/cancel`);
    io.out(`cancelling run ${run}\n`);
    return 0;
  }
  if (options.job !== undefined && options.failed) throw new UsageError('gantry runs rerun takes --failed or --job, not both');
  const answer =
    options.job === undefined
      ? await client.request<{ run: RunView }>('POST', `/api/runs/${run}/rerun`, { failedOnly: Boolean(options.failed) })
      : await client.request<{ run: RunView }>('POST', `/api/runs/${run}/jobs/${runNumber(options.job, 'a job id for --job')}/rerun`);
  io.out(`queued attempt ${answer.run.attempt} of run ${run}\n`);
  return 0;
}

/** `gantry logs RUN [JOB] [-f]`: every job's log, or one job's; -f follows it live. */
export async function logsCommand(runId: string, jobId: string | undefined, options: ClientOptions & { follow?: boolean }, io: CommandIO): Promise<number> {
  const client = new ServerClient(options);
  const run = runNumber(runId);
  const answer = await client.request<{ jobs: { id: number; name: string }[] }>('GET', `/api/runs/${run}`);
  const jobs = jobId === undefined ? answer.jobs : answer.jobs.filter((j) => String(j.id) === jobId || j.name === jobId);
  if (jobs.length === 0) throw new UsageError(`run ${run} has no job ${jobId ?? ''} (jobs: ${answer.jobs.map((j) => `${j.id} ${j.name}`).join(', ') || 'none yet'})`);
  for (const job of jobs) {
    if (jobs.length > 1) io.out(`== ${job.name} ==\n`);
    if (!options.follow) {
      io.out(await client.text(`/api/runs/${run}/jobs/${job.id}/logs`));
      continue;
    }
    await client.events(`/api/runs/${run}/jobs/${job.id}/logs?follow=1`, (event, data) => {
      if (event === 'log') io.out(`${(JSON.parse(data) as { text: string }).text}\n`);
    });
  }
  return 0;
}

/** `gantry token create|list|revoke` (admin). */
export async function tokenCommand(action: 'create' | 'list' | 'revoke', arg: string | undefined, options: ClientOptions & { role?: string }, io: CommandIO): Promise<number> {
  const client = new ServerClient(options);
  if (action === 'list') {
    const answer = await client.request<{ tokens: { id: number; name: string; role: string; createdAt: string; lastUsedAt: string | null }[] }>('GET', '/api/tokens');
    for (const t of answer.tokens) io.out(`${t.id}\t${t.name}\t${t.role}\tcreated ${t.createdAt}\tlast used ${t.lastUsedAt ?? 'never'}\n`);
    return 0;
  }
  if (!arg) throw new UsageError(`gantry token ${action} needs ${action === 'create' ? 'a NAME' : 'a token id'}`);
  if (action === 'create') {
    const role = options.role ?? 'viewer';
    if (!['admin', 'maintainer', 'viewer'].includes(role)) throw new UsageError(`--role expects admin, maintainer or viewer, got "${role}"`);
    const answer = await client.request<{ id: number; token: string }>('POST', '/api/tokens', { name: arg, role });
    io.out(`token ${answer.id} (${role}), shown only now:\n${answer.token}\n`);
    return 0;
  }
  await client.request('DELETE', `/api/tokens/${runNumber(arg)}`);
  io.out(`revoked token ${arg}\n`);
  return 0;
}
