// How Gantry talks to a helper process it started (the host launcher, the launcher inside a sandbox):
// requests as JSON lines on the helper's stdin, reports as JSON lines from its stdout.
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { LineSplitter } from './line-splitter.ts';

type HelperProcess = ChildProcess & { stdin: Writable; stdout: Readable };

export class HelperChannel<Report> {
  private open = true;

  constructor(
    private readonly child: HelperProcess,
    onReport: (report: Report) => void,
  ) {
    const splitter = new LineSplitter((line) => {
      if (line !== '') onReport(JSON.parse(line) as Report);
    });
    child.stdout.on('data', (chunk: Buffer) => splitter.write(chunk));
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
