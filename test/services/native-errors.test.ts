// What users can get wrong, and what happens when a service fails or the job is cancelled: a clear
// ServiceError, and nothing left running.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ServiceError, type ServiceSpec } from '../../src/services/types.ts';
import { assertNothingLeft, processesInside, requirePrograms, seedServices, serviceHarness, type ServiceHarness } from './support.ts';

let harness: ServiceHarness;

before(() => {
  requirePrograms({ initdb: 'postgresql', postgres: 'postgresql', 'redis-server': 'redis-server', 'redis-cli': 'redis-tools' });
  harness = serviceHarness();
});

after(() => rmSync(harness.temporaryDirectory, { recursive: true, force: true }));

async function startFailure(specs: ServiceSpec[], signal?: AbortSignal): Promise<ServiceError> {
  try {
    const running = await harness.start(specs, signal);
    await running.stop();
  } catch (error) {
    assert.ok(error instanceof ServiceError, `expected a ServiceError, got ${String(error)}`);
    return error;
  }
  assert.fail('the services started');
}

const redis = (overrides: Partial<ServiceSpec> = {}): ServiceSpec => ({ id: 'cache', image: 'redis:7', env: {}, ports: ['6379'], ...overrides });

describe('native services refuse clearly', () => {
  it('a host port already in use, naming the port and the service', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const error = await startFailure([redis({ ports: [`${port}:6379`] })]);
      assert.match(error.message, new RegExp(`service "cache" \\(redis:7\\): host port ${port} is already in use`));
      assert.match(error.message, /write "6379" alone to get a free one/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('two services on one host port', async () => {
    const error = await startFailure([redis({ ports: ['16379:6379'] }), redis({ id: 'other', ports: ['16379:6379'] })]);
    assert.match(error.message, /service "other" \(redis:7\): host port 16379 is also published by service "cache"/);
  });

  it('an image with no native equivalent, naming the image, the engine it needs and the images that run natively', async () => {
    const error = await startFailure([{ id: 'search', image: 'elasticsearch:8.13.0', env: {}, ports: ['9200'] }]);
    assert.match(error.message, /^service "search" \(elasticsearch:8\.13\.0\): elasticsearch:8\.13\.0 has no native equivalent/);
    assert.match(error.message, /container engine \(Docker or Podman\)/);
    assert.match(error.message, /postgres, redis, mariadb, mysql, nginx/);
  });

  it('an unofficial image of a name that runs natively', async () => {
    const error = await startFailure([redis({ image: 'bitnami/redis:7.2' })]);
    assert.match(error.message, /bitnami\/redis:7\.2 is not the official redis image/);
  });

  it('UDP ports, bad port entries and bad options', async () => {
    assert.match((await startFailure([redis({ ports: ['6379/udp'] })])).message, /ports "6379\/udp": native services listen on TCP only/);
    assert.match((await startFailure([redis({ ports: ['63790000'] })])).message, /service "cache" \(redis:7\): ports: invalid port "63790000"/);
    assert.match((await startFailure([redis({ options: "--health-cmd 'redis-cli ping'" })])).message, /service "cache" \(redis:7\): options: unexpected argument "ping'"/);
  });

  it('a missing host package, saying what to install', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const error = await startFailure([redis()]);
      assert.match(error.message, /service "cache" \(redis:7\): redis-server is not installed: apt-get install redis-server/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('postgres without a password, as the image does', async () => {
    const error = await startFailure([{ id: 'db', image: 'postgres:15', env: {}, ports: [] }]);
    assert.match(error.message, /service "db" \(postgres:15\) did not start: the postgres image refuses to start without a superuser password: set POSTGRES_PASSWORD/);
    assertNothingLeft(harness, []);
  });
});

describe('native services that fail or are cancelled leave nothing behind', () => {
  it('an unhealthy service fails the start with its health output and log, and stops the others', async () => {
    const [postgres] = seedServices(['5432'], []);
    assert.ok(postgres !== undefined);
    const unhealthy = redis({ options: '--health-cmd "echo not yet; exit 1" --health-interval 20ms --health-retries 2' });
    const error = await startFailure([postgres, unhealthy]);
    assert.match(error.message, /service "cache" \(redis:7\) failed to initialize, cache service is unhealthy/);
    assert.match(error.message, /`echo not yet; exit 1` failed 2 times in a row; the last check exited with code 1; its last output:\nnot yet/);
    assert.match(error.message, /Last lines of its log:\n[\s\S]*Ready to accept connections/);
    assert.ok(harness.lines.some((line) => line.startsWith('cache service is starting (1 of 2 failed checks), waiting 20 ms')));
    assertNothingLeft(harness, []);
  });

  it('a health command that outlives its timeout counts as failed', async () => {
    const error = await startFailure([redis({ options: '--health-cmd "sleep 5" --health-timeout 50ms --health-retries 1' })]);
    assert.match(error.message, /the last check took longer than its timeout \(50 ms\)/);
    assertNothingLeft(harness, []);
  });

  it('health checks that fail during the start period do not count', async () => {
    const marker = `${harness.temporaryDirectory}-checked`;
    const options = `--health-cmd "test -e ${marker} || { touch ${marker}; exit 1; }" --health-interval 10ms --health-retries 1 --health-start-period 5s`;
    const running = await harness.start([redis({ options })]);
    await running.stop();
    rmSync(marker, { force: true });
  });

  it('aborting the signal stops what has started and rejects with its reason', async () => {
    const controller = new AbortController();
    const waiting = redis({ options: '--health-cmd false --health-interval 10s' });
    const starting = harness.start([waiting], controller.signal);
    const started = await waitFor(() => processesInside(harness.temporaryDirectory).length > 0);
    assert.ok(started, 'redis-server started');
    controller.abort(new Error('cancelled by the test'));
    await assert.rejects(starting, /cancelled by the test/);
    assertNothingLeft(harness, []);
  });

  it('a signal that is already aborted starts nothing', async () => {
    await assert.rejects(harness.start([redis()], AbortSignal.abort(new Error('too late'))), /too late/);
    assertNothingLeft(harness, []);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
