// Services as containers, the way GitHub's runner starts them: one network per job, each service on
// it under its id as host name, ports published on this machine's loopback, health checks from
// `options:` awaited, and everything removed when the job ends (or a start fails, or is cancelled).
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { createSettings, CreateOptionError, type CreateSettings } from '../containers/create-options.ts';
import { ContainerEngineError, ContainerEngineUnavailable, type ContainerEngine } from '../containers/engine.ts';
import { boundPorts, defaultHostIp, publishSettings } from '../containers/publish.ts';
import { parseServiceOptions, ServiceOptionsError, type ServiceOptions } from '../containers/options.ts';
import { parsePortSpec, portAvailability, PortSpecError, type PortMapping } from '../containers/ports.ts';
import { LogTail } from './processes.ts';
import { NotReadyError, UnhealthyError, waitUntilProbesPass, type HealthProbe } from './readiness.ts';
import { ServiceError, type RunningServices, type ServiceContextEntry, type ServiceProvider, type ServiceSpec, type ServiceStartContext } from './types.ts';

/** Lines of the service's log that go into an error message. */
const logLinesInErrors = 25;

interface ContainerPlan {
  spec: ServiceSpec;
  label: string;
  options: ServiceOptions;
  settings: CreateSettings;
  ports: PortMapping[];
}

interface StartedService {
  plan: ContainerPlan;
  id?: string;
  log: LogTail;
  stopLogs?: () => void;
  /** `job.services.<id>.ports`, once started. */
  ports?: Record<string, string>;
}

export class ContainerServiceProvider implements ServiceProvider {
  readonly name = 'container';

  /** `engine` connects on first use (and may throw ContainerEngineUnavailable). */
  constructor(private readonly engine: () => Promise<ContainerEngine>) {}

  async start(specs: ServiceSpec[], context: ServiceStartContext): Promise<RunningServices> {
    context.signal?.throwIfAborted();
    if (specs.length === 0) return { context: {}, env: {}, stop: async () => {}, logs: () => '' };
    const warn = context.warn ?? ((message: string) => context.log(`Warning: ${message}`));
    const plans = specs.map((spec) => planService(spec, warn));
    await checkFixedPorts(plans);
    let engine: ContainerEngine;
    try {
      engine = await this.engine();
    } catch (error) {
      if (error instanceof ContainerEngineUnavailable) throw new ServiceError(`services need a container engine: ${error.message}; or run them natively with --services native`);
      throw error;
    }
    const network = `github_network_${randomBytes(16).toString('hex')}`;
    const jobLabel = context.jobLabel;
    const started: StartedService[] = plans.map((plan) => ({ plan, log: new LogTail() }));
    let networkCreated = false;
    const stop = once(async () => {
      for (const service of started) service.stopLogs?.();
      await Promise.all(started.map((service) => (service.id === undefined ? undefined : engine.removeContainer(service.id))));
      if (networkCreated) await engine.removeNetwork(network);
    });
    const signal = context.signal ?? new AbortController().signal;
    try {
      context.log(`Creating the job network ${network} on ${engine.describe()}`);
      await engine.createNetwork(network, jobLabel);
      networkCreated = true;
      await startAll(started, (service, failed) => startService(engine, service, network, jobLabel, context, AbortSignal.any([signal, failed])), signal);
    } catch (error) {
      await stop();
      if (error instanceof ContainerEngineError) throw new ServiceError(error.message, { cause: error });
      throw error;
    }
    const entries: Record<string, ServiceContextEntry> = {};
    for (const service of started) entries[service.plan.spec.id] = { id: service.id ?? '', network, ports: service.ports ?? {} };
    return {
      context: entries,
      env: {},
      containerNetwork: network,
      stop,
      logs: (id) => started.find((service) => service.plan.spec.id === id)?.log.text() ?? '',
    };
  }
}

function planService(spec: ServiceSpec, warn: (message: string) => void): ContainerPlan {
  const label = `service "${spec.id}" (${spec.image})`;
  const fail = (message: string) => new ServiceError(`${label}: ${message}`);
  let options: ServiceOptions;
  let settings: CreateSettings;
  try {
    options = parseServiceOptions(spec.options);
    settings = createSettings(options.flags);
  } catch (error) {
    if (error instanceof ServiceOptionsError || error instanceof CreateOptionError) throw fail(`options: ${error.message}`);
    throw error;
  }
  for (const ignored of settings.ignored) warn(`${label}: the option "${ignored}" is not supported by Gantry and is ignored`);
  const ports: PortMapping[] = [];
  for (const written of [...spec.ports, ...options.publish]) {
    try {
      ports.push(...parsePortSpec(written));
    } catch (error) {
      if (error instanceof PortSpecError) throw fail(`ports: ${error.message}`);
      throw error;
    }
  }
  return { spec, label, options, settings, ports };
}

/** A fixed host port that is taken fails the job before anything is created, naming the port. */
async function checkFixedPorts(plans: ContainerPlan[]): Promise<void> {
  const claimed = new Map<string, string>();
  for (const plan of plans) {
    for (const mapping of plan.ports) {
      if (mapping.hostPort === undefined) continue;
      const host = mapping.hostIp ?? defaultHostIp;
      const key = `${host}:${mapping.hostPort}/${mapping.protocol}`;
      const claimant = claimed.get(key);
      if (claimant !== undefined) throw new ServiceError(`${plan.label}: host port ${mapping.hostPort} is also published by ${claimant}: give each service its own host port`);
      claimed.set(key, plan.label);
      if (mapping.protocol !== 'tcp') continue;
      const availability = await portAvailability(mapping.hostPort, host);
      const remedy = `map another host port (e.g. "${mapping.hostPort + 1}:${mapping.containerPort}"), or write "${mapping.containerPort}" alone to get a free one`;
      if (availability === 'in use') throw new ServiceError(`${plan.label}: host port ${mapping.hostPort} is already in use on ${host}: stop what listens there, or ${remedy}`);
      if (availability === 'not permitted') throw new ServiceError(`${plan.label}: host port ${mapping.hostPort} needs root to be bound: ${remedy}`);
    }
  }
}

