import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { endTrackedProcesses, givenBetween, newTrackingId, processMark, recentProcessMark } from '../../src/executors/orphans.ts';

function sleeper(env: Record<string, string>, argv = ['sleep', '300']) {
  const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return { child, exited };
}

describe('orphan processes', () => {
  it('kills the processes started since the mark whose environment holds the tracking id, and only those', async () => {
    const id = newTrackingId();
    const before = sleeper({ RUNNER_TRACKING_ID: id });
    await new Promise((resolve) => before.child.once('spawn', resolve));
    const mark = processMark();
    assert.ok(mark.newest !== undefined && mark.newest >= before.child.pid!, 'the newest process id is at least the last one started');
    assert.ok(mark.made !== undefined && mark.made > 0, 'the count of processes made is read');
    const tracked = sleeper({ A: '1', RUNNER_TRACKING_ID: id, B: '2' });
    const others = [sleeper({ XRUNNER_TRACKING_ID: id }), sleeper({ RUNNER_TRACKING_ID: `${id}0` }), sleeper({ RUNNER_TRACKING_ID: '' })];
    await Promise.all([tracked, ...others].map(({ child }) => new Promise((resolve) => child.once('spawn', resolve))));
    try {
      const ended = endTrackedProcesses(id, mark);
      assert.deepEqual(ended, [{ pid: tracked.child.pid, name: 'sleep' }]);
      assert.equal(await tracked.exited, 'SIGKILL');
      // A process killed by mistake would have been reaped by now, with the tracked one.
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const { child } of [before, ...others]) assert.equal(child.exitCode, null, `${child.pid} still runs`);
    } finally {
      for (const { child } of [before, tracked, ...others]) child.kill('SIGKILL');
    }
  });

  it('finds the process among many made since the mark (when /proc is listed) and among few (when ids are looked up one by one)', async () => {
    for (const madeBetween of [0, 40]) {
      const id = newTrackingId();
      const mark = processMark();
      for (let i = 0; i < madeBetween; i++) spawnSync('true');
      const tracked = sleeper({ RUNNER_TRACKING_ID: id });
      await new Promise((resolve) => tracked.child.once('spawn', resolve));
      try {
        assert.deepEqual(endTrackedProcesses(id, mark), [{ pid: tracked.child.pid, name: 'sleep' }], `${madeBetween} processes made between`);
        assert.equal(await tracked.exited, 'SIGKILL');
      } finally {
        tracked.child.kill('SIGKILL');
      }
    }
  });

  it("names a tracked process once, not once more for each of its threads (whose ids /proc also answers for)", async () => {
    const id = newTrackingId();
    const mark = processMark();
    const threaded = sleeper({ RUNNER_TRACKING_ID: id }, [process.execPath, '-e', 'setInterval(() => {}, 1000)']);
    await new Promise((resolve) => threaded.child.once('spawn', resolve));
    // Node starts its threads (V8's, libuv's) as it starts: wait until they are there.
    const threads = () => readdirSync(`/proc/${threaded.child.pid}/task`).length;
    for (let waited = 0; threads() < 4 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    try {
      assert.ok(threads() >= 4, 'node runs threads of its own');
      assert.deepEqual(endTrackedProcesses(id, mark), [{ pid: threaded.child.pid, name: 'node' }]);
      assert.equal(await threaded.exited, 'SIGKILL');
    } finally {
      threaded.child.kill('SIGKILL');
    }
  });

  it('gives a job the last mark read when it is recent enough: an earlier mark only widens what the end reads', async () => {
    const read = processMark();
    assert.equal(recentProcessMark(60_000), read);
    const started = sleeper({});
    await new Promise((resolve) => started.child.once('spawn', resolve));
    try {
      const fresh = recentProcessMark(0);
      assert.notEqual(fresh, read, 'an older mark is read again');
      assert.ok(fresh.newest !== undefined && fresh.newest >= started.child.pid!);
    } finally {
      started.child.kill('SIGKILL');
    }
  });

  it('reads every process when so many were made since the mark that the ids may have come round again', async () => {
    const id = newTrackingId();
    const early = sleeper({ RUNNER_TRACKING_ID: id });
    await new Promise((resolve) => early.child.once('spawn', resolve));
    const mark = processMark();
    try {
      assert.deepEqual(endTrackedProcesses(id, mark), [], 'a process from before the mark is not read');
      const lapped = { newest: mark.newest, made: mark.made! - 5_000_000 };
      assert.deepEqual(endTrackedProcesses(id, lapped), [{ pid: early.child.pid, name: 'sleep' }]);
      assert.equal(await early.exited, 'SIGKILL');
    } finally {
      early.child.kill('SIGKILL');
    }
  });

  it('counts a process id as new when it was handed out after the mark, across one wrap-around at pid_max', () => {
    assert.equal(givenBetween(101, 100, 200), true);
    assert.equal(givenBetween(200, 100, 200), true);
    assert.equal(givenBetween(100, 100, 200), false);
    assert.equal(givenBetween(201, 100, 200), false);
    // Wrapped: ids after 4,000,000 ran out and started again from the bottom.
    assert.equal(givenBetween(4_000_100, 4_000_000, 500), true);
    assert.equal(givenBetween(400, 4_000_000, 500), true);
    assert.equal(givenBetween(600, 4_000_000, 500), false);
    assert.equal(givenBetween(600, undefined, 500), true);
  });
});
