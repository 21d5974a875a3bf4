// The seed's backend-test services (postgres:15 and redis:7-alpine, as written) run natively, and a
// client connects to each for real.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../src/containers/ports.ts';
import type { ServiceSpec } from '../../src/services/types.ts';
import { assertNothingLeft, processesInside, psqlSelectOne, requirePrograms, run, seedServices, serviceHarness, type ServiceHarness } from './support.ts';

let harness: ServiceHarness;

before(() => {
  requirePrograms({ initdb: 'postgresql', postgres: 'postgresql', psql: 'postgresql-client', 'redis-server': 'redis-server', 'redis-cli': 'redis-tools' });
  harness = serviceHarness();
});

after(() => rmSync(harness.temporaryDirectory, { recursive: true, force: true }));

describe("the seed's services", () => {
  it('start with free host ports for bare container ports, answer clients, and leave nothing when stopped', async () => {
    const running = await harness.start(seedServices(['5432'], ['6379']));
    let stopped = false;
    try {
      const postgresPort = running.context.postgres?.ports['5432'];
      const redisPort = running.context.redis?.ports['6379'];
      assert.ok(postgresPort !== undefined && redisPort !== undefined, JSON.stringify(running.context));
      assert.notEqual(postgresPort, '5432');
      assert.match(running.context.postgres?.id ?? '', /^[0-9a-f]{64}$/);
      assert.equal(running.context.postgres?.network, running.context.redis?.network);
      assert.deepEqual(running.env, {});
      assert.ok(harness.lines.includes('postgres service is healthy.'), harness.lines.join('\n'));
      assert.ok(harness.lines.includes('redis service is healthy.'), harness.lines.join('\n'));

      const selected = await psqlSelectOne(postgresPort, 'postgres', 'postgres', 'test_db');
      assert.deepEqual([selected.code, selected.stdout], [0, '1'], selected.stderr);
      const wrongPassword = await psqlSelectOne(postgresPort, 'postgres', 'not-the-password', 'test_db');
      assert.notEqual(wrongPassword.code, 0, 'TCP connections need the password, as from outside a container');
      assert.match(wrongPassword.stderr, /password authentication failed/);

      assert.equal(await rawRedisPing(Number(redisPort)), '+PONG');
      const cli = await run('redis-cli', ['-p', redisPort, 'ping']);
      assert.equal(cli.stdout, 'PONG');
      assert.match(running.logs('postgres'), /database system is ready to accept connections/);
      assert.match(running.logs('redis'), /Ready to accept connections/);

      const pids = processesInside(harness.temporaryDirectory);
      assert.ok(pids.length >= 2, 'the postgres server (with its workers) and redis-server run in their folders');
      await running.stop();
      stopped = true;
      assertNothingLeft(harness, pids);
      await running.stop();
    } finally {
      if (!stopped) await running.stop();
    }
  });

  it('start on fixed host ports (HOST:CONTAINER), beside a postgres with its own POSTGRES_USER', async () => {
    const [postgresPort, redisPort] = [await freePort(), await freePort()];
    const ownUser: ServiceSpec = {
      id: 'users',
      image: 'docker.io/library/postgres:15-alpine',
      env: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: "it's secret" },
      ports: ['5432'],
    };
    const running = await harness.start([...seedServices([`${postgresPort}:5432`], [`127.0.0.1:${redisPort}:6379/tcp`]), ownUser]);
    try {
      assert.deepEqual(running.context.postgres?.ports, { '5432': String(postgresPort) });
      assert.deepEqual(running.context.redis?.ports, { '6379': String(redisPort) });
      const selected = await psqlSelectOne(String(postgresPort), 'postgres', 'postgres', 'test_db');
      assert.deepEqual([selected.code, selected.stdout], [0, '1'], selected.stderr);
      assert.equal((await run('redis-cli', ['-p', String(redisPort), 'ping'])).stdout, 'PONG');
      // The database is named after POSTGRES_USER when POSTGRES_DB is not given.
      const asApp = await psqlSelectOne(running.context.users?.ports['5432'] ?? '', 'app', "it's secret", 'app');
      assert.deepEqual([asApp.code, asApp.stdout], [0, '1'], asApp.stderr);
    } finally {
      await running.stop();
    }
    assertNothingLeft(harness, []);
  });
});

function rawRedisPing(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setEncoding('utf8');
    socket.once('data', (reply: string) => {
      socket.destroy();
      resolve(reply.trim());
    });
    socket.once('error', reject);
  });
}
