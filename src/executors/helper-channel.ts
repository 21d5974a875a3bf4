// How Gantry talks to a helper process it started (the host launcher, the launcher inside a sandbox):
// requests on the helper's stdin, reports read from its stdout by the reader given (launcher-reports.ts).
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

type HelperProcess = ChildProcess & { stdin: Writable; stdout: Readable };

export class HelperChannel {
  private open = true;

  constructor(
    private readonly child: HelperProcess,
    reader: { write(chunk: Buffer): void },
  ) {
    child.stdout.on('data', (chunk: Buffer) => reader.write(chunk));
    child.stdin.on('error', () => {});
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
