// Services without a container engine: well-known official images run as programs of this machine
// (from its Debian packages), on loopback, with Docker's port rules. See native/ for each image.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { forgetDirectory, trackDirectory } from './leftovers.ts';
import { planServices, type ServicePlan } from './native/plan.ts';
import { mariadbRecipe, mysqlRecipe } from './native/mariadb.ts';
import { nginxRecipe } from './native/nginx.ts';
import { postgresRecipe } from './native/postgres.ts';
import type { NativeRecipe } from './native/recipe.ts';
import { redisRecipe } from './native/redis.ts';
import { NativeService } from './native/service.ts';
import type { RunningServices, ServiceContextEntry, ServiceProvider, ServiceSpec, ServiceStartContext } from './types.ts';

export const nativeRecipes: readonly NativeRecipe[] = [postgresRecipe, redisRecipe, mariadbRecipe, mysqlRecipe, nginxRecipe];

export interface NativeServiceProviderOptions {
  /**
   * Where each job's services keep their data; the system's temp folder by default. As root, the
   * accounts that postgres and mariadb run as must be able to pass through it.
   */
  temporaryDirectory?: string;
  /** How long a server may take to accept connections on its port. */
  connectTimeoutMs?: number;
  recipes?: readonly NativeRecipe[];
}

export class NativeServiceProvider implements ServiceProvider {
  readonly name = 'native';
  private readonly temporaryDirectory: string;
  private readonly connectTimeoutMs: number;
  private readonly recipes: readonly NativeRecipe[];

  constructor(options: NativeServiceProviderOptions = {}) {
    this.temporaryDirectory = options.temporaryDirectory ?? os.tmpdir();
    this.connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    this.recipes = options.recipes ?? nativeRecipes;
  }

  async start(specs: ServiceSpec[], context: ServiceStartContext): Promise<RunningServices> {
    context.signal?.throwIfAborted();
    if (specs.length === 0) return { context: {}, env: {}, stop: async () => {}, logs: () => '' };
    const say = (line: string) => context.log(line);
    const warn = context.warn ?? ((message: string) => context.log(`Warning: ${message}`));
    const plans = await planServices(specs, { recipes: this.recipes, say, warn, ...(context.signal ? { signal: context.signal } : {}) });

    const jobDirectory = await mkdtemp(path.join(this.temporaryDirectory, `gantry-services-${folderLabel(context.jobLabel)}`));
    trackDirectory(jobDirectory);
    // Servers that run as another account (postgres) must reach their own folder inside.
    await chmod(jobDirectory, 0o711);
    const services = plans.map((plan) => new NativeService(plan, { jobDirectory, connectTimeoutMs: this.connectTimeoutMs, say, warn }));
    const stop = once(async () => {
      await Promise.all(services.map((service) => service.stop()));
      await rm(jobDirectory, { recursive: true, force: true });
      forgetDirectory(jobDirectory);
    });
    try {
      await startAll(services, context.signal);
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      context: jobServicesContext(plans),
      env: {},
      stop,
      logs: (id) => services.find((service) => service.plan.spec.id === id)?.log.text() ?? '',
    };
  }
}

/** Starts all at once; the first to fail stops the wait for the others and is what is thrown. */
async function startAll(services: NativeService[], signal: AbortSignal | undefined): Promise<void> {
  const firstFailure = new AbortController();
  const combined = signal === undefined ? firstFailure.signal : AbortSignal.any([signal, firstFailure.signal]);
  let failure: { error: unknown } | undefined;
  await Promise.all(
    services.map((service) =>
      service.start(combined).catch((error: unknown) => {
        if (failure === undefined && !firstFailure.signal.aborted) failure = { error };
        firstFailure.abort();
      }),
    ),
  );
  signal?.throwIfAborted();
  if (failure !== undefined) throw failure.error;
}

function jobServicesContext(plans: ServicePlan[]): Record<string, ServiceContextEntry> {
  const network = `github_network_${randomBytes(16).toString('hex')}`;
  const context: Record<string, ServiceContextEntry> = {};
  for (const plan of plans) context[plan.spec.id] = { id: randomBytes(32).toString('hex'), network, ports: plan.published };
  return context;
}

/** A short, safe piece of the job's label for its folder (the folder holds sockets, whose paths must stay short). */
function folderLabel(jobLabel: string): string {
  const slug = jobLabel.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24);
  return slug === '' ? '' : `${slug}-`;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
