// The server's pool of job slots (`--slots N`), shared by every run.

import type { JobSlots } from '../engine/types.ts';

export class JobSlotPool implements JobSlots {
  private used = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(readonly size: number) {}

  acquire(cancel: AbortSignal): Promise<(() => void) | null> {
    if (cancel.aborted) return Promise.resolve(null);
    if (this.used < this.size) {
      this.used++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const entry = {
        grant: () => {
          cancel.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        resolve(null);
      };
      cancel.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.used--;
    };
  }
}