/** Starts all at once; the first failure stops the others' waits and is what is thrown. */
async function startAll(
  services: StartedService[],
  start: (service: StartedService, failed: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const firstFailure = new AbortController();
  let failure: { error: unknown } | undefined;
  await Promise.all(
    services.map((service) =>
      start(service, firstFailure.signal).catch((error: unknown) => {
        if (failure === undefined && !firstFailure.signal.aborted) failure = { error };
        firstFailure.abort();
      }),
    ),
  );
  signal.throwIfAborted();
  if (failure !== undefined) throw failure.error;
}

async function startService(
  engine: ContainerEngine,
  service: StartedService,
  network: string,
  jobLabel: string,
  context: ServiceStartContext,
  signal: AbortSignal,
): Promise<void> {
  const { plan } = service;
  const { spec, options, settings } = plan;
  try {
    await engine.ensureImage(spec.image, spec.credentials, (line) => context.log(`${plan.label}: ${line}`));
    signal.throwIfAborted();
    const { exposed, bindings } = publishSettings(plan.ports);
    const env = { ...options.env, ...spec.env };
    const create: Docker.ContainerCreateOptions = {
      ...settings.config,
      name: containerName(jobLabel, spec.id),
      Image: spec.image,
      Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
      ExposedPorts: exposed,
      HostConfig: { ...settings.hostConfig, Init: true, NetworkMode: network, PortBindings: bindings },
      NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [spec.id, ...settings.aliases] } } },
    };
    service.id = await engine.createContainer(create, jobLabel);
    context.log(`Starting ${plan.label} as container ${service.id.slice(0, 12)} (host name "${spec.id}" on the job network)`);
    try {
      await engine.startContainer(service.id);
    } catch (error) {
      throw new NotReadyError(`the container did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    service.stopLogs = engine.followLogs(service.id, (_stream, line) => service.log.push(line)).stop;
    service.ports = boundPorts(await engine.inspectContainer(service.id));
    const shown = Object.entries(service.ports).map(([container, host]) => `${container} -> ${defaultHostIp}:${host}`);
    if (shown.length > 0) context.log(`${plan.label} publishes ${shown.join(', ')}`);
    if (options.health !== undefined) await waitUntilHealthy(engine, service, context, signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof ServiceError || error instanceof ContainerEngineError) throw prefixed(plan.label, error);
    throw await failure(engine, service, error);
  }
}

async function waitUntilHealthy(engine: ContainerEngine, service: StartedService, context: ServiceStartContext, signal: AbortSignal): Promise<void> {
  const check = service.plan.options.health!;
  const id = service.id!;
  const spec = service.plan.spec;
  await waitUntilProbesPass(
    check,
    signal,
    (failures, waitMs) => context.log(`${spec.id} service is starting (${failures} of ${check.retries} failed checks), waiting ${formatSeconds(waitMs)} before checking again.`),
    async (): Promise<HealthProbe> => {
      const state = (await engine.inspectContainer(id)).State;
      if (!state.Running) throw new NotReadyError(`the container exited with code ${state.ExitCode} before it was healthy`);
      const output: string[] = [];
      const timedOut = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), check.timeoutMs).unref());
      const result = await Promise.race([
        engine.exec(id, { argv: ['/bin/sh', '-c', check.command], env: {}, cwd: '/', onLine: (_stream, line) => output.push(line) }),
        timedOut,
      ]);
      if (result === 'timeout') return { passed: false, how: `took longer than its timeout (${check.timeoutMs} ms)`, output };
      return { passed: result.exitCode === 0, how: `exited with code ${result.exitCode ?? 'unknown'}`, output };
    },
  );
  context.log(`${spec.id} service is healthy.`);
}

async function failure(engine: ContainerEngine, service: StartedService, error: unknown): Promise<ServiceError> {
  const message = error instanceof Error ? error.message : String(error);
  const what = error instanceof UnhealthyError ? `failed to initialize, ${service.plan.spec.id} service is unhealthy: ${message}` : `did not start: ${message}`;
  // The followed stream may lag behind a container that just failed: ask for the log itself.
  const recent = service.id === undefined ? [] : await engine.recentLogs(service.id, logLinesInErrors).catch(() => undefined);
  const lines = recent ?? service.log.last(logLinesInErrors);
  const logs = lines.length === 0 ? '' : `\nLast lines of its log:\n${lines.join('\n')}`;
  return new ServiceError(`${service.plan.label} ${what}${logs}`, { cause: error });
}

function prefixed(label: string, error: Error): ServiceError {
  return error.message.startsWith(label) ? (error as ServiceError) : new ServiceError(`${label}: ${error.message}`, { cause: error });
}

/** Readable in `docker ps`, unique per run: `gantry_<job>_<service>_<random>`. */
function containerName(jobLabel: string, id: string): string {
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24);
  return `gantry_${slug(jobLabel)}_${slug(id)}_${randomBytes(4).toString('hex')}`.replace(/_+/g, '_');
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} seconds` : `${ms} ms`;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
