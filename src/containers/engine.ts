// One client for a container engine that speaks the Docker Engine API (Docker, or Podman's
// `podman system service`), through dockerode. It knows containers, images, networks and execs;
// nothing of jobs or workflows. Everything it creates carries Gantry's labels and is removed when
// the process exits without having removed it (see leftovers.ts).
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import Docker from 'dockerode';
import { engineCandidates, mayAnswer, type EngineAddress, type EngineCandidates } from './locate.ts';
import { forgetResource, trackResource } from './leftovers.ts';

/** No engine answered; the message lists where Gantry looked and how to point it at one. */
export class ContainerEngineUnavailable extends Error {
  override readonly name = 'ContainerEngineUnavailable';
}

/** The engine refused or failed a request; the message says which and why. */
export class ContainerEngineError extends Error {
  override readonly name = 'ContainerEngineError';
}

/** The label every container and network Gantry creates carries (the value names the job). */
export const gantryLabel = 'dev.gantry.job';

export interface RegistryCredentials {
  username: string;
  password: string;
}

export type OutputStream = 'stdout' | 'stderr';

export interface ExecRequest {
  argv: string[];
  /** Added to (and overriding) the container's own environment. */
  env: Record<string, string>;
  cwd: string;
  onLine(stream: OutputStream, line: string): void;
}

export interface ExecResult {
  exitCode: number | null;
}

export class ContainerEngine {
  private constructor(
    readonly docker: Docker,
    readonly address: EngineAddress,
    /** `Podman Engine 4.3.1`, `Docker Engine 27.1.0`. */
    readonly product: string,
  ) {}

  /** The first engine that answers a ping, trying `--container-engine`, DOCKER_HOST, then the usual sockets. */
  static async connect(options: EngineCandidates & { timeoutMs?: number } = {}): Promise<ContainerEngine> {
    const tried: string[] = [];
    for (const { address, origin } of engineCandidates(options)) {
      if (!mayAnswer(address)) {
        tried.push(`${address.shown} (${origin}): no such socket`);
        continue;
      }
      // A busy Podman can take seconds to answer; a missing engine refuses at once.
      const docker = new Docker({ ...addressOptions(address), timeout: options.timeoutMs ?? 30_000 });
      try {
        await docker.ping();
        const version = await docker.version();
        const name = version.Components?.find((component) => /engine/i.test(component.Name))?.Name ?? 'Docker Engine';
        // Long operations (pulls, waits, followed logs) must not time out: only the first requests do.
        return new ContainerEngine(new Docker(addressOptions(address)), address, `${name} ${version.Version}`);
      } catch (error) {
        tried.push(`${address.shown} (${origin}): ${errorText(error)}`);
      }
    }
    throw new ContainerEngineUnavailable(
      `no container engine answered (tried ${tried.join('; ')}). Start Docker or Podman (\`podman system service --time=0 unix:///run/podman/podman.sock\`), ` +
        'then point Gantry at it with --container-engine or DOCKER_HOST',
    );
  }

  describe(): string {
    return `${this.product} at ${this.address.shown}`;
  }

