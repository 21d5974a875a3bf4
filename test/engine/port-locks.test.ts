import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedHostPorts, PortLocks } from '../../src/engine/port-locks.ts';

describe('port locks', () => {
  it('finds the host ports a service binds explicitly', () => {
    assert.deepEqual(fixedHostPorts(['5432:5432', '6379', '127.0.0.1:8080:80', '9000:90/tcp']), [5432, 8080, 9000]);
  });

  it('lets one job at a time hold a port, in the order they asked', async () => {
    const locks = new PortLocks();
    const order: string[] = [];
    const never = new AbortController().signal;
    const releaseFirst = await locks.acquire([5432, 6379], never);
    const second = locks.acquire([6379], never).then((release) => {
      order.push('second');
      return release;
    });
    const third = locks.acquire([6379], never).then((release) => {
      order.push('third');
      release();
    });
    const unrelated = await locks.acquire([8080], never);
    order.push('unrelated');
    unrelated();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(order, ['unrelated']);
    releaseFirst();
    (await second)();
    await third;
    assert.deepEqual(order, ['unrelated', 'second', 'third']);
  });

  it('gives up waiting when the job is cancelled, and the jobs behind it still get the port', async () => {
    const locks = new PortLocks();
    const release = await locks.acquire([5432], new AbortController().signal);
    const cancel = new AbortController();
    const cancelled = locks.acquire([5432], cancel.signal);
    const later = locks.acquire([5432], new AbortController().signal);
    cancel.abort(new Error('cancelled'));
    await assert.rejects(cancelled, /cancelled/);
    release();
    (await later)();
  });
});
