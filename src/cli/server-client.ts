// The CLI's client of a Gantry server: URL and token from flags, GANTRY_SERVER / GANTRY_TOKEN.

import { UsageError } from './io.ts';

export interface ClientOptions {
  server?: string;
  token?: string;
}

export class ServerClient {
  readonly base: string;
  private readonly token: string | undefined;

  constructor(options: ClientOptions, env: NodeJS.ProcessEnv = process.env) {
    this.base = (options.server ?? env.GANTRY_SERVER ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
    this.token = options.token ?? env.GANTRY_TOKEN;
  }

  private async send(method: string, route: string, body?: unknown): Promise<Response> {
    if (!this.token) throw new UsageError('a token is needed: --token TOKEN or GANTRY_TOKEN (gantry serve prints the admin token on first start)');
    try {
      return await fetch(`${this.base}${route}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new UsageError(`cannot reach the server at ${this.base}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
    }
  }

  /** A text answer (a whole log). */
  async text(route: string): Promise<string> {
    const response = await this.send('GET', route);
    const text = await response.text();
    if (!response.ok) throw failure('GET', route, response.status, text);
    return text;
  }

  /** Reads a Server-Sent Events stream until the server ends it. */
  async events(route: string, onEvent: (event: string, data: string) => void): Promise<void> {
    const response = await this.send('GET', route);
    if (!response.ok || !response.body) throw failure('GET', route, response.status, await response.text());
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) onEvent(event, data);
      }
    }
  }

  async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await this.send(method, route, body);
    const text = await response.text();
    if (!response.ok) throw failure(method, route, response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** The server's `{error: {code, message}}` as one line: `GET /api/runs/9: 404 not_found: run 9 does not exist`. */
function failure(method: string, route: string, status: number, text: string): UsageError {
  let said = text.trim();
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (error && typeof error.message === 'string') said = typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
  } catch {
    // not JSON (a proxy's page, say): the text itself
  }
  return new UsageError(`${method} ${route}: ${status} ${said}`);
}
