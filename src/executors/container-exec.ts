// Runs each process inside one running container (a job's `container:`) with `exec`, as GitHub's
// runner does with `docker exec`. The process gets exactly the environment and folder it is given,
// plus the container's own variables underneath. Stopping signals the process group inside the
// container; what a step leaves in the background lives until the container is removed.
import type { ContainerEngine } from '../containers/engine.ts';
import type { ProcessResult, ProcessSpec, Executor } from './types.ts';
import { ProcessStartError } from './types.ts';

/** The first line the wrapper prints: the process id inside the container, to signal it. */
const pidMarker = '::gantry-exec-pid::';
/** `exec`s the command as the leader of its own process group (each exec gets its own session). */
const wrapper = `echo "${pidMarker}$$"; exec "$@"`;

export class ContainerExecExecutor implements Executor {
  readonly name = 'container';

  constructor(
    private readonly engine: ContainerEngine,
    private readonly containerId: string,
  ) {}

  async run(spec: ProcessSpec): Promise<ProcessResult> {
    const started = performance.now();
    let pid: string | undefined;
    let stopped = false;
    const signals: Promise<void>[] = [];
    const send = (signal: 'INT' | 'TERM' | 'KILL') => {
      if (pid === undefined) return;
      signals.push(this.signalGroup(pid, signal));
    };
    let timers: NodeJS.Timeout[] = [];
    const grace = spec.killGraceMs ?? 7500;
    let killed = false;
    const onStop = () => {
      if (stopped) return;
      stopped = true;
      send('INT');
      timers = [setTimeout(() => send('TERM'), grace), setTimeout(() => send('KILL'), 2 * grace)];
    };
    const onKill = () => {
      stopped = true;
      killed = true;
      send('KILL');
    };
    const stopNow = spec.signal?.aborted === true;
    spec.signal?.addEventListener('abort', onStop, { once: true });
    spec.kill?.addEventListener('abort', onKill, { once: true });
    try {
      if (stopNow || spec.kill?.aborted) {
        return { exitCode: null, signal: null, stopped: true, durationMs: 0 };
      }
      let result;
      try {
        result = await this.engine.exec(this.containerId, {
          argv: ['sh', '-c', wrapper, 'sh', ...spec.argv],
          env: spec.env,
          cwd: spec.cwd,
          onLine: (stream, line) => {
            if (pid === undefined && stream === 'stdout' && line.startsWith(pidMarker)) {
              pid = line.slice(pidMarker.length);
              // A stop asked for before the process was known reaches it now.
              if (killed) send('KILL');
              else if (stopped) send('INT');
              return;
            }
            spec.onLine(stream, line);
          },
        });
      } catch (error) {
        throw new ProcessStartError(`could not run ${spec.argv[0] ?? 'the command'} in the job container: ${error instanceof Error ? error.message : String(error)}`);
      }
      // `exec "$@"` failing (no such program) exits 127 with sh's message on stderr, as a shell would.
      return { exitCode: result.exitCode, signal: null, stopped, durationMs: performance.now() - started };
    } finally {
      for (const timer of timers) clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onStop);
      spec.kill?.removeEventListener('abort', onKill);
      await Promise.all(signals);
    }
  }

  private async signalGroup(pid: string, signal: 'INT' | 'TERM' | 'KILL'): Promise<void> {
    try {
      await this.engine.exec(this.containerId, {
        argv: ['sh', '-c', `kill -s ${signal} -- -${pid} 2>/dev/null || kill -s ${signal} ${pid} 2>/dev/null || true`],
        env: {},
        cwd: '/',
        onLine: () => {},
      });
    } catch {
      // The container is gone, and the process with it.
    }
  }
}
