import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReportReader, type LauncherReport } from '../../src/executors/launcher-reports.ts';

function frame(type: string, id: number, payload: string | Buffer = ''): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(9);
  header.write(type, 0, 'latin1');
  header.writeUInt32LE(id, 1);
  header.writeUInt32LE(body.length, 5);
  return Buffer.concat([header, body]);
}

/** What a reader makes of `chunks`: reports, and each stream's output joined. */
function read(chunks: Buffer[]): { reports: LauncherReport[]; output: Record<string, string> } {
  const reports: LauncherReport[] = [];
  const output: Record<string, Buffer[]> = {};
  const reader = new ReportReader({
    report: (report) => reports.push(report),
    output: (id, stream, bytes) => (output[`${id} ${stream}`] ??= []).push(Buffer.from(bytes)),
  });
  for (const chunk of chunks) reader.write(chunk);
  return { reports, output: Object.fromEntries(Object.entries(output).map(([key, parts]) => [key, Buffer.concat(parts).toString('utf8')])) };
}

const big = 'x'.repeat(70_000);
const stream = Buffer.concat([
  frame('S', 1, '4242'),
  frame('O', 1, 'hello '),
  frame('E', 1, 'warn\n'),
  frame('S', 2, '4243'),
  frame('O', 2, big),
  frame('O', 1, 'wörld\n'),
  frame('o', 1),
  frame('e', 1),
  frame('X', 1, '0\0\0' + '0'),
  frame('X', 2, '\0SIGTERM\0' + '1'),
  frame('F', 3, 'ENOENT\0nope: No such file or directory'),
]);
const expected = {
  reports: [
    { event: 'started', id: 1, pid: 4242 },
    { event: 'started', id: 2, pid: 4243 },
    { event: 'output-end', id: 1, stream: 'stdout' },
    { event: 'output-end', id: 1, stream: 'stderr' },
    { event: 'exit', id: 1, code: 0, signal: null, groupLeft: false },
    { event: 'exit', id: 2, code: null, signal: 'SIGTERM', groupLeft: true },
    { event: 'failed', id: 3, code: 'ENOENT', message: 'nope: No such file or directory' },
  ],
  output: { '1 stdout': 'hello wörld\n', '1 stderr': 'warn\n', '2 stdout': big },
};

describe("the host launchers' reports", () => {
  it('read the same in one chunk, byte by byte, and cut anywhere', () => {
    assert.deepEqual(read([stream]), expected);
    assert.deepEqual(read([...stream].map((byte) => Buffer.from([byte]))), expected);
    for (const size of [5, 9, 10, 4096, 65_536]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
      assert.deepEqual(read(chunks), expected, `chunks of ${size} bytes`);
    }
  });
});
