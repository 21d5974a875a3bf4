import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { freePort, parsePortSpec, portAvailability, PortSpecError } from '../../src/containers/ports.ts';

describe('parsePortSpec (Docker -p rules)', () => {
  it('reads HOST:CONTAINER, a bare CONTAINER, and IP:HOST:CONTAINER', () => {
    assert.deepEqual(parsePortSpec('5432:5432'), [{ written: '5432:5432', hostPort: 5432, containerPort: 5432, protocol: 'tcp' }]);
    assert.deepEqual(parsePortSpec('6379'), [{ written: '6379', containerPort: 6379, protocol: 'tcp' }]);
    assert.deepEqual(parsePortSpec('127.0.0.1:8080:80'), [{ written: '127.0.0.1:8080:80', hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  });

  it('reads IP::CONTAINER (any host port on that address) and IPv6 addresses in brackets', () => {
    assert.deepEqual(parsePortSpec('127.0.0.1::80'), [{ written: '127.0.0.1::80', hostIp: '127.0.0.1', containerPort: 80, protocol: 'tcp' }]);
    assert.deepEqual(parsePortSpec('[::1]:8080:80')[0], { written: '[::1]:8080:80', hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp' });
  });

  it('reads the protocol suffix', () => {
    assert.equal(parsePortSpec('5432/tcp')[0]?.protocol, 'tcp');
    assert.equal(parsePortSpec('53:53/UDP')[0]?.protocol, 'udp');
  });

  it('expands ranges of equal length', () => {
    assert.deepEqual(
      parsePortSpec('8000-8001:9000-9001').map((mapping) => [mapping.hostPort, mapping.containerPort]),
      [
        [8000, 9000],
        [8001, 9001],
      ],
    );
    assert.equal(parsePortSpec('7000-7002').length, 3);
  });

  it('refuses what Docker refuses', () => {
    const cases: [string, RegExp][] = [
      ['', /no container port/],
      ['5432:', /no container port/],
      ['abc', /"abc" is not a port/],
      ['70000', /not a port/],
      ['0', /not a port/],
      ['5432/icmp', /unknown protocol "icmp"/],
      ['localhost:5432:5432', /"localhost" is not an IP address/],
      ['8000-8002:9000-9001', /same length/],
      ['9001-9000', /not a port/],
    ];
    for (const [text, message] of cases) assert.throws(() => parsePortSpec(text), (error: Error) => error instanceof PortSpecError && message.test(error.message), text);
  });
});

describe('host ports', () => {
  it('finds a free port, and tells when a port is in use', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    assert.equal(await portAvailability(port), 'free');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      assert.equal(await portAvailability(port), 'in use');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sees a port taken on all interfaces as in use on loopback', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const address = server.address();
    try {
      assert.ok(typeof address === 'object' && address !== null);
      assert.equal(await portAvailability(address.port), 'in use');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
