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

  async request<T>(method: string, route: string, body?: unknown): Promise<T> {
    if (!this.token) throw new UsageError('a token is needed: --token TOKEN or GANTRY_TOKEN (gantry serve prints the admin token on first start)');
    let response: Response;
    try {
      response = await fetch(`${this.base}${route}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new UsageError(`cannot reach the server at ${this.base}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: the text itself
      }
      throw new UsageError(`${method} ${route}: ${response.status} ${message}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
