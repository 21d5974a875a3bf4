// One native service from start to stop: its folder, its server process, and the waits that make
// it ready (port, the image's own setup, health command).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describeExit, LogTail, startServer, type ServerProcess } from '../processes.ts';
import { NotReadyError, UnhealthyError, waitForConnections, waitUntilHealthy } from '../readiness.ts';
import { ServiceError } from '../types.ts';
import type { ServicePlan } from './plan.ts';
import type { NativeInstance, NativeLaunch } from './recipe.ts';
import { baseEnvironment } from './support.ts';

export interface ServiceRunContext {
  /** The job's folder; the service gets a folder of its own inside. */
  jobDirectory: string;
  connectTimeoutMs: number;
  say(line: string): void;
  warn(message: string): void;
}

/** How long a server may take to shut down before it is killed. */
const stopGraceMs = 5000;
/** Lines of the service's log that go into an error message. */
const logLinesInErrors = 25;

export class NativeService {
  readonly log = new LogTail();
  private server?: ServerProcess;
  private launch?: NativeLaunch;

  constructor(
    readonly plan: ServicePlan,
    private readonly context: ServiceRunContext,
  ) {}

  /** Resolves once the service is ready; rejects with the signal's reason when `signal` aborts first. */
  async start(signal: AbortSignal): Promise<void> {
    const serverGone = new AbortController();
    const instance = await this.instance(AbortSignal.any([signal, serverGone.signal]));
    try {
      this.context.say(`Starting ${this.plan.label} natively: ${this.plan.installation.description} on ${this.plan.host}:${this.plan.port}`);
      this.launch = await this.plan.installation.prepare(instance);
      this.server = await startServer({
        argv: this.launch.argv,
        env: this.launch.env,
        cwd: instance.directory,
        ...(this.launch.runAs === undefined ? {} : { runAs: this.launch.runAs }),
        onLine: (line) => this.log.push(line),
      });
      void this.server.exited.then((status) => serverGone.abort(new NotReadyError(`the server ${describeExit(status)} before it was ready`)));
      await waitForConnections(this.plan.host, this.plan.port, { timeoutMs: this.context.connectTimeoutMs, signal: instance.signal });
      await this.plan.installation.afterListening?.(instance);
      await this.waitUntilHealthy(instance);
      // Something else may have taken the port first; then our server has exited by now.
      instance.signal.throwIfAborted();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw this.failure(error);
    }
  }

  async stop(): Promise<void> {
    if (this.server !== undefined && this.launch !== undefined) await this.server.stop(this.launch.stopSignal, stopGraceMs);
  }

  private async waitUntilHealthy(instance: NativeInstance): Promise<void> {
    const check = this.plan.options.health;
    const id = this.plan.spec.id;
    if (check === undefined) return;
    const health = await this.plan.installation.healthEnvironment(instance);
    const base = baseEnvironment(process.env.HOME ?? '/');
    const env = { ...base, ...this.plan.env, ...health.env, PATH: [...health.path, base.PATH].join(path.delimiter) };
    await waitUntilHealthy(check, {
      env,
      cwd: instance.directory,
      signal: instance.signal,
      onRetry: (failures, waitMs) =>
        this.context.say(`${id} service is starting (${failures} of ${check.retries} failed checks), waiting ${formatSeconds(waitMs)} before checking again.`),
    });
    this.context.say(`${id} service is healthy.`);
  }

  private async instance(signal: AbortSignal): Promise<NativeInstance> {
    const directory = path.join(this.context.jobDirectory, folderName(this.plan.spec.id));
    await mkdir(directory, { mode: 0o700 });
    return {
      id: this.plan.spec.id,
      image: this.plan.spec.image,
      ...(this.plan.tag === undefined ? {} : { tag: this.plan.tag }),
      env: this.plan.env,
      host: this.plan.host,
      port: this.plan.port,
      directory,
      signal,
      output: (line) => this.log.push(line),
      say: (line) => this.context.say(`${this.plan.label}: ${line}`),
      warn: (message) => this.context.warn(`${this.plan.label}: ${message}`),
    };
  }

  private failure(error: unknown): ServiceError {
    const message = error instanceof Error ? error.message : String(error);
    const what = error instanceof UnhealthyError ? `failed to initialize, ${this.plan.spec.id} service is unhealthy: ${message}` : `did not start: ${message}`;
    const lines = this.log.last(logLinesInErrors);
    const logs = lines.length === 0 ? '' : `\nLast lines of its log:\n${lines.join('\n')}`;
    return new ServiceError(`${this.plan.label} ${what}${logs}`, { cause: error });
  }
}

function folderName(id: string): string {
  return id.replace(/[^\w.-]/g, '_');
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} seconds` : `${ms} ms`;
}
