// The log writer thread's recovery: if it stops, the sinks that sent it text say lines may be missing,
// and writing goes on in a new thread.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LogWriter, stopLogWriterThread } from '../../src/logs/log-writer.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'gantry-log-writer-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('log writer thread', () => {
  it('tells a sink that sent text to a thread that stopped, and writes later text in a new thread', async () => {
    const before = new LogWriter(path.join(scratch, 'before'));
    const file = path.join(before.root, 'job.log');
    before.write(file, 'sent to the first thread\n');
    await sleep(100); // past the writer's gathering interval: the text has gone to the thread
    await stopLogWriterThread();

    before.write(file, 'sent to the second thread\n');
    const failures = await before.close();
    assert.deepEqual(failures, ['the log writer stopped during the run: lines sent to it may be missing']);
    assert.match(readFileSync(file, 'utf8'), /sent to the second thread\n$/);

    const afterwards = new LogWriter(path.join(scratch, 'after'));
    afterwards.write(path.join(afterwards.root, 'job.log'), 'all well\n');
    assert.deepEqual(await afterwards.close(), []);
    assert.equal(readFileSync(path.join(afterwards.root, 'job.log'), 'utf8'), 'all well\n');
  });

  it('answers a close the thread will never answer, when it stops', async () => {
    const writer = new LogWriter(path.join(scratch, 'stuck'));
    mkdirSync(writer.root);
    // Opening a FIFO for writing blocks until a reader comes: the thread is held inside the open.
    const fifo = path.join(writer.root, 'job.log');
    execFileSync('mkfifo', [fifo]);
    writer.write(fifo, 'never read\n');
    const closed = writer.close();
    await sleep(100);
    const stopping = stopLogWriterThread();
    // Lets the open return, so that the thread can see it is to stop (before it answers the close).
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    await stopping;
    closeSync(reader);
    assert.deepEqual(await closed, ['the log writer stopped (exit code 1): lines sent to it may be missing']);
  });
});
