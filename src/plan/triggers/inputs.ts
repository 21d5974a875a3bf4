// workflow_dispatch and workflow_call inputs: typing the given strings against the
// workflow's input definitions.

import type { InputDefinition } from '../../workflow/types.ts';

export type InputValue = string | number | boolean;
export type TypedInputs = Record<string, InputValue>;

export type InputEvent = 'workflow_dispatch' | 'workflow_call';

type Resolved = { value: InputValue | undefined } | { error: string };

/**
 * Types the given input strings against their definitions. Unknown inputs,
 * missing required inputs and values of the wrong type are all reported.
 * Optional inputs nobody gave take their default; without one, workflow_call
 * uses the documented zero value (false, 0, "") and workflow_dispatch leaves
 * the input out.
 */
export function resolveInputs(
  definitions: readonly InputDefinition[],
  given: Readonly<Record<string, string>>,
  event: InputEvent = 'workflow_dispatch',
): { inputs: TypedInputs } | { errors: string[] } {
  const errors = unknownInputErrors(definitions, given);
  const inputs: TypedInputs = {};
  for (const definition of definitions) {
    const resolved = resolveInput(definition, ownValue(given, definition.name), event);
    if ('error' in resolved) errors.push(resolved.error);
    else if (resolved.value !== undefined) inputs[definition.name] = resolved.value;
  }
  return errors.length > 0 ? { errors } : { inputs };
}

function ownValue(given: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(given, name) ? given[name] : undefined;
}

function unknownInputErrors(definitions: readonly InputDefinition[], given: Readonly<Record<string, string>>): string[] {
  const known = new Set(definitions.map((definition) => definition.name));
  const defined = known.size > 0 ? `the workflow defines ${[...known].join(', ')}` : 'the workflow defines no inputs';
  return Object.keys(given)
    .filter((name) => !known.has(name))
    .map((name) => `unexpected input '${name}': ${defined}`);
}

function resolveInput(definition: InputDefinition, given: string | undefined, event: InputEvent): Resolved {
  const provided = given !== undefined && !(definition.required && given === '');
  if (provided) return parseInputValue(definition, given, `input '${definition.name}'`);
  const fromDefault = parseDefault(definition);
  if (fromDefault) return fromDefault;
  if (definition.required) return { error: `input '${definition.name}' is required but was not provided` };
  return { value: event === 'workflow_call' ? zeroValue(definition) : undefined };
}

/** The input's `default:` typed like a given value, or why it is no value of the input's type; undefined without one. */
export function parseDefault(definition: InputDefinition): Resolved | undefined {
  if (definition.default === undefined) return undefined;
  return parseInputValue(definition, String(definition.default), `the default of input '${definition.name}'`);
}

function zeroValue(definition: InputDefinition): InputValue {
  if (definition.type === 'boolean') return false;
  if (definition.type === 'number') return 0;
  return '';
}

const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/u;

function parseInputValue(definition: InputDefinition, raw: string, subject: string): Resolved {
  switch (definition.type) {
    case 'boolean':
      if (raw === 'true' || raw === 'false') return { value: raw === 'true' };
      return { error: `${subject} must be true or false, got '${raw}'` };
    case 'number':
      if (DECIMAL_NUMBER.test(raw.trim())) return { value: Number(raw) };
      return { error: `${subject} must be a number, got '${raw}'` };
    case 'choice': {
      const options = definition.options ?? [];
      if (options.includes(raw)) return { value: raw };
      return { error: `${subject} must be one of ${options.join(', ') || '(no options defined)'}, got '${raw}'` };
    }
    case 'string':
    case 'environment':
      return { value: raw };
  }
}
