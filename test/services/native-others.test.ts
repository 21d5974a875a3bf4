// The other official images that run natively: mariadb (and mysql, approximated by MariaDB) and nginx.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { assertNothingLeft, processesInside, requirePrograms, run, serviceHarness, type ServiceHarness } from './support.ts';

let harness: ServiceHarness;

before(() => {
  requirePrograms({ mariadbd: 'mariadb-server', 'mariadb-install-db': 'mariadb-server', mariadb: 'mariadb-client', nginx: 'nginx' });
  harness = serviceHarness();
});

after(() => rmSync(harness.temporaryDirectory, { recursive: true, force: true }));

function mariadb(port: string, user: string, password: string, sql: string, database?: string) {
  const args = ['--no-defaults', '--protocol=TCP', '-h', '127.0.0.1', '-P', port, '-u', user, `--password=${password}`, '-N', '-e', sql];
  return run('mariadb', database === undefined ? args : [...args, database]);
}

describe('mysql and nginx run natively', () => {
  it('mysql:8.0 as MariaDB, with the root password, database and user of its env, checked by mysqladmin ping', async () => {
    const running = await harness.start([
      {
        id: 'mysql',
        image: 'mysql:8.0',
        env: { MYSQL_ROOT_PASSWORD: 'root-pw', MYSQL_DATABASE: 'app', MYSQL_USER: 'app', MYSQL_PASSWORD: 'app-pw' },
        ports: ['3306'],
        options: '--health-cmd="mysqladmin ping -h localhost" --health-interval=10s --health-timeout=5s --health-retries=3',
      },
      { id: 'web', image: 'nginx:1.25-alpine', env: {}, ports: ['80'], options: '--health-cmd "test -d /" --tmpfs /cache' },
    ]);
    const pids = processesInside(harness.temporaryDirectory);
    try {
      assert.ok(harness.lines.some((line) => /MariaDB [\d.]+ runs in place of mysql:8\.0/.test(line)));
      assert.ok(harness.lines.some((line) => /the option "--tmpfs \/cache" has no effect on a native service/.test(line)));
      assert.ok(harness.lines.includes('mysql service is healthy.'), harness.lines.join('\n'));
      const port = running.context.mysql?.ports['3306'] ?? '';

      const asUser = await mariadb(port, 'app', 'app-pw', 'select database()', 'app');
      assert.deepEqual([asUser.code, asUser.stdout], [0, 'app'], asUser.stderr);
      const asRoot = await mariadb(port, 'root', 'root-pw', 'select current_user()');
      assert.deepEqual([asRoot.code, asRoot.stdout], [0, 'root@%'], asRoot.stderr);
      const rootWithoutPassword = await mariadb(port, 'root', '', 'select 1');
      assert.notEqual(rootWithoutPassword.code, 0, 'root needs its password over TCP, as from outside a container');

      const page = await httpGet(`http://127.0.0.1:${running.context.web?.ports['80']}/`);
      assert.equal(page.status, 200);
      assert.match(page.body, /Welcome to nginx!/);
    } finally {
      await running.stop();
    }
    assertNothingLeft(harness, pids);
  });

  it('mariadb refuses to start without a root password option, as the image does', async () => {
    await assert.rejects(harness.start([{ id: 'db', image: 'mariadb:11', env: { MARIADB_DATABASE: 'app' }, ports: [] }]), (error: Error) => {
      assert.match(error.message, /service "db" \(mariadb:11\) did not start: the mariadb image refuses to start without a root password option: set MARIADB_ROOT_PASSWORD/);
      return true;
    });
    assertNothingLeft(harness, []);
  });
});

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}
