// Service containers on a real Podman: a per-job network with service names as host names, ports
// published on loopback as Docker maps them, health checks awaited (and a failing one shown with the
// service's log), and nothing left behind after a stop, a failed start or a cancellation.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ContainerServiceProvider } from '../../src/services/container.ts';
import { freePort } from '../../src/containers/ports.ts';
import { ServiceError, type ServiceSpec } from '../../src/services/types.ts';
import { leftovers, startPodman, type TestPodman } from '../support/podman.ts';

let podman: TestPodman;
let provider: ContainerServiceProvider;

before(async () => {
  podman = await startPodman();
  provider = new ContainerServiceProvider(async () => podman.engine);
});

after(async () => {
  await podman?.stop();
});

/** A job label no other test (or agent) uses, to find exactly what this test created. */
function jobLabel(): string {
  return `svc-test-${randomBytes(4).toString('hex')}`;
}

function web(id: string, ports: string[], options?: string): ServiceSpec {
  return { id, image: podman.images.httpd, env: { GREETING: 'hi' }, ports, ...(options === undefined ? {} : { options }) };
}

async function fetchText(port: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  return response.text();
}

describe('service containers', () => {
  it('publish fixed and ephemeral ports on loopback, answer by name on the job network, and are all removed on stop', async () => {
    const label = jobLabel();
    const fixed = await freePort();
    const lines: string[] = [];
    const running = await provider.start(
      [web('web', ['80'], '--health-cmd "wget -qO- http://localhost/" --health-interval 100ms --health-retries 20'), web('pinned', [`${fixed}:80`])],
      { jobLabel: label, log: (line) => lines.push(line) },
    );
    try {
      const ephemeral = running.context.web?.ports['80'];
      assert.ok(ephemeral !== undefined && ephemeral !== '80', JSON.stringify(running.context));
      assert.equal(running.context.pinned?.ports['80'], String(fixed));
      assert.equal(await fetchText(ephemeral), 'hello from a service\n');
      assert.equal(await fetchText(String(fixed)), 'hello from a service\n');
      assert.ok(lines.includes('web service is healthy.'), lines.join('\n'));

      const network = running.context.web?.network ?? '';
      assert.match(network, /^github_network_[0-9a-f]{32}$/);
      assert.equal(running.containerNetwork, network);
      // From one service to the other by its id, as a job's steps reach them.
      const output: string[] = [];
      const probe = await podman.engine.exec(running.context.pinned!.id, {
        argv: ['wget', '-qO-', 'http://web/'],
        env: {},
        cwd: '/',
        onLine: (_stream, line) => output.push(line),
      });
      assert.deepEqual([probe.exitCode, output], [0, ['hello from a service']]);
      const inspected = await podman.engine.inspectContainer(running.context.web!.id);
      assert.ok(inspected.Config.Env.includes('GREETING=hi'));
      assert.deepEqual((await leftovers(podman.engine, label)).length, 3, 'two containers and their network while running');
    } finally {
      await running.stop();
    }
    assert.deepEqual(await leftovers(podman.engine, label), []);
    await running.stop();
  });

  it('fail the job with the health command and the service log when the health check never passes, leaving nothing', async () => {
    const label = jobLabel();
    const lines: string[] = [];
    const start = provider.start([web('db', ['80'], '--health-cmd "echo not yet; exit 1" --health-interval 100ms --health-retries 3')], {
      jobLabel: label,
      log: (line) => lines.push(line),
    });
    const error = await start.then(
      () => assert.fail('the start should fail'),
      (reason: unknown) => reason,
    );
    assert.ok(error instanceof ServiceError, String(error));
    assert.match(error.message, /service "db" \(.*\) failed to initialize, db service is unhealthy/);
    assert.match(error.message, /`echo not yet; exit 1` failed 3 times in a row; the last check exited with code 1; its last output:\nnot yet/);
    assert.match(error.message, /Last lines of its log:\nhttpd starting on port 80/);
    assert.ok(lines.some((line) => line.startsWith('db service is starting (1 of 3 failed checks)')), lines.join('\n'));
    assert.deepEqual(await leftovers(podman.engine, label), []);
  });

  it('refuses a fixed host port that is in use, naming it, before creating anything', async () => {
    const label = jobLabel();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        provider.start([web('web', [`${port}:80`])], { jobLabel: label, log: () => {} }),
        (error: unknown) =>
          error instanceof ServiceError &&
          error.message.includes(`host port ${port} is already in use on 127.0.0.1`) &&
          error.message.includes(`write "80" alone to get a free one`),
      );
    } finally {
      server.close();
    }
    assert.deepEqual(await leftovers(podman.engine, label), []);
  });

  it('stops and removes everything when the job is cancelled while it waits for health', async () => {
    const label = jobLabel();
    const cancel = new AbortController();
    const lines: string[] = [];
    const start = provider.start([web('slow', ['80'], '--health-cmd "exit 1" --health-interval 60s --health-retries 10'), web('other', ['80'])], {
      jobLabel: label,
      signal: cancel.signal,
      log: (line) => {
        lines.push(line);
        if (line.startsWith('slow service is starting')) cancel.abort(new Error('cancelled by the test'));
      },
    });
    await assert.rejects(start, /cancelled by the test/);
    assert.ok(lines.some((line) => line.startsWith('slow service is starting')), lines.join('\n'));
    assert.deepEqual(await leftovers(podman.engine, label), []);
  });

  it('names an image that is not on the machine and cannot be pulled', async () => {
    const label = jobLabel();
    await assert.rejects(
      provider.start([{ id: 'ghost', image: 'localhost:1/gantry-test/no-such-image:1', env: {}, ports: [] }], { jobLabel: label, log: () => {} }),
      (error: unknown) =>
        error instanceof ServiceError && /service "ghost" .*the image "localhost:1\/gantry-test\/no-such-image:1" is not on this machine and pulling it failed/.test(error.message),
    );
    assert.deepEqual(await leftovers(podman.engine, label), []);
  });
});
