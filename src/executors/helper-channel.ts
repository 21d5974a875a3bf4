// How Gantry talks to a helper process it started (the host launcher, the launcher inside a sandbox):
// requests on the helper's stdin, reports read from its stdout by the reader given (JSON lines for
// the sandbox's launcher, binary frames for the host's).
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { LineSplitter } from './line-splitter.ts';

type HelperProcess = ChildProcess & { stdin: Writable; stdout: Readable };

/** Reports as JSON lines. */
export function jsonLines<Report>(onReport: (report: Report) => void): { write(chunk: Buffer): void } {
  return new LineSplitter((line) => {
    if (line !== '') onReport(JSON.parse(line) as Report);
  });
}

export class HelperChannel {
  private open = true;

  constructor(
    private readonly child: HelperProcess,
    reader: { write(chunk: Buffer): void },
  ) {
    child.stdout.on('data', (chunk: Buffer) => reader.write(chunk));
    child.stdin.on('error', () => {});
  }

  send(message: object): void {
    this.write(`${JSON.stringify(message)}\n`);
  }

  /** A request already encoded as the helper reads it. */
  write(request: string | Buffer): void {
    if (this.open) this.child.stdin.write(request);
  }

  /** No more requests; with `endInput` the helper also sees its stdin end (and winds down). */
  close(endInput: boolean): void {
    this.open = false;
    if (endInput) this.child.stdin.end();
  }

  /** While requests are in flight the helper keeps Gantry alive; idle, it does not. */
  keepAlive(on: boolean): void {
    const handles = [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as ({ ref?(): void; unref?(): void } | null)[];
    for (const handle of handles) {
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  }
}
