// How one official image runs as a native process. The provider (../native.ts) picks ports, makes
// the service's folder, starts the server a recipe describes, waits for its port and health, and
// stops it; a recipe only knows its server.
import type { SystemUser } from '../users.ts';

export interface NativeRecipe {
  /** The official image's name, e.g. `postgres`. */
  readonly image: string;
  /** The port the image's server listens on inside its container. */
  readonly containerPort: number;
  /** Finds this machine's programs; `missing` says what to install when they are not there. */
  locate(): NativeInstallation | { missing: string };
}

export interface NativeInstallation {
  /** What runs in place of the image, e.g. `PostgreSQL 15.18`. */
  readonly description: string;
  /** Makes the server's data (initdb) and says how to start it. */
  prepare(instance: NativeInstance): Promise<NativeLaunch>;
  /** Work the image's entrypoint does once its server runs (create the database and users). */
  afterListening?(instance: NativeInstance): Promise<void>;
  /** Environment for the health command, so that the usual clients reach this instance. */
  healthEnvironment(instance: NativeInstance): Promise<HealthEnvironment>;
}

export interface NativeInstance {
  /** The key under `services:`. */
  id: string;
  /** The image as written. */
  image: string;
  /** The tag of the image, if any (`15` for `postgres:15`). */
  tag?: string;
  /** The service's environment: `env:`, and `-e` from its options. */
  env: Record<string, string>;
  host: string;
  port: number;
  /** A folder of its own, removed when the service stops. */
  directory: string;
  signal: AbortSignal;
  /** A line of the service's own output (what `docker logs` would show). */
  output(line: string): void;
  /** A line for the job's log. */
  say(line: string): void;
  warn(message: string): void;
}

export interface NativeLaunch {
  argv: string[];
  env: Record<string, string>;
  /** Set when the server must not run as the current user (root). */
  runAs?: SystemUser;
  /** The signal that makes the server shut down quickly. */
  stopSignal: NodeJS.Signals;
}

export interface HealthEnvironment {
  env: Record<string, string>;
  /** Folders to put first on PATH (wrappers that point clients at this instance). */
  path: string[];
}
