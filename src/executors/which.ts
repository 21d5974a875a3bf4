import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** The full path of an executable program found on PATH, or null. */
export function which(program: string, pathValue = process.env.PATH ?? ''): string | null {
  const candidates = program.includes('/') ? [program] : pathValue.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, program));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next folder
    }
  }
  return null;
}
