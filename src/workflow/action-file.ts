// Reads an action's metadata file (`action.yml`, else `action.yaml`) into the
// domain ActionDefinition. @actions/workflow-parser parses and checks it against
// its strict action schema; its errors become Diagnostics exactly as a workflow's
// do (load.ts). Where that schema is stricter than GitHub's runner (top-level keys
// the runner ignores, a missing `name:` or `description:`, `using:` in another
// case), the difference is a warning, so an action that runs on GitHub loads here.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isBasicExpression, isMapping, isSequence, isString, NoOperationTraceWriter } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';
import { ErrorPolicy } from '@actions/workflow-parser/model/convert';
import { ensureStatusFunction } from '@actions/workflow-parser/model/converter/if-condition';
import { errorAtStart, toDiagnostics } from './load.ts';
import { stepFromToken } from './model.ts';
import {
  field,
  mappingField,
  positionOf,
  scalarText,
  stringField,
  toTemplateValue,
  valueField,
  type MappingToken,
  type TemplateToken,
} from './tokens.ts';
import type { ActionDefinition, ActionInput, ActionOutput, ActionRuns, Diagnostic, Position } from './types.ts';

/** The names GitHub looks for in an action's folder, in order. */
export const ACTION_FILE_NAMES = ['action.yml', 'action.yaml'] as const;

export interface LoadedAction {
  /** The action file as named in diagnostics. */
  file: string;
  /** Absent when the file is too broken to describe an action. */
  definition?: ActionDefinition;
  diagnostics: Diagnostic[];
}

/** The folder has neither `action.yml` nor `action.yaml`. */
export class ActionFileNotFoundError extends Error {}

/**
 * Loads the action in `dir`. `displayDir` is how the folder is named in
 * diagnostics and messages (e.g. relative to the workspace).
 */
export async function loadActionFile(dir: string, displayDir = dir): Promise<LoadedAction> {
  for (const name of ACTION_FILE_NAMES) {
    const content = await readIfPresent(path.join(dir, name));
    if (content !== undefined) return parseActionText(path.join(displayDir, name), content);
  }
  throw new ActionFileNotFoundError(`no ${ACTION_FILE_NAMES.join(' or ')} in ${displayDir}`);
}

