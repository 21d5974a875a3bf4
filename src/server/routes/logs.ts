// Job logs, whole or followed live over Server-Sent Events, and the `/api/events` change stream.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound, type ServerContext } from '../context.ts';
import type { LogLine } from '../../storage/db/records.ts';
import { runById } from './runs.ts';
import { runJobParams } from './schemas.ts';

const POLL_MS = 250;
const KEEPALIVE_MS = 15_000;

function openStream(request: FastifyRequest, reply: FastifyReply): { send(event: string, data: unknown): void; closed(): boolean; end(): void } {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.write(': connected\n\n');
  let closed = false;
  request.raw.on('close', () => (closed = true));
  const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  return {
    send(event, data) {
      if (!closed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    closed: () => closed,
    end() {
      clearInterval(keepalive);
      closed = true;
      raw.end();
    },
  };
}

function logEvent(line: LogLine) {
  return { step: line.step, line: line.line, text: line.text, stream: line.stream, at: line.at };
}

export function logRoutes(app: FastifyInstance, context: ServerContext): void {
  const { store } = context;

  app.get<{ Params: { id: number; jobId: number }; Querystring: { step?: number; follow?: string } }>('/api/runs/:id/jobs/:jobId/logs', {
    config: { role: 'viewer' },
    schema: {
      tags: ['runs'],
      params: runJobParams,
      querystring: { type: 'object', additionalProperties: false, properties: { step: { type: 'integer', minimum: 0 }, follow: { type: 'string', enum: ['0', '1', 'true', 'false'] } } },
    },
    handler: async (request, reply) => {
      const run = await runById(context, request.params.id);
      const job = await store.runs.job(request.params.jobId);
      if (!job || job.runId !== run.id) throw notFound(`job ${request.params.jobId} of run ${run.id}`);
      const step = request.query.step;
      const wanted = (line: LogLine) => step === undefined || line.step === step;
      const follow = request.query.follow === '1' || request.query.follow === 'true' || (request.headers.accept ?? '').includes('text/event-stream');
      if (!follow) {
        const lines = (await store.logs.lines(job.id)).filter(wanted);
        reply.type('text/plain; charset=utf-8');
        return lines.map((l) => l.text + '\n').join('');
      }
      const stream = openStream(request, reply);
      let after = 0;
      // Until the job has finished and every stored line was sent.
      for (;;) {
        if (stream.closed()) return reply;
        const finished = (await store.runs.job(job.id))?.status === 'completed';
        const lines = await store.logs.lines(job.id, after);
        for (const line of lines) {
          after = line.line;
          if (wanted(line)) stream.send('log', logEvent(line));
        }
        if (finished && lines.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      const final = await store.runs.job(job.id);
      stream.send('end', { status: final?.status, conclusion: final?.conclusion ?? null });
      stream.end();
      return reply;
    },
  });

  app.get('/api/events', {
    config: { role: 'viewer' },
    schema: { tags: ['runs'] },
    handler: async (request, reply) => {
      const stream = openStream(request, reply);
      const unsubscribe = context.bus.subscribe((change) => stream.send(change.type, change.data));
      request.raw.on('close', () => {
        unsubscribe();
        stream.end();
      });
      return reply;
    },
  });
}
