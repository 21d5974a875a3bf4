import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { endTrackedProcesses, newTrackingId, runningProcessIds } from '../../src/executors/orphans.ts';

function sleeper(env: Record<string, string>) {
  const child = spawn('sleep', ['300'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return { child, exited };
}

describe('orphan processes', () => {
  it('kills the processes started since the snapshot whose environment holds the tracking id, and only those', async () => {
    const id = newTrackingId();
    const before = sleeper({ RUNNER_TRACKING_ID: id });
    await new Promise((resolve) => before.child.once('spawn', resolve));
    const existing = runningProcessIds();
    const tracked = sleeper({ A: '1', RUNNER_TRACKING_ID: id, B: '2' });
    const others = [sleeper({ XRUNNER_TRACKING_ID: id }), sleeper({ RUNNER_TRACKING_ID: `${id}0` }), sleeper({ RUNNER_TRACKING_ID: '' })];
    await Promise.all([tracked, ...others].map(({ child }) => new Promise((resolve) => child.once('spawn', resolve))));
    try {
      const ended = endTrackedProcesses(id, existing);
      assert.deepEqual(ended, [{ pid: tracked.child.pid, name: 'sleep' }]);
      assert.equal(await tracked.exited, 'SIGKILL');
      // A process killed by mistake would have been reaped by now, with the tracked one.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const { child } of [before, ...others]) assert.equal(child.exitCode, null, `${child.pid} still runs`);
    } finally {
      for (const { child } of [before, tracked, ...others]) child.kill('SIGKILL');
    }
  });
});
