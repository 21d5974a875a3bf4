// A job's `container:` from start to removal, and the executors that run processes in containers.
// Values arrive evaluated; nothing here knows workflows. The job's folders are mounted at the same
// paths inside (where GitHub's runner uses /__w), so every path a step is given stays valid.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { createSettings, CreateOptionError } from '../containers/create-options.ts';
import { ContainerEngineError, ContainerEngineUnavailable, parseEnvList, type ContainerEngine, type RegistryCredentials } from '../containers/engine.ts';
import { boundPorts, publishSettings } from '../containers/publish.ts';
import { parseServiceOptions, ServiceOptionsError } from '../containers/options.ts';
import { parsePortSpec, PortSpecError } from '../containers/ports.ts';
import { ContainerExecExecutor } from './container-exec.ts';
import { ContainerRunExecutor, type ImageRun } from './container-run.ts';
import type { Executor } from './types.ts';

export interface JobContainerSpec {
  image: string;
  env: Record<string, string>;
  /** `ports:` as written (`8080:80`, `80`). */
  ports: string[];
  /** `volumes:` as written (`/src:/dst`, `name:/dst`, `/dst`). */
  volumes: string[];
  options?: string;
  credentials?: RegistryCredentials;
  /** Host folders mounted at the same path inside (the job's workspace, temp, tool cache, event file). */
  mounts: { path: string; readOnly: boolean }[];
  /** The services' network; without one, the job gets a network of its own. */
  network?: string;
  /** Names the job in labels and messages. */
  jobLabel: string;
}

export interface RunningJobContainer {
  executor: Executor;
  /** The container's own environment (from its image and `env:`): what steps start from instead of the host's. */
  env: Record<string, string>;
  /** The programs a step's shell may be (bash, sh, pwsh, python, node) as found inside, by name. */
  programs: Record<string, string>;
  network: string;
  /** `job.container`: the container's id and network. */
  id: string;
  /** Container port to the host port bound for it. */
  ports: Record<string, string>;
  /** Removes the container (and the network it created). Safe to call twice. */
  stop(): Promise<void>;
}

/** The job container could not start; the message says why and what would fix it. */
export class JobContainerError extends Error {
  override readonly name = 'JobContainerError';
}

/** Shells a step may name, looked up once inside the container. */
const shellPrograms = ['bash', 'sh', 'pwsh', 'python', 'python3', 'node'];

export class JobContainers {
  /** `engine` connects on first use (and may throw ContainerEngineUnavailable). */
  constructor(private readonly engine: () => Promise<ContainerEngine>) {}

