// Everything that can be checked before any service starts: which program runs each image, its
// options, and the host port it listens on. Problems here are the workflow's (or the machine's)
// and become ServiceErrors that say what would fix them.
import net from 'node:net';
import { imageBaseName, officialImageName, parseImageReference } from '../images.ts';
import { parseServiceOptions, ServiceOptionsError, type ServiceOptions } from '../../containers/options.ts';
import { freePort, parsePortSpec, portAvailability, PortSpecError, type PortMapping } from '../../containers/ports.ts';
import { ServiceError, type ServiceSpec } from '../types.ts';
import type { NativeInstallation, NativeRecipe } from './recipe.ts';

export interface ServicePlan {
  spec: ServiceSpec;
  /** `service "db" (postgres:15)`, to start messages with. */
  label: string;
  tag?: string;
  installation: NativeInstallation;
  options: ServiceOptions;
  /** `env:` over `-e` from the options, as Docker applies them. */
  env: Record<string, string>;
  host: string;
  port: number;
  /** `job.services.<id>.ports`. */
  published: Record<string, string>;
}

export interface PlanContext {
  recipes: readonly NativeRecipe[];
  say(line: string): void;
  warn(message: string): void;
  signal?: AbortSignal;
}

const loopbackDefault = '127.0.0.1';

export async function planServices(specs: ServiceSpec[], context: PlanContext): Promise<ServicePlan[]> {
  const claimedPorts = new Map<number, string>();
  const plans: ServicePlan[] = [];
  for (const spec of specs) {
    context.signal?.throwIfAborted();
    plans.push(await planService(spec, context, claimedPorts));
  }
  return plans;
}

async function planService(spec: ServiceSpec, context: PlanContext, claimedPorts: Map<number, string>): Promise<ServicePlan> {
  const label = `service "${spec.id}" (${spec.image})`;
  const fail = (message: string) => new ServiceError(`${label}: ${message}`);
  const reference = parseImageReference(spec.image);
  const recipe = recipeFor(spec.image, context, fail);
  const installation = recipe.locate();
  if ('missing' in installation) throw fail(installation.missing);

  let options: ServiceOptions;
  try {
    options = parseServiceOptions(spec.options);
  } catch (error) {
    if (error instanceof ServiceOptionsError) throw fail(`options: ${error.message}`);
    throw error;
  }
  for (const ignored of options.ignored) context.warn(`${label}: the option "${ignored}" has no effect on a native service and is ignored`);

  const mappings = readPorts([...spec.ports, ...options.publish], fail);
  const served = mappings.filter((mapping) => mapping.containerPort === recipe.containerPort);
  for (const mapping of mappings.filter((candidate) => candidate.containerPort !== recipe.containerPort)) {
    context.warn(`${label}: ports "${mapping.written}": nothing listens on port ${mapping.containerPort} of a native ${recipe.image} (it serves ${recipe.containerPort}); not published`);
  }
  if (served.length > 1) {
    const written = served.map((mapping) => `"${mapping.written}"`).join(', ');
    throw fail(`ports ${written} publish container port ${recipe.containerPort} more than once; a native service listens on one host port, so keep one of them`);
  }
  const mapping = served[0];
  const host = listenAddress(mapping, label, context);
  const port = await hostPort(mapping, host, label, claimedPorts, fail);
  if (mapping === undefined) {
    context.say(`${label} publishes no port (no "ports:"); it listens on ${host}:${port}, which job.services does not show, as on GitHub`);
  }
  return {
    spec,
    label,
    ...(reference.tag === undefined ? {} : { tag: reference.tag }),
    installation,
    options,
    env: { ...options.env, ...spec.env },
    host,
    port,
    published: mapping === undefined ? {} : { [String(recipe.containerPort)]: String(port) },
  };
}

function recipeFor(image: string, context: PlanContext, fail: (message: string) => ServiceError): NativeRecipe {
  const reference = parseImageReference(image);
  const official = officialImageName(reference);
  const recipe = context.recipes.find((candidate) => candidate.image === official);
  if (recipe !== undefined) return recipe;
  const native = context.recipes.map((candidate) => candidate.image).join(', ');
  const engine = 'a container engine (Docker or Podman)';
  const baseName = imageBaseName(reference);
  if (official === undefined && context.recipes.some((candidate) => candidate.image === baseName)) {
    throw fail(
      `${image} is not the official ${baseName} image, and only official images run natively (e.g. "${baseName}:<tag>"); ${image} itself needs ${engine}`,
    );
  }
  throw fail(`${image} has no native equivalent: it needs ${engine}. Without one, these official images run as programs of this machine: ${native}`);
}

function readPorts(written: string[], fail: (message: string) => ServiceError): PortMapping[] {
  const mappings: PortMapping[] = [];
  for (const entry of written) {
    let parsed: PortMapping[];
    try {
      parsed = parsePortSpec(entry);
    } catch (error) {
      if (error instanceof PortSpecError) throw fail(`ports: ${error.message}`);
      throw error;
    }
    const notTcp = parsed.find((mapping) => mapping.protocol !== 'tcp');
    if (notTcp !== undefined) {
      throw fail(`ports "${entry}": native services listen on TCP only; ${notTcp.protocol.toUpperCase()} needs a container engine (Docker or Podman)`);
    }
    mappings.push(...parsed);
  }
  return mappings;
}

/** Native services stay on loopback: an explicit loopback address is kept, anything else becomes 127.0.0.1. */
function listenAddress(mapping: PortMapping | undefined, label: string, context: PlanContext): string {
  const ip = mapping?.hostIp;
  if (ip === undefined || ip === '0.0.0.0' || ip === '::') return loopbackDefault;
  if (isLoopback(ip)) return ip;
  context.warn(`${label}: ports "${mapping?.written}": native services listen on loopback only; ${loopbackDefault} is used instead of ${ip}`);
  return loopbackDefault;
}

async function hostPort(
  mapping: PortMapping | undefined,
  host: string,
  label: string,
  claimed: Map<number, string>,
  fail: (message: string) => ServiceError,
): Promise<number> {
  const wanted = mapping?.hostPort;
  if (wanted === undefined) {
    for (;;) {
      const port = await freePort(host);
      if (!claimed.has(port)) return claim(claimed, port, label);
    }
  }
  const claimant = claimed.get(wanted);
  if (claimant !== undefined) throw fail(`host port ${wanted} is also published by ${claimant}: give each service its own host port`);
  const availability = await portAvailability(wanted, host);
  const remedy = `map another host port (e.g. "${wanted + 1}:${mapping?.containerPort}"), or write "${mapping?.containerPort}" alone to get a free one`;
  if (availability === 'in use') throw fail(`host port ${wanted} is already in use on ${host}: stop what listens there, or ${remedy}`);
  if (availability === 'not permitted') throw fail(`host port ${wanted} needs root to be bound: ${remedy}`);
  return claim(claimed, wanted, label);
}

function claim(claimed: Map<number, string>, port: number, label: string): number {
  claimed.set(port, label);
  return port;
}

function isLoopback(ip: string): boolean {
  return net.isIPv4(ip) ? ip.startsWith('127.') : ip === '::1';
}
