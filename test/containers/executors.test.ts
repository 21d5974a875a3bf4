// The container executors on a real Podman: processes exec'd in a job container, and processes run
// as containers of an image; output as lines, exit codes, environment and folder, and stopping.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ContainerExecExecutor } from '../../src/executors/container-exec.ts';
import { ContainerRunExecutor } from '../../src/executors/container-run.ts';
import type { ProcessSpec } from '../../src/executors/types.ts';
import { leftovers, startPodman, type TestPodman } from '../support/podman.ts';

let podman: TestPodman;
let containerId: string;
const label = `exec-test-${randomBytes(4).toString('hex')}`;

before(async () => {
  podman = await startPodman();
  containerId = await podman.engine.createContainer(
    { Image: podman.images.busybox, Entrypoint: ['tail'], Cmd: ['-f', '/dev/null'], Env: ['FROM_IMAGE=kept'], HostConfig: { Init: true } },
    label,
  );
  await podman.engine.startContainer(containerId);
});

after(async () => {
  if (containerId) await podman.engine.removeContainer(containerId);
  await podman?.stop();
});

function spec(argv: string[], extra: Partial<ProcessSpec> = {}): { spec: ProcessSpec; lines: string[] } {
  const lines: string[] = [];
  return { lines, spec: { argv, env: { GREETING: 'hello' }, cwd: '/tmp', onLine: (stream, line) => lines.push(`${stream}: ${line}`), ...extra } };
}

describe('ContainerExecExecutor', () => {
  it('runs the command in the container with the given env and folder over its own, and reports the exit code', async () => {
    const executor = new ContainerExecExecutor(podman.engine, containerId);
    const { spec: request, lines } = spec(['sh', '-c', 'echo "$GREETING from $(pwd), $FROM_IMAGE"; echo oops >&2; exit 3']);
    const result = await executor.run(request);
    assert.equal(result.exitCode, 3);
    assert.equal(result.stopped, false);
    assert.deepEqual(lines.sort(), ['stderr: oops', 'stdout: hello from /tmp, kept']);
  });

  it('stops a process that ignores SIGINT with the SIGTERM that follows, and a kill at once', async () => {
    const executor = new ContainerExecExecutor(podman.engine, containerId);
    const stop = new AbortController();
    const { spec: request, lines } = spec(['sh', '-c', 'trap "echo got INT" INT; echo ready; while true; do sleep 0.1; done'], {
      signal: stop.signal,
      killGraceMs: 500,
      onLine: (_stream, line) => {
        lines.push(line);
        if (line === 'ready') stop.abort();
      },
    });
    const result = await executor.run(request);
    assert.equal(result.stopped, true);
    assert.equal(result.exitCode, 143, 'ended by SIGTERM');
    assert.ok(lines.includes('got INT'), lines.join('\n'));

    const kill = new AbortController();
    const killed = spec(['sh', '-c', 'trap "" INT TERM; echo ready; while true; do sleep 0.1; done'], {
      kill: kill.signal,
      onLine: (_stream, line) => line === 'ready' && kill.abort(),
    });
    const killedResult = await executor.run(killed.spec);
    assert.deepEqual([killedResult.stopped, killedResult.exitCode], [true, 137]);
  });
});

describe('ContainerRunExecutor', () => {
  it('runs argv as the command of a new container of the image, then removes it', async () => {
    const executor = new ContainerRunExecutor(podman.engine, { image: podman.images.busybox, entrypoint: 'sh', mounts: [], jobLabel: label });
    const { spec: request, lines } = spec(['-c', 'echo "$GREETING in $(pwd)"; exit 4']);
    const result = await executor.run(request);
    assert.deepEqual([result.exitCode, lines], [4, ['stdout: hello in /tmp']]);
    assert.deepEqual(await leftovers(podman.engine, label), [`container ${(await podman.engine.inspectContainer(containerId)).Name.replace(/^\//, '')}`]);
  });

  it('stops the container when asked, and removes it', async () => {
    const executor = new ContainerRunExecutor(podman.engine, { image: podman.images.busybox, mounts: [], jobLabel: `${label}-run` });
    const stop = new AbortController();
    const { spec: request } = spec(['sh', '-c', 'echo ready; while true; do sleep 0.1; done'], {
      signal: stop.signal,
      killGraceMs: 300,
      onLine: (_stream, line) => line === 'ready' && stop.abort(),
    });
    const result = await executor.run(request);
    assert.equal(result.stopped, true);
    assert.notEqual(result.exitCode, 0);
    assert.deepEqual(await leftovers(podman.engine, `${label}-run`), []);
  });
});
