// Small conversions of evaluated values the runner applies everywhere.

/** An evaluated mapping as environment-style strings (objects become JSON, null ''). */
export function asStringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, asString(v)]));
}

export function asString(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function truthy(value: unknown): boolean {
  return value === true || value === 'true' || (typeof value === 'number' && value !== 0);
}

/** A positive number of minutes, or `fallback`. */
export function minutes(value: unknown, fallback: number): number {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) && number > 0 ? number : fallback;
}

/** Inputs as the runner hands them to an action: `INPUT_<NAME>`, spaces as underscores, upper case. */
export function inputVariables(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]));
}

/** What an action's earlier phase saved (`save-state`, GITHUB_STATE), as its next phases see it: STATE_<name>. */
export function stateVariables(state: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
}
