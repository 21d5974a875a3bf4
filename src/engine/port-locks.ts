// Fixed host ports (`5432:5432`) are one machine's resource: on GitHub every job
// has its own runner, here matrix legs share one loopback. A job waits until
// the ports it binds are free of other jobs of the run, first come first served.

export class PortLocks {
  private readonly holders = new Map<number, Promise<void>>();

  /** Resolves with a release function once every port is this caller's. */
  async acquire(ports: readonly number[], signal: AbortSignal): Promise<() => void> {
    const wanted = [...new Set(ports)].sort((a, b) => a - b);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const waits = wanted.map((port) => this.holders.get(port) ?? Promise.resolve());
    for (const port of wanted) this.holders.set(port, mine);
    const cancelled = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    try {
      await Promise.race([Promise.all(waits), cancelled]);
    } catch (error) {
      // Those queued behind this caller wait for the ports it was waiting for, then go on.
      void Promise.all(waits).then(release);
      throw error;
    }
    return () => {
      for (const port of wanted) if (this.holders.get(port) === mine) this.holders.delete(port);
      release();
    };
  }
}

/** The host ports a service's `ports:` entries bind explicitly (`5432:5432`, `127.0.0.1:8080:80`). */
export function fixedHostPorts(ports: readonly string[]): number[] {
  return ports.flatMap((written) => {
    const parts = written.replace(/\/tcp$/, '').split(':');
    if (parts.length < 2) return [];
    const host = Number(parts[parts.length - 2]);
    return Number.isInteger(host) && host > 0 ? [host] : [];
  });
}
