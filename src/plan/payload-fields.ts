// Reads fields out of webhook payloads, which are untyped JSON: every step of a
// path may be missing or of another type.

export type Payload = Record<string, unknown>;

export function isRecord(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `keys` (payload.a.b.c), or undefined when a step is not an object. */
export function valueAt(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The string at `keys`, including the empty string. */
export function stringAt(value: unknown, ...keys: string[]): string | undefined {
  const found = valueAt(value, ...keys);
  return typeof found === 'string' ? found : undefined;
}

/** The string at `keys` when it is not empty. */
export function nonEmptyStringAt(value: unknown, ...keys: string[]): string | undefined {
  const found = stringAt(value, ...keys);
  return found === '' ? undefined : found;
}

export function numberAt(value: unknown, ...keys: string[]): number | undefined {
  const found = valueAt(value, ...keys);
  return typeof found === 'number' ? found : undefined;
}

/** The strings in the array at `keys`; none when it is not an array. */
export function stringsAt(value: unknown, ...keys: string[]): string[] {
  const found = valueAt(value, ...keys);
  return Array.isArray(found) ? found.filter((item): item is string => typeof item === 'string') : [];
}