  async start(spec: JobContainerSpec, log: (line: string) => void, signal: AbortSignal): Promise<RunningJobContainer> {
    const label = `the job container (${spec.image})`;
    let settings;
    const ports = [];
    try {
      const options = parseServiceOptions(spec.options);
      if (options.health !== undefined) log(`Warning: ${label}: health checks apply to services; --health-cmd is ignored for the job container`);
      settings = createSettings(options.flags);
      for (const ignored of settings.ignored) log(`Warning: ${label}: the option "${ignored}" is not supported by Gantry and is ignored`);
      for (const written of [...spec.ports, ...options.publish]) ports.push(...parsePortSpec(written));
      spec = { ...spec, env: { ...options.env, ...spec.env } };
    } catch (error) {
      if (error instanceof ServiceOptionsError || error instanceof CreateOptionError) throw new JobContainerError(`${label}: options: ${error.message}`);
      if (error instanceof PortSpecError) throw new JobContainerError(`${label}: ports: ${error.message}`);
      throw error;
    }
    const engine = await this.connect(label);
    let network = spec.network;
    let ownNetwork = false;
    let id: string | undefined;
    const stop = once(async () => {
      if (id !== undefined) await engine.removeContainer(id);
      if (ownNetwork && network !== undefined) await engine.removeNetwork(network);
    });
    try {
      await engine.ensureImage(spec.image, spec.credentials, log);
      signal.throwIfAborted();
      if (network === undefined) {
        network = `github_network_${randomBytes(16).toString('hex')}`;
        await engine.createNetwork(network, spec.jobLabel);
        ownNetwork = true;
      }
      const { exposed, bindings } = publishSettings(ports);
      const create: Docker.ContainerCreateOptions = {
        ...settings.config,
        name: `gantry_${spec.jobLabel.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24)}_job_${randomBytes(4).toString('hex')}`,
        Image: spec.image,
        // As the runner: keep the container alive doing nothing; steps come in through exec.
        Entrypoint: ['tail'],
        Cmd: ['-f', '/dev/null'],
        Env: Object.entries(spec.env).map(([name, value]) => `${name}=${value}`),
        ExposedPorts: exposed,
        HostConfig: {
          ...settings.hostConfig,
          Init: true,
          NetworkMode: network,
          PortBindings: bindings,
          Binds: [...spec.mounts.map((mount) => `${mount.path}:${mount.path}${mount.readOnly ? ':ro' : ''}`), ...spec.volumes, ...(settings.hostConfig.Binds ?? [])],
        },
        NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: settings.aliases } } },
      };
      id = await engine.createContainer(create, spec.jobLabel);
      log(`Starting ${label} as container ${id.slice(0, 12)} on ${engine.describe()}`);
      await engine.startContainer(id);
      const info = await engine.inspectContainer(id);
      if (!info.State.Running) {
        const output = await engine.recentLogs(id, 20).catch(() => []);
        throw new JobContainerError(`${label} exited at once (code ${info.State.ExitCode}); it needs \`tail\` to stay up, as on GitHub${output.length > 0 ? `:\n${output.join('\n')}` : ''}`);
      }
      const env = parseEnvList(info.Config.Env ?? []);
      const programs = await findPrograms(engine, id);
      return { executor: new ContainerExecExecutor(engine, id), env, programs, network, id, ports: boundPorts(info), stop };
    } catch (error) {
      await stop().catch(() => undefined);
      if (signal.aborted) throw signal.reason;
      if (error instanceof ContainerEngineError) throw new JobContainerError(`${label}: ${error.message}`);
      throw error;
    }
  }

  /** An executor that runs each process as a new container of `run.image` (pulled when missing). */
  async imageExecutor(run: ImageRun & { credentials?: RegistryCredentials }, log: (line: string) => void): Promise<Executor> {
    const engine = await this.connect(`the container step (${run.image})`);
    try {
      await engine.ensureImage(run.image, run.credentials, log);
    } catch (error) {
      if (error instanceof ContainerEngineError) throw new JobContainerError(error.message);
      throw error;
    }
    return new ContainerRunExecutor(engine, run);
  }

  /**
   * The image of a Docker action built from its folder (`dockerfile` relative to it), tagged by a hash
   * of the folder's content, so an unchanged action is built once.
   */
  async actionImage(directory: string, dockerfile: string, log: (line: string) => void): Promise<string> {
    const engine = await this.connect(`the Docker action in ${directory}`);
    const files = (await readdir(directory, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile() && !path.relative(directory, entry.parentPath).split(path.sep).includes('.git'))
      .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)))
      .sort();
    const hash = createHash('sha256');
    for (const file of files) hash.update(file).update('\0').update(await readFile(path.join(directory, file))).update('\0');
    const tag = `localhost/gantry-action/${path.basename(directory).toLowerCase().replace(/[^a-z0-9._-]+/g, '-') || 'action'}:${hash.digest('hex').slice(0, 16)}`;
    try {
      if (await engine.hasImage(tag)) return tag;
      log(`Building ${tag} from ${dockerfile}`);
      await engine.buildImage(directory, files, dockerfile, tag, log);
    } catch (error) {
      if (error instanceof ContainerEngineError) throw new JobContainerError(error.message);
      throw error;
    }
    return tag;
  }

  private async connect(what: string): Promise<ContainerEngine> {
    try {
      return await this.engine();
    } catch (error) {
      if (error instanceof ContainerEngineUnavailable) throw new JobContainerError(`${what} needs a container engine: ${error.message}`);
      throw error;
    }
  }
}

/** One exec that prints where each shell program is, or nothing for a missing one. */
async function findPrograms(engine: ContainerEngine, id: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  const script = shellPrograms.map((name) => `printf '%s=%s\\n' ${name} "$(command -v ${name} 2>/dev/null)"`).join('; ');
  await engine.exec(id, {
    argv: ['sh', '-c', script],
    env: {},
    cwd: '/',
    onLine: (stream, line) => {
      const [name = '', ...rest] = line.split('=');
      const where = rest.join('=');
      // busybox's `command -v` names its applets without a path; exec finds them on PATH.
      if (stream === 'stdout' && shellPrograms.includes(name) && where !== '') found[name] = where;
    },
  });
  return found;
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