  /** Makes sure the image is there, pulling it (with credentials) when it is not. */
  async ensureImage(image: string, credentials: RegistryCredentials | undefined, say: (line: string) => void): Promise<void> {
    if (await this.hasImage(image)) return;
    say(`Pulling ${image}`);
    try {
      const stream = await this.docker.pull(image, credentials ? { authconfig: { username: credentials.username, password: credentials.password } } : {});
      // Podman reports a failed pull as an `error` event in the progress stream, not as an HTTP error.
      let reported: string | undefined;
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(
          stream,
          (error: Error | null) => (error ? reject(error) : reported !== undefined ? reject(new Error(reported)) : resolve()),
          (event: { error?: unknown; errorDetail?: { message?: unknown } }) => {
            const message = event.errorDetail?.message ?? event.error;
            if (typeof message === 'string' && message !== '') reported = message.trim();
          },
        ),
      );
    } catch (error) {
      throw new ContainerEngineError(
        `the image "${image}" is not on this machine and pulling it failed: ${errorText(error)}. ` +
          'Pull, load or build it with your engine first (docker/podman pull, load, import or build)',
      );
    }
    if (!(await this.hasImage(image))) throw new ContainerEngineError(`the image "${image}" was pulled but the engine does not list it`);
  }

  /**
   * Builds `tag` from a folder (`dockerfile` relative to it), without pulling: a base image must be
   * on the machine already or be pullable by the engine. Build output goes to `say`, line by line.
   */
  async buildImage(context: string, files: string[], dockerfile: string, tag: string, say: (line: string) => void): Promise<void> {
    const output: string[] = [];
    let reported: string | undefined;
    try {
      const stream = await this.docker.buildImage({ context, src: files }, { t: tag, dockerfile, rm: true });
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(
          stream,
          (error: Error | null) => (error ? reject(error) : reported !== undefined ? reject(new Error(reported)) : resolve()),
          (event: { stream?: unknown; error?: unknown; errorDetail?: { message?: unknown } }) => {
            const message = event.errorDetail?.message ?? event.error;
            if (typeof message === 'string' && message !== '') reported = message.trim();
            if (typeof event.stream === 'string') {
              for (const line of event.stream.split('\n').filter((text) => text.trim() !== '')) {
                output.push(line);
                say(line);
              }
            }
          },
        ),
      );
    } catch (error) {
      throw new ContainerEngineError(`building ${tag} from ${context}/${dockerfile} failed: ${errorText(error)}`);
    }
  }

  async hasImage(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw new ContainerEngineError(`could not inspect the image "${image}": ${errorText(error)}`);
    }
  }

  /** The image's configured environment, working directory and entrypoint. */
  async imageConfig(image: string): Promise<{ env: Record<string, string>; workingDir: string }> {
    const info = await this.docker.getImage(image).inspect();
    return { env: parseEnvList(info.Config?.Env ?? []), workingDir: info.Config?.WorkingDir ?? '' };
  }

  async createNetwork(name: string, jobLabel: string): Promise<void> {
    try {
      await this.docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: { [gantryLabel]: jobLabel } });
    } catch (error) {
      throw new ContainerEngineError(`could not create the network ${name}: ${errorText(error)}`);
    }
    trackResource(this.address, 'network', name);
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.docker.getNetwork(name).remove();
    } catch (error) {
      if (statusOf(error) !== 404) throw new ContainerEngineError(`could not remove the network ${name}: ${errorText(error)}`);
    }
    forgetResource(this.address, 'network', name);
  }

  /** Creates (but does not start) a container; `Labels` get Gantry's label. Returns its id. */
  async createContainer(options: Docker.ContainerCreateOptions, jobLabel: string): Promise<string> {
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({ ...options, Labels: { ...options.Labels, [gantryLabel]: jobLabel } });
    } catch (error) {
      throw new ContainerEngineError(`could not create a container from ${options.Image ?? 'its image'}: ${errorText(error)}`);
    }
    trackResource(this.address, 'container', container.id);
    return container.id;
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (error) {
      throw new ContainerEngineError(errorText(error));
    }
  }

  inspectContainer(id: string): Promise<Docker.ContainerInspectInfo> {
    return this.docker.getContainer(id).inspect();
  }

  /** Force-removes the container and its anonymous volumes; one that is already gone is not an error. */
  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      if (statusOf(error) !== 404) throw new ContainerEngineError(`could not remove the container ${id.slice(0, 12)}: ${errorText(error)}`);
    }
    forgetResource(this.address, 'container', id);
  }

  async signalContainer(id: string, signal: NodeJS.Signals): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (error) {
      // 404: gone; 409: not running any more.
      if (statusOf(error) !== 404 && statusOf(error) !== 409) throw new ContainerEngineError(errorText(error));
    }
  }

  /** Resolves with the container's exit code once it has stopped. */
  async waitContainer(id: string): Promise<number> {
    const result = (await this.docker.getContainer(id).wait()) as { StatusCode?: number };
    return result.StatusCode ?? -1;
  }

  /**
   * Streams the container's output (from its start, then as it comes) as lines until it stops or
   * `stop` is called. Returns at once: Podman sends the stream's headers only with the first output.
   */
  followLogs(id: string, onLine: (stream: OutputStream, line: string) => void): { stop(): void } {
    let stopped = false;
    let stream: (NodeJS.ReadableStream & { destroy(): void }) | undefined;
    const lines = new DemuxedLines(onLine);
    this.docker
      .getContainer(id)
      .logs({ follow: true, stdout: true, stderr: true })
      .then((opened) => {
        stream = opened as NodeJS.ReadableStream & { destroy(): void };
        if (stopped) return stream.destroy();
        this.docker.modem.demuxStream(stream, lines.stdout, lines.stderr);
        stream.on('end', () => lines.flush());
        stream.on('error', () => lines.flush());
      })
      .catch(() => {
        // The container is gone already: `recentLogs` still tells what it printed.
      });
    return {
      stop: () => {
        stopped = true;
        stream?.destroy();
      },
    };
  }

  /** Attaches to a created container's output before it starts; `ended` resolves once all of it has arrived. */
  async attach(id: string, onLine: (stream: OutputStream, line: string) => void): Promise<{ ended: Promise<void>; stop(): void }> {
    const stream = (await this.docker.getContainer(id).attach({ stream: true, stdout: true, stderr: true, hijack: true })) as unknown as NodeJS.ReadableStream & {
      destroy(): void;
    };
    const lines = new DemuxedLines(onLine);
    this.docker.modem.demuxStream(stream, lines.stdout, lines.stderr);
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    }).then(() => lines.flush());
    return { ended, stop: () => stream.destroy() };
  }

  /** The container's last `tail` lines of output, as lines. */
  async recentLogs(id: string, tail: number): Promise<string[]> {
    const buffer = (await this.docker.getContainer(id).logs({ follow: false, stdout: true, stderr: true, tail })) as unknown as Buffer;
    const found: string[] = [];
    const lines = new DemuxedLines((_stream, line) => found.push(line));
    demuxBuffer(buffer, lines);
    lines.flush();
    return found;
  }

  /** Runs a command in a running container and resolves with how it ended. */
  async exec(id: string, request: ExecRequest): Promise<ExecResult> {
    const exec = await this.docker.getContainer(id).exec({
      Cmd: request.argv,
      Env: Object.entries(request.env).map(([name, value]) => `${name}=${value}`),
      WorkingDir: request.cwd,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const lines = new DemuxedLines(request.onLine);
    this.docker.modem.demuxStream(stream, lines.stdout, lines.stderr);
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    lines.flush();
    const info = await exec.inspect();
    return { exitCode: info.Running ? null : info.ExitCode };
  }

  /** Containers and networks that carry Gantry's label (all of them, or those of one job). */
  async labelled(jobLabel?: string): Promise<{ containers: string[]; networks: string[] }> {
    const filter = { label: [jobLabel === undefined ? gantryLabel : `${gantryLabel}=${jobLabel}`] };
    const [containers, networks] = await Promise.all([
      this.docker.listContainers({ all: true, filters: filter }),
      this.docker.listNetworks({ filters: filter }),
    ]);
    return { containers: containers.map((container) => container.Id), networks: networks.map((network) => network.Name) };
  }
}

function addressOptions(address: EngineAddress): Docker.DockerOptions {
  return 'socketPath' in address ? { socketPath: address.socketPath } : { host: address.host, port: address.port, protocol: address.protocol };
}

/** The engine's own message (`{"message": …}`) when it sent one. */
export function errorText(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const json = (error as { json?: unknown }).json;
    if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string') {
      return (json as { message: string }).message.trim();
    }
    const reason = (error as { reason?: unknown }).reason;
    if (typeof reason === 'string' && (error as { statusCode?: unknown }).statusCode !== undefined) {
      return `${reason} (HTTP ${String((error as { statusCode: unknown }).statusCode)})`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

export function statusOf(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  return typeof code === 'number' ? code : undefined;
}

export function parseEnvList(list: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of list) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return env;
}

/** A whole multiplexed log (8-byte frame headers: stream, 0, 0, 0, length) fed to `lines`. */
function demuxBuffer(buffer: Buffer, lines: DemuxedLines): void {
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer.readUInt8(offset);
    const length = buffer.readUInt32BE(offset + 4);
    if (kind > 2) {
      // Not multiplexed (a container with a TTY): all of it is output.
      lines.stdout.write(buffer.subarray(offset));
      return;
    }
    (kind === 2 ? lines.stderr : lines.stdout).write(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
}

/** Two writable ends (stdout, stderr) that hand back complete lines. */
class DemuxedLines {
  readonly stdout: Writable;
  readonly stderr: Writable;
  private readonly pending: Record<OutputStream, { decoder: StringDecoder; text: string }> = {
    stdout: { decoder: new StringDecoder('utf8'), text: '' },
    stderr: { decoder: new StringDecoder('utf8'), text: '' },
  };

  constructor(private readonly onLine: (stream: OutputStream, line: string) => void) {
    this.stdout = this.sink('stdout');
    this.stderr = this.sink('stderr');
  }

  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const state = this.pending[stream];
      const rest = state.text + state.decoder.end();
      state.text = '';
      if (rest !== '') this.onLine(stream, rest.replace(/\r$/, ''));
    }
  }

  private sink(stream: OutputStream): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const state = this.pending[stream];
        state.text += state.decoder.write(chunk);
        let newline = state.text.indexOf('\n');
        while (newline !== -1) {
          this.onLine(stream, state.text.slice(0, newline).replace(/\r$/, ''));
          state.text = state.text.slice(newline + 1);
          newline = state.text.indexOf('\n');
        }
        done();
      },
    });
  }
}
