// Repositories: register, list, their workflows, dispatch, commit statuses.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildDispatchEvent } from '../../plan/events/index.ts';
import { actorOf } from '../auth.ts';
import { ApiError, notFound, type ServerContext } from '../context.ts';
import { apiRepo, apiRun } from '../shapes.ts';
import { combinedState } from '../statuses.ts';
import { errorSchema, NAME_PATTERN, repoParams, repoSchema, runSchema } from './schemas.ts';

export async function repoByName(context: ServerContext, name: string) {
  const repo = await context.store.repos.byName(name);
  if (!repo) throw notFound(`the repository "${name}"`);
  return repo;
}

function inputType(definition: { type?: string }): string {
  return definition.type ?? 'string';
}

export function repoRoutes(app: FastifyInstance, context: ServerContext): void {
  const { store } = context;

  app.get('/api/repos', {
    config: { role: 'viewer' },
    schema: { tags: ['repos'], response: { 200: { type: 'object', properties: { repos: { type: 'array', items: repoSchema } } } } },
    handler: async () => {
      const repos = await store.repos.list();
      return { repos: await Promise.all(repos.map(async (repo) => apiRepo(repo, await store.runs.latestForRepo(repo.id)))) };
    },
  });

  app.post<{ Body: { name: string; path?: string; url?: string; defaultBranch?: string } }>('/api/repos', {
    config: { role: 'maintainer' },
    schema: {
      tags: ['repos'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', pattern: NAME_PATTERN }, path: { type: 'string', minLength: 1 }, url: { type: 'string', minLength: 1 }, defaultBranch: { type: 'string', minLength: 1 } },
        oneOf: [{ required: ['path'] }, { required: ['url'] }],
      },
      response: { 201: { type: 'object', properties: { repo: repoSchema, webhookSecret: { type: 'string' } } }, 400: errorSchema, 409: errorSchema },
    },
    handler: async (request, reply) => {
      const { name, url } = request.body;
      const repoPath = request.body.path === undefined ? null : path.resolve(request.body.path);
      if (await store.repos.byName(name)) throw new ApiError(409, 'exists', `a repository named "${name}" is already registered`);
      if (repoPath !== null && !existsSync(repoPath)) throw new ApiError(400, 'invalid_request', `path: ${repoPath} does not exist`);
      const webhookSecret = randomBytes(24).toString('hex');
      let defaultBranch = request.body.defaultBranch;
      try {
        const found = await context.sources.probe({ path: repoPath, url: url ?? null });
        defaultBranch ??= found;
      } catch (error) {
        throw new ApiError(400, 'invalid_request', `${repoPath ? 'path' : 'url'}: not a git repository that can be read: ${error instanceof Error ? error.message : String(error)}`);
      }
      const repo = await store.repos.create({ name, path: repoPath, url: url ?? null, defaultBranch: defaultBranch ?? 'main', webhookSecret });
      if (url) await context.sources.gitSource(repo).catch((error: unknown) => request.log.warn({ err: error, repo: name }, 'mirroring the repository failed; it is tried again with the next event'));
      await store.access.audit(actorOf(request), 'repo.create', `repo/${name}`);
      reply.code(201);
      return { repo: apiRepo(repo, null), webhookSecret };
    },
  });

  app.get<{ Params: { repo: string } }>('/api/repos/:repo/workflows', {
    config: { role: 'viewer' },
    schema: { tags: ['repos'], params: repoParams },
    handler: async (request) => {
      const repo = await repoByName(context, request.params.repo);
      const inputs = await context.sources.workflowsAt(repo, `refs/heads/${repo.defaultBranch}`);
      return {
        workflows: inputs.map((input) => {
          const workflow = input.workflow;
          const dispatch = workflow?.triggers.find((t) => t.event === 'workflow_dispatch');
          return {
            file: input.file,
            name: workflow?.name ?? input.file,
            events: [...new Set(workflow?.triggers.map((t) => t.event) ?? [])],
            dispatchInputs: dispatch
              ? Object.fromEntries(
                  (dispatch.inputs ?? []).map((def) => [
                    def.name,
                    {
                      type: inputType(def),
                      ...(def.description ? { description: def.description } : {}),
                      required: Boolean(def.required),
                      ...(def.default !== undefined ? { default: def.default } : {}),
                      ...(def.options ? { options: def.options } : {}),
                    },
                  ]),
                )
              : null,
          };
        }),
      };
    },
  });

  app.post<{ Params: { repo: string }; Body: { workflow: string; ref?: string; inputs?: Record<string, string | number | boolean> } }>('/api/repos/:repo/dispatch', {
    config: { role: 'maintainer' },
    schema: {
      tags: ['runs'],
      params: repoParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['workflow'],
        properties: {
          workflow: { type: 'string', minLength: 1 },
          ref: { type: 'string', minLength: 1 },
          inputs: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
        },
      },
      response: { 201: { type: 'object', properties: { run: runSchema } }, 400: errorSchema, 404: errorSchema, 422: errorSchema },
    },
    handler: async (request, reply) => {
      const repo = await repoByName(context, request.params.repo);
      const inputs = Object.fromEntries(Object.entries(request.body.inputs ?? {}).map(([k, v]) => [k, String(v)]));
      const workflow = request.body.workflow.includes('/') ? request.body.workflow : `.github/workflows/${request.body.workflow}`;
      const runs = await context.queue.enqueueFrom(repo, (dir) => buildDispatchEvent(dir, { ref: request.body.ref ?? repo.defaultBranch, inputs, workflow }), {
        actor: request.caller?.name ?? 'api',
        workflowFile: workflow,
      });
      const run = runs[0];
      if (!run) {
        throw new ApiError(422, 'not_triggered', `${workflow} was not started: it does not exist at ${request.body.ref ?? repo.defaultBranch}, has no on.workflow_dispatch, has errors, or its inputs are invalid`);
      }
      context.dispatcher.wake();
      await store.access.audit(actorOf(request), 'run.dispatch', `repo/${repo.name}/${workflow}`);
      reply.code(201);
      return { run: apiRun(run) };
    },
  });

  app.get<{ Params: { repo: string; sha: string } }>('/api/repos/:repo/commits/:sha/status', {
    config: { role: 'viewer' },
    schema: {
      tags: ['repos'],
      params: { type: 'object', properties: { repo: { type: 'string', pattern: NAME_PATTERN }, sha: { type: 'string', pattern: '^[0-9a-f]{7,40}$' } }, required: ['repo', 'sha'] },
    },
    handler: async (request) => {
      const repo = await repoByName(context, request.params.repo);
      const statuses = await store.statuses.forCommit(repo.id, request.params.sha);
      return { state: combinedState(statuses), statuses: statuses.map((s) => ({ context: s.context, state: s.state, runId: s.runId, description: s.description })) };
    },
  });
}
