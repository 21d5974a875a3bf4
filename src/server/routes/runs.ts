// Runs: list, show (any attempt), cancel a run or a job, re-run all jobs, the failed ones or one.

import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../auth.ts';
import { ApiError, notFound, type ServerContext } from '../context.ts';
import type { JobRecord, RunRecord } from '../../storage/db/records.ts';
import { apiJob, apiRun, type ApiRun } from '../shapes.ts';
import { errorSchema, jobSchema, runJobParams, runParams, runSchema } from './schemas.ts';

export async function runById(context: ServerContext, id: number) {
  const run = await context.store.runs.get(id);
  if (!run) throw notFound(`run ${id}`);
  return run;
}

export function runRoutes(app: FastifyInstance, context: ServerContext): void {
  const { store } = context;

  app.get<{ Querystring: { repo?: string; workflow?: string; branch?: string; event?: string; status?: string; actor?: string; sha?: string; limit: number; cursor?: string } }>('/api/runs', {
    config: { role: 'viewer' },
    schema: {
      tags: ['runs'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          repo: { type: 'string' },
          workflow: { type: 'string' },
          branch: { type: 'string' },
          event: { type: 'string' },
          status: { type: 'string', enum: ['queued', 'running', 'completed'] },
          actor: { type: 'string' },
          sha: { type: 'string' },
          limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          cursor: { type: 'string', pattern: '^[0-9]+$' },
        },
      },
      response: { 200: { type: 'object', properties: { runs: { type: 'array', items: runSchema }, nextCursor: { type: ['string', 'null'] } } }, 400: errorSchema },
    },
    handler: async (request) => {
      const { cursor, ...filter } = request.query;
      const page = await store.runs.list({ ...filter, ...(cursor ? { cursor: Number(cursor) } : {}) });
      return { runs: page.runs.map(apiRun), nextCursor: page.nextCursor };
    },
  });

  app.get<{ Params: { id: number }; Querystring: { attempt?: number } }>('/api/runs/:id', {
    config: { role: 'viewer' },
    schema: {
      tags: ['runs'],
      params: runParams,
      querystring: { type: 'object', additionalProperties: false, properties: { attempt: { type: 'integer', minimum: 1 } } },
      response: {
        200: {
          type: 'object',
          properties: {
            ...runSchema.properties,
            jobs: { type: 'array', items: jobSchema },
            attempts: { type: 'array', items: { type: 'object', properties: { attempt: { type: 'integer' }, status: { type: 'string' }, conclusion: { type: ['string', 'null'] }, createdAt: { type: 'string' } } } },
            annotations: { type: 'array', items: { type: 'object', additionalProperties: true } },
            summaries: { type: 'array', items: { type: 'object', properties: { job: { type: 'string' }, jobId: { type: 'integer' }, step: { type: 'integer' }, markdown: { type: 'string' } } } },
            artifacts: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, size: { type: 'integer' }, url: { type: 'string' }, expiresAt: { type: ['string', 'null'] } } } },
          },
        },
        404: errorSchema,
      },
    },
    handler: async (request) => {
      const run = await runById(context, request.params.id);
      const attempt = request.query.attempt ?? run.attempt;
      const attempts = await store.runs.attempts(run.id);
      const shown = attempts.find((a) => a.attempt === attempt);
      if (!shown) throw notFound(`attempt ${attempt} of run ${run.id}`);
      const jobs = await store.runs.jobs(run.id, attempt);
      const ids = jobs.map((j) => j.id);
      const nameOf = (rowId: number) => jobs.find((j) => j.id === rowId)?.name ?? '';
      const annotations = (await store.logs.annotations(ids)).map(({ jobRowId, ...a }) => ({ ...a, job: nameOf(jobRowId), jobId: jobRowId }));
      const summaries = (await store.logs.summaries(ids)).map(({ jobRowId, ...s }) => ({ ...s, job: nameOf(jobRowId), jobId: jobRowId }));
      const runView = attempt === run.attempt ? apiRun(run) : { ...apiRun(run), attempt, status: shown.status, conclusion: shown.conclusion, startedAt: shown.startedAt, finishedAt: shown.finishedAt };
      return {
        ...runView,
        jobs: jobs.map(apiJob),
        attempts: attempts.map((a) => ({ attempt: a.attempt, status: a.status, conclusion: a.conclusion, createdAt: a.createdAt })),
        annotations,
        summaries,
        artifacts: (await context.artifacts.list(String(run.id))).map((artifact) => ({
          id: artifact.id,
          name: artifact.name,
          size: artifact.size,
          url: `/api/runs/${run.id}/artifacts/${artifact.id}`,
          expiresAt: artifact.expiresAt === undefined ? null : new Date(artifact.expiresAt).toISOString(),
        })),
      };
    },
  });

  app.get<{ Params: { id: number; artifactId: number } }>('/api/runs/:id/artifacts/:artifactId', {
    config: { role: 'viewer' },
    schema: {
      tags: ['runs'],
      description: 'An artifact of the run (any attempt), as the zip its upload made.',
      params: { type: 'object', required: ['id', 'artifactId'], properties: { id: { type: 'integer', minimum: 1 }, artifactId: { type: 'integer', minimum: 1 } } },
      response: { 404: errorSchema },
    },
    handler: async (request, reply) => {
      const run = await runById(context, request.params.id);
      const [artifact] = await context.artifacts.list(String(run.id), { id: request.params.artifactId });
      if (!artifact) throw notFound(`artifact ${request.params.artifactId} of run ${run.id}`);
      reply.header('content-disposition', `attachment; filename="${artifact.name.replace(/[^\w.-]+/g, '_')}.zip"`);
      reply.type('application/zip');
      return reply.send(createReadStream(context.artifacts.contentFile(String(run.id), artifact.id)));
    },
  });

  app.post<{ Params: { id: number } }>('/api/runs/:id/cancel', {
    config: { role: 'maintainer' },
    schema: { tags: ['runs'], params: runParams, response: { 202: { type: 'object', properties: { run: runSchema } }, 404: errorSchema, 409: errorSchema } },
    handler: async (request, reply) => {
      const run = await runById(context, request.params.id);
      if (run.status === 'completed') throw new ApiError(409, 'finished', `run ${run.id} has already finished`);
      await context.dispatcher.cancelRun(run.id);
      await store.access.audit(actorOf(request), 'run.cancel', `run/${run.id}`);
      reply.code(202);
      return { run: apiRun((await store.runs.get(run.id))!) };
    },
  });

  app.post<{ Params: { id: number; jobId: number } }>('/api/runs/:id/jobs/:jobId/cancel', {
    config: { role: 'maintainer' },
    schema: { tags: ['runs'], params: runJobParams, response: { 202: { type: 'object', properties: { job: jobSchema } }, 404: errorSchema, 409: errorSchema } },
    handler: async (request, reply) => {
      const run = await runById(context, request.params.id);
      const job = await store.runs.job(request.params.jobId);
      if (!job || job.runId !== run.id) throw notFound(`job ${request.params.jobId} of run ${run.id}`);
      if (job.status === 'completed' || !(await context.dispatcher.cancelJob(run.id, job.id))) {
        throw new ApiError(409, 'finished', `job ${job.id} is not running`);
      }
      await store.access.audit(actorOf(request), 'job.cancel', `run/${run.id}/job/${job.id}`);
      reply.code(202);
      return { job: apiJob((await store.runs.job(job.id))!) };
    },
  });

  app.post<{ Params: { id: number }; Body: { failedOnly?: boolean } | undefined }>('/api/runs/:id/rerun', {
    config: { role: 'maintainer' },
    schema: {
      tags: ['runs'],
      params: runParams,
      body: { type: ['object', 'null'], additionalProperties: false, properties: { failedOnly: { type: 'boolean' } } },
      response: { 201: { type: 'object', properties: { run: runSchema } }, 404: errorSchema, 409: errorSchema },
    },
    handler: async (request, reply) => {
      const run = await finishedRun(context, request.params.id);
      let rerunJobs: string[] | null = null;
      if (request.body?.failedOnly) {
        const jobs = await store.runs.jobs(run.id, run.attempt);
        const failed = jobs.filter((j) => j.conclusion === 'failure' || j.conclusion === 'cancelled');
        rerunJobs = [...new Set(failed.map(rerunEntry))];
        if (rerunJobs.length === 0) throw new ApiError(409, 'nothing_failed', `run ${run.id} has no failed jobs to re-run`);
      }
      reply.code(201);
      return { run: await newAttempt(context, run, rerunJobs, actorOf(request), request.body?.failedOnly ? 'run.rerun_failed' : 'run.rerun') };
    },
  });

  app.post<{ Params: { id: number; jobId: number } }>('/api/runs/:id/jobs/:jobId/rerun', {
    config: { role: 'maintainer' },
    schema: { tags: ['runs'], params: runJobParams, response: { 201: { type: 'object', properties: { run: runSchema } }, 404: errorSchema, 409: errorSchema } },
    handler: async (request, reply) => {
      const run = await finishedRun(context, request.params.id);
      const job = await store.runs.job(request.params.jobId);
      if (!job || job.runId !== run.id || job.attempt !== run.attempt) throw notFound(`job ${request.params.jobId} in the latest attempt of run ${run.id}`);
      reply.code(201);
      return { run: await newAttempt(context, run, [rerunEntry(job)], actorOf(request), 'job.rerun', `/job/${job.id}`) };
    },
  });

}

/** A run that may be run again: it exists and has finished. */
async function finishedRun(context: ServerContext, id: number): Promise<RunRecord> {
  const run = await runById(context, id);
  if (run.status !== 'completed') throw new ApiError(409, 'not_finished', `run ${run.id} is still ${run.status}; cancel it or wait`);
  return run;
}

/**
 * How an attempt names a job to run again: a matrix leg by its job key (that leg alone, as GitHub
 * re-runs one matrix job), any other job by its id (a called workflow's jobs as their caller).
 */
function rerunEntry(job: JobRecord): string {
  return job.matrix !== null && !job.jobId.includes('/') ? job.key : job.jobId.split('/')[0]!;
}

/** Queues a new attempt of `run` (all jobs, or `rerunJobs` and the jobs that need them) and says so. */
async function newAttempt(context: ServerContext, run: RunRecord, rerunJobs: string[] | null, actor: string, action: string, target = ''): Promise<ApiRun> {
  const { store } = context;
  await store.runs.newAttempt(run.id, rerunJobs);
  context.dispatcher.wake();
  await store.access.audit(actor, action, `run/${run.id}${target}`);
  const queued = apiRun((await store.runs.get(run.id))!);
  context.bus.publish({ type: 'run', data: queued });
  return queued;
}
