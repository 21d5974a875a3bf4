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