export function parseActionText(file: string, content: string): LoadedAction {
  const parsed = parseAction({ name: file, content }, new NoOperationTraceWriter());
  const root = parsed.value;
  if (!root || !isMapping(root)) {
    const diagnostics = toDiagnostics(file, parsed.context.errors.getErrors());
    if (diagnostics.length === 0) diagnostics.push(errorAtStart(file, 'an action file must be a mapping with `runs:`'));
    return { file, diagnostics };
  }
  // Run for its checks: it validates `if`, `pre-if` and `post-if` expressions.
  convertActionTemplate(parsed.context, root, { errorPolicy: ErrorPolicy.TryConversion });
  const runsToken = mappingField(root, 'runs');
  const shape = shapeOf(root, runsToken);
  // GitHub requires `shell:` on a composite action's `run:` steps; the parser's schema
  // reports it at the step's line (see inActionTerms).
  const diagnostics = toDiagnostics(file, parsed.context.errors.getErrors()).map((d) => inActionTerms(d, shape));
  const runs = runsToken && buildRuns(runsToken);
  if (!runs) {
    if (!diagnostics.some((d) => d.severity === 'error')) {
      diagnostics.push({ ...errorAtStart(file, 'the action has no usable `runs:`'), rule: 'schema' });
    }
    return { file, diagnostics };
  }
  const definition: ActionDefinition = {
    file,
    name: stringField(root, 'name') ?? file,
    description: stringField(root, 'description'),
    inputs: readInputs(mappingField(root, 'inputs')),
    outputs: readOutputs(mappingField(root, 'outputs')),
    runs,
  };
  return { file, definition, diagnostics };
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

// --- The definition, read from the token tree --------------------------------

const nodeRuntimes = ['node12', 'node16', 'node20', 'node24'] as const;
type NodeRuntime = (typeof nodeRuntimes)[number];
const runtimes: readonly string[] = [...nodeRuntimes, 'composite', 'docker'];

function isNodeRuntime(using: string): using is NodeRuntime {
  return (nodeRuntimes as readonly string[]).includes(using);
}

/** `using:` as the runner reads it: compared without regard to case. */
function runtimeOf(runs: MappingToken): string | undefined {
  return stringField(runs, 'using')?.toLowerCase();
}

function buildRuns(runs: MappingToken): ActionRuns | undefined {
  const using = runtimeOf(runs);
  if (using === 'composite') return buildCompositeRuns(runs);
  if (using === 'docker') return buildDockerRuns(runs);
  if (using && isNodeRuntime(using)) return buildNodeRuns(using, runs);
  return undefined;
}

function buildCompositeRuns(runs: MappingToken): ActionRuns | undefined {
  const steps = field(runs, 'steps');
  if (!steps || !isSequence(steps)) return undefined;
  return {
    using: 'composite',
    steps: [...steps].flatMap((token, index) =>
      isMapping(token) ? [stepFromToken(index, token, stepCondition(field(token, 'if')))] : [],
    ),
  };
}

function buildNodeRuns(using: NodeRuntime, runs: MappingToken): ActionRuns | undefined {
  const main = stringField(runs, 'main');
  if (!main) return undefined;
  return {
    using,
    main,
    pre: stringField(runs, 'pre'),
    preIf: prePostCondition(field(runs, 'pre-if')),
    post: stringField(runs, 'post'),
    postIf: prePostCondition(field(runs, 'post-if')),
  };
}

function buildDockerRuns(runs: MappingToken): ActionRuns | undefined {
  const image = stringField(runs, 'image');
  if (!image) return undefined;
  const args = field(runs, 'args');
  return {
    using: 'docker',
    image,
    entrypoint: stringField(runs, 'entrypoint'),
    args: args && isSequence(args) ? [...args].map(toTemplateValue) : [],
    env: valueField(runs, 'env'),
    preEntrypoint: stringField(runs, 'pre-entrypoint'),
    preIf: prePostCondition(field(runs, 'pre-if')),
    postEntrypoint: stringField(runs, 'post-entrypoint'),
    postIf: prePostCondition(field(runs, 'post-if')),
  };
}

/** A step's `if`, as GitHub normalises it: empty is `success()`; without a status function, `success() && (...)`. */
function stepCondition(token: TemplateToken | undefined): string {
  const condition = token ? conditionText(token) : '';
  return condition ? ensureStatusFunction(condition, token?.definitionInfo) : 'success()';
}

/**
 * `pre-if` / `post-if`, as the runner uses them: `always()` when absent, otherwise
 * evaluated as written, with no implicit `success() &&` (ActionManifestManager:
 * `preIfToken?.Value ?? "always()"`, evaluated as is by StepsRunner).
 */
function prePostCondition(token: TemplateToken | undefined): string {
  return (token && conditionText(token)) || 'always()';
}

function conditionText(token: TemplateToken): string {
  return isBasicExpression(token) ? token.expression.trim() : scalarText(token).trim();
}

function readInputs(token: MappingToken | undefined): ActionInput[] {
  if (!token) return [];
  return [...token].map((pair) => {
    const spec = isMapping(pair.value) ? pair.value : undefined;
    const required = spec && field(spec, 'required');
    const defaultValue = spec && field(spec, 'default');
    return {
      id: scalarText(pair.key),
      description: spec && stringField(spec, 'description'),
      required: required !== undefined && scalarText(required) === 'true',
      default: defaultValue && toTemplateValue(defaultValue),
      deprecationMessage: spec && stringField(spec, 'deprecationMessage'),
    };
  });
}

function readOutputs(token: MappingToken | undefined): ActionOutput[] {
  if (!token) return [];
  return [...token].map((pair) => {
    const spec = isMapping(pair.value) ? pair.value : undefined;
    return {
      id: scalarText(pair.key),
      description: spec && stringField(spec, 'description'),
      value: spec && valueField(spec, 'value'),
    };
  });
}

// --- Diagnostics in the terms of an action file --------------------------------

/** Where the parts that diagnostics are matched against are written. */
interface ActionShape {
  root: string;
  /** Top-level keys start in the root's column (the parser drops unknown ones from the tree). */
  rootColumn: number;
  runs?: string;
  using?: { at: string; value: string };
}

function at(position: Position): string {
  return `${position.line}:${position.column}`;
}

function shapeOf(root: MappingToken, runs: MappingToken | undefined): ActionShape {
  const using = runs && field(runs, 'using');
  return {
    root: at(positionOf(root)),
    rootColumn: positionOf(root).column,
    runs: runs && at(positionOf(runs)),
    using: using && isString(using) ? { at: at(positionOf(using)), value: using.value } : undefined,
  };
}

const runtimeList = '`node20`, `node24`, `composite` or `docker` (`node12` and `node16` are still accepted)';

function inActionTerms(diagnostic: Diagnostic, shape: ActionShape): Diagnostic {
  const where = at(diagnostic);
  const missing = /^Required property is missing: (\S+)$/.exec(diagnostic.message)?.[1];
  const unexpected = /^Unexpected value '([^']*)'$/.exec(diagnostic.message)?.[1];
  if ((missing === 'name' || missing === 'description') && where === shape.root) {
    return {
      ...diagnostic,
      severity: 'warning',
      hint: `GitHub runs the action without \`${missing}:\`; the Marketplace requires it`,
    };
  }
  if (missing === 'shell') {
    return {
      ...diagnostic,
      message: 'a `run:` step in a composite action needs `shell:`',
      hint: 'composite actions have no default shell: add `shell: bash` (or sh, pwsh, python, ...)',
    };
  }
  if (unexpected !== undefined && where === shape.using?.at) return badRuntime(diagnostic, unexpected);
  if (unexpected !== undefined && diagnostic.column === shape.rootColumn) {
    return {
      ...diagnostic,
      severity: 'warning',
      hint: `GitHub's runner ignores top-level keys it does not know; check the spelling of '${unexpected}'`,
    };
  }
  if (unexpected !== undefined && unexpected !== 'run' && unexpected !== 'uses') {
    return {
      ...diagnostic,
      hint: `'${unexpected}' is not allowed here by GitHub's action metadata syntax; check its spelling and indentation`,
    };
  }
  if (diagnostic.message.startsWith("There's not enough info") && where === shape.runs && shape.using) {
    return missingRunsKey(diagnostic, shape.using.value);
  }
  return diagnostic;
}

function badRuntime(diagnostic: Diagnostic, using: string): Diagnostic {
  if (runtimes.includes(using.toLowerCase())) {
    return {
      ...diagnostic,
      severity: 'warning',
      message: `\`using: ${using}\` is not in lower case`,
      hint: `GitHub's runner accepts it; write \`using: ${using.toLowerCase()}\``,
    };
  }
  return { ...diagnostic, message: `'${using}' is not a runtime for actions`, hint: `\`using:\` must be ${runtimeList}` };
}

function missingRunsKey(diagnostic: Diagnostic, using: string): Diagnostic {
  const runtime = using.toLowerCase();
  const needed: Record<string, [string, string]> = {
    composite: ['steps', 'the steps the action runs'],
    docker: ['image', 'a Dockerfile in the action folder or docker://image'],
  };
  const [key, what] = needed[runtime] ?? (isNodeRuntime(runtime) ? ['main', 'the JavaScript file the runtime runs'] : []);
  if (!key) return diagnostic;
  return { ...diagnostic, message: `\`using: ${using}\` needs \`${key}:\``, hint: `add \`${key}:\` with ${what}` };
}
