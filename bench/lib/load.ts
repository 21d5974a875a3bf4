// HTTP load with autocannon: signed webhook deliveries, each with its own delivery id, from a
// fixed number of connections for a fixed time. Every response's latency is kept (autocannon's
// own histogram counts whole milliseconds, too coarse for a fast baseline) and so is its status.
// Also: timed GETs one after another over one kept-alive connection.

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  path: string;
  body: string;
  /** Headers every request carries; X-GitHub-Delivery is added per request. */
  headers: Record<string, string>;
  connections: number;
  /** Load for this long; or, with `amount`, until that many answers came (however long it takes). */
  durationSeconds: number;
  amount?: number;
}

export interface LoadResult {
  /** Latency of every answered request, milliseconds. */
  latenciesMs: number[];
  /** Answers by HTTP status. */
  statuses: Record<number, number>;
  /** Connection errors and timeouts (autocannon's count). */
  errors: number;
  seconds: number;
}

export async function webhookLoad(options: LoadOptions): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const statuses: Record<number, number> = {};
  const settings: autocannon.Options = {
    url: options.url,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds }),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: options.headers,
        body: options.body,
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'x-github-delivery': randomUUID() } }),
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(settings, (error: unknown, finished) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(finished)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      latenciesMs.push(responseTime);
    });
  });
  return { latenciesMs, statuses, errors: result.errors + result.timeouts, seconds: result.duration };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** One connection kept alive, so that a timed GET measures the request, not a TCP handshake. */
export function keepAliveAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1 });
}

/** GET with a bearer token; answers the parsed JSON body and the time to the last byte, ms. */
export function timedGetJson<T>(agent: http.Agent, url: string, token: string): Promise<{ ms: number; body: T }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get(url, { agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const ms = performance.now() - started;
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200) return reject(new Error(`GET ${url}: ${response.statusCode} ${text.slice(0, 500)}`));
        resolve({ ms, body: JSON.parse(text) as T });
      });
    });
    request.on('error', reject);
  });
}
