// The webhook baseline's server, in a worker thread of the benchmark's process (an event loop of
// its own, as `gantry serve` has): fastify doing only what any webhook receiver must do: take the
// body as bytes, parse the JSON, check X-Hub-Signature-256 (HMAC-SHA256) in constant time, require
// a delivery id, answer 202. No repository, no database, no queue.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import Fastify from 'fastify';

const { secret } = workerData as { secret: string };
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

let accepted = 0;
app.post('/hooks/github', async (request, reply) => {
  const body = request.body as Buffer;
  const payload = JSON.parse(body.toString('utf8')) as { repository?: { full_name?: string } };
  const signature = request.headers['x-hub-signature-256'];
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(typeof signature === 'string' ? signature : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send({ error: 'rejected', message: 'bad signature' });
  if (!request.headers['x-github-delivery'] || !payload.repository?.full_name) return reply.code(400).send({ error: 'rejected', message: 'incomplete delivery' });
  accepted++;
  return reply.code(202).send({ result: 'accepted', runs: [accepted] });
});

const url = await app.listen({ port: 0, host: '127.0.0.1' });
parentPort!.postMessage({ url });
parentPort!.on('message', (message: string) => {
  if (message === 'stop') void app.close().then(() => parentPort!.postMessage({ stopped: true, accepted }));
});
