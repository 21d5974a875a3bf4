// Service containers (`jobs.<id>.services`) behind one seam. A provider starts every service of a
// job, waits until each is ready, and hands back what the job sees of them. Providers know nothing
// of workflows or the engine: they get plain, already evaluated values.

/** One entry under `services:`, with expressions already evaluated. */
export interface ServiceSpec {
  /** The key under `services:`; also the service's hostname on GitHub's job network. */
  id: string;
  image: string;
  env: Record<string, string>;
  /** As written: `5432:5432`, `5432`, `127.0.0.1:8080:80`, `6379/tcp`. */
  ports: string[];
  /** `options:` as written (Docker create options). */
  options?: string;
  credentials?: { username: string; password: string };
}

export interface ServiceStartContext {
  /** Names the job in ids and messages, e.g. `backend-test (3.10)`. */
  jobLabel: string;
  /** Aborting stops whatever has started and makes `start` reject with the signal's reason. */
  signal?: AbortSignal;
  /** Progress for the job's log, one line at a time. */
  log(line: string): void;
  /** Something the user should fix or know (an ignored option); `log` with a `Warning: ` prefix when absent. */
  warn?(message: string): void;
}

/** What GitHub exposes as `job.services.<id>`. */
export interface ServiceContextEntry {
  id: string;
  network: string;
  /** Container port (without protocol) to the host port it is published on. */
  ports: Record<string, string>;
}

export interface RunningServices {
  /** The `job.services` context. */
  context: Record<string, ServiceContextEntry>;
  /** Extra environment for the job's steps; empty when the provider adds none. */
  env: Record<string, string>;
  /** The container network the services are on (container providers only): a job container joins it. */
  containerNetwork?: string;
  /** Stops every service and removes everything they left (processes, data). Safe to call twice. */
  stop(): Promise<void>;
  /** The service's recent output, to show when it fails or when the job ends. */
  logs(id: string): string;
}

export interface ServiceProvider {
  readonly name: string;
  /** Starts all services and resolves once each is ready; on failure nothing is left running. */
  start(services: ServiceSpec[], context: ServiceStartContext): Promise<RunningServices>;
}

/** A problem the workflow (or the machine's setup) causes, with what would fix it. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
}
