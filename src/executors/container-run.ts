// Runs each process as a fresh container of one image (`docker://` steps, Docker container actions),
// as GitHub's runner does with `docker run`: argv is the container's command (after the image's or the
// given entrypoint), the given folders are mounted at the same paths, and the container is removed
// once it has ended.
import type Docker from 'dockerode';
import { ContainerEngineError, type ContainerEngine } from '../containers/engine.ts';
import type { Executor, ProcessResult, ProcessSpec } from './types.ts';
import { ProcessStartError } from './types.ts';

export interface ImageRun {
  image: string;
  /** Replaces the image's entrypoint when given. */
  entrypoint?: string;
  /** Host folders mounted at the same path inside. */
  mounts: { path: string; readOnly: boolean }[];
  /** The job's network, when it has one. */
  network?: string;
  /** Labels what is created, for clean-up and `docker ps`. */
  jobLabel: string;
}

export class ContainerRunExecutor implements Executor {
  readonly name = 'container-run';

  constructor(
    private readonly engine: ContainerEngine,
    private readonly run_: ImageRun,
  ) {}

  async run(spec: ProcessSpec): Promise<ProcessResult> {
    const started = performance.now();
    const { engine } = this;
    const create: Docker.ContainerCreateOptions = {
      Image: this.run_.image,
      ...(this.run_.entrypoint === undefined ? {} : { Entrypoint: [this.run_.entrypoint] }),
      ...(spec.argv.length === 0 ? {} : { Cmd: spec.argv }),
      Env: Object.entries(spec.env).map(([name, value]) => `${name}=${value}`),
      WorkingDir: spec.cwd,
      HostConfig: {
        Init: true,
        Binds: this.run_.mounts.map((mount) => `${mount.path}:${mount.path}${mount.readOnly ? ':ro' : ''}`),
        ...(this.run_.network === undefined ? {} : { NetworkMode: this.run_.network }),
      },
    };
    let id: string;
    try {
      id = await engine.createContainer(create, this.run_.jobLabel);
    } catch (error) {
      throw new ProcessStartError(error instanceof Error ? error.message : String(error));
    }
    let stopped = false;
    const timers: NodeJS.Timeout[] = [];
    const grace = spec.killGraceMs ?? 7500;
    const send = (signal: NodeJS.Signals) => void engine.signalContainer(id, signal).catch(() => undefined);
    const onStop = () => {
      if (stopped) return;
      stopped = true;
      send('SIGINT');
      timers.push(setTimeout(() => send('SIGTERM'), grace), setTimeout(() => send('SIGKILL'), 2 * grace));
    };
    const onKill = () => {
      stopped = true;
      send('SIGKILL');
    };
    try {
      const output = await engine.attach(id, spec.onLine);
      try {
        await engine.startContainer(id);
      } catch (error) {
        output.stop();
        throw new ProcessStartError(`could not start ${this.run_.image}: ${error instanceof ContainerEngineError ? error.message : String(error)}`);
      }
      spec.signal?.addEventListener('abort', onStop, { once: true });
      spec.kill?.addEventListener('abort', onKill, { once: true });
      if (spec.kill?.aborted) onKill();
      else if (spec.signal?.aborted) onStop();
      const exitCode = await engine.waitContainer(id);
      await output.ended;
      return { exitCode, signal: null, stopped, durationMs: performance.now() - started };
    } finally {
      for (const timer of timers) clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onStop);
      spec.kill?.removeEventListener('abort', onKill);
      await engine.removeContainer(id).catch(() => undefined);
    }
  }
}
