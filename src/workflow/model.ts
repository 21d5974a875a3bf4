// Builds the domain model from the parser's output. The converted template gives
// the pieces it normalises well (events, normalised `if`, needs); everything it
// drops (with, shell, working-directory, timeouts, continue-on-error, defaults,
// permissions, concurrency details, ...) is read from the token tree.

import { isMapping, isSequence, isString } from '@actions/workflow-parser';
import type { WorkflowTemplate } from '@actions/workflow-parser';
import {
  field,
  mappingEntries,
  mappingField,
  positionOf,
  scalarText,
  stringField,
  stringList,
  listPositions,
  toTemplateValue,
  valueField,
  type MappingToken,
  type TemplateToken,
} from './tokens.ts';
import type {
  Concurrency,
  EnvironmentRef,
  InputDefinition,
  InputType,
  Job,
  Permissions,
  RunDefaults,
  SecretDefinition,
  Step,
  Strategy,
  Trigger,
  Workflow,
} from './types.ts';

type ConvertedJob = WorkflowTemplate['jobs'][number];
type ConvertedStep = Extract<ConvertedJob, { type: 'job' }>['steps'][number];

export function buildWorkflow(file: string, root: MappingToken, template: WorkflowTemplate): Workflow {
  const convertedJobs = new Map((template.jobs ?? []).map((job) => [job.id.value, job]));
  const jobsToken = mappingField(root, 'jobs');
  return {
    file,
    name: stringField(root, 'name') ?? file,
    runName: valueField(root, 'run-name'),
    triggers: buildTriggers(template.events ?? {}, field(root, 'on')),
    env: valueField(root, 'env'),
    defaults: readDefaults(mappingField(root, 'defaults')),
    permissions: readPermissions(field(root, 'permissions')),
    concurrency: readConcurrency(field(root, 'concurrency')),
    jobs: jobsToken
      ? [...jobsToken].flatMap((pair) =>
          isMapping(pair.value) ? [buildJob(scalarText(pair.key), pair.key, pair.value, convertedJobs)] : [],
        )
      : [],
  };
}

function buildJob(
  id: string,
  keyToken: TemplateToken,
  token: MappingToken,
  convertedJobs: Map<string, ConvertedJob>,
): Job {
  const converted = convertedJobs.get(id);
  const convertedSteps = converted?.type === 'job' ? converted.steps : [];
  const stepsToken = field(token, 'steps');
  const uses = stringField(token, 'uses');
  const secretsToken = field(token, 'secrets');
  return {
    id,
    pos: positionOf(keyToken),
    name: valueField(token, 'name'),
    needs: stringList(field(token, 'needs')),
    needsAt: listPositions(field(token, 'needs')),
    if: converted?.if.expression ?? 'success()',
    ifSource: conditionSource(field(token, 'if')),
    runsOn: valueField(token, 'runs-on'),
    environment: readEnvironment(field(token, 'environment')),
    strategy: readStrategy(mappingField(token, 'strategy')),
    outputs: mappingOrEmpty(mappingField(token, 'outputs')),
    env: valueField(token, 'env'),
    defaults: readDefaults(mappingField(token, 'defaults')),
    permissions: readPermissions(field(token, 'permissions')),
    concurrency: readConcurrency(field(token, 'concurrency')),
    timeoutMinutes: valueField(token, 'timeout-minutes'),
    continueOnError: valueField(token, 'continue-on-error'),
    container: valueField(token, 'container'),
    services: valueField(token, 'services'),
    steps:
      stepsToken && isSequence(stepsToken)
        ? [...stepsToken].flatMap((stepToken, index) =>
            isMapping(stepToken) ? [buildStep(index, stepToken, convertedSteps[index])] : [],
          )
        : [],
    call: uses
      ? {
          uses,
          with: valueField(token, 'with'),
          secrets: secretsToken && isString(secretsToken) && secretsToken.value === 'inherit'
            ? 'inherit'
            : secretsToken && toTemplateValue(secretsToken),
        }
      : undefined,
  };
}

function buildStep(index: number, token: MappingToken, converted: ConvertedStep | undefined): Step {
  const condition = converted && 'if' in converted && converted.if ? converted.if.expression : 'success()';
  return stepFromToken(index, token, condition);
}

/** A step read from its token, with its already normalised `if` (workflow jobs and composite actions). */
export function stepFromToken(index: number, token: MappingToken, condition: string): Step {
  return {
    index,
    id: stringField(token, 'id'),
    pos: positionOf(token),
    name: valueField(token, 'name'),
    if: condition,
    ifSource: conditionSource(field(token, 'if')),
    run: valueField(token, 'run'),
    uses: stringField(token, 'uses'),
    with: valueField(token, 'with'),
    env: valueField(token, 'env'),
    shell: stringField(token, 'shell'),
    workingDirectory: valueField(token, 'working-directory'),
    timeoutMinutes: valueField(token, 'timeout-minutes'),
    continueOnError: valueField(token, 'continue-on-error'),
  };
}

function conditionSource(token: TemplateToken | undefined): string | undefined {
  return token ? scalarText(token) : undefined;
}

function mappingOrEmpty(token: MappingToken | undefined) {
  return token ? mappingEntries(token) : [];
}

function readDefaults(token: MappingToken | undefined): RunDefaults | undefined {
  const run = token && mappingField(token, 'run');
  if (!run) return undefined;
  return { shell: stringField(run, 'shell'), workingDirectory: stringField(run, 'working-directory') };
}

function readPermissions(token: TemplateToken | undefined): Permissions | undefined {
  if (!token) return undefined;
  if (isString(token)) return token.value === 'write-all' ? 'write-all' : 'read-all';
  if (!isMapping(token)) return undefined;
  const scopes: Record<string, 'read' | 'write' | 'none'> = {};
  for (const pair of token) {
    const level = scalarText(pair.value);
    if (level === 'read' || level === 'write' || level === 'none') scopes[scalarText(pair.key)] = level;
  }
  return scopes;
}

function readConcurrency(token: TemplateToken | undefined): Concurrency | undefined {
  if (!token) return undefined;
  if (!isMapping(token)) return { group: toTemplateValue(token) };
  const group = field(token, 'group');
  if (!group) return undefined;
  return { group: toTemplateValue(group), cancelInProgress: valueField(token, 'cancel-in-progress') };
}

function readEnvironment(token: TemplateToken | undefined): EnvironmentRef | undefined {
  if (!token) return undefined;
  if (!isMapping(token)) return { name: toTemplateValue(token) };
  const name = field(token, 'name');
  if (!name) return undefined;
  return { name: toTemplateValue(name), url: valueField(token, 'url') };
}

function readStrategy(token: MappingToken | undefined): Strategy | undefined {
  if (!token) return undefined;
  return {
    matrix: valueField(token, 'matrix'),
    failFast: valueField(token, 'fail-fast') ?? { kind: 'literal', value: true },
    maxParallel: valueField(token, 'max-parallel'),
  };
}

type EventsConfig = WorkflowTemplate['events'];
type FilterConfig = {
  branches?: string[];
  'branches-ignore'?: string[];
  tags?: string[];
  'tags-ignore'?: string[];
  paths?: string[];
  'paths-ignore'?: string[];
  types?: string[];
  workflows?: string[];
};

function buildTriggers(events: EventsConfig, onToken: TemplateToken | undefined): Trigger[] {
  const onMapping = onToken && isMapping(onToken) ? onToken : undefined;
  const eventPositions = new Map(onMapping ? [...onMapping].map((pair) => [scalarText(pair.key), positionOf(pair.key)]) : []);
  return Object.entries(events).map(([event, config]) => {
    const eventToken = onMapping ? mappingField(onMapping, event) : undefined;
    const pos = eventPositions.get(event) ?? positionOf(onToken);
    if (event === 'schedule') {
      const schedules = (config as { cron: string; timezone?: string }[]) ?? [];
      return { event, pos, schedules: schedules.map((s) => ({ cron: s.cron, timezone: s.timezone })) };
    }
    const filters = (config ?? {}) as FilterConfig;
    const trigger: Trigger = {
      event,
      pos,
      branches: filters.branches,
      branchesIgnore: filters['branches-ignore'],
      tags: filters.tags,
      tagsIgnore: filters['tags-ignore'],
      paths: filters.paths,
      pathsIgnore: filters['paths-ignore'],
      types: filters.types,
      workflows: filters.workflows,
    };
    if (event === 'workflow_dispatch' || event === 'workflow_call') {
      trigger.inputs = readInputs(eventToken && mappingField(eventToken, 'inputs'));
    }
    if (event === 'workflow_call' && eventToken) {
      trigger.secrets = readSecrets(mappingField(eventToken, 'secrets'));
      trigger.outputs = mappingOrEmpty(mappingField(eventToken, 'outputs'));
    }
    return dropUndefined(trigger);
  });
}

const inputTypes: readonly InputType[] = ['string', 'boolean', 'number', 'choice', 'environment'];

function readInputs(token: MappingToken | undefined): InputDefinition[] {
  if (!token) return [];
  return [...token].map((pair) => {
    const definition = isMapping(pair.value) ? pair.value : undefined;
    const type = (definition && stringField(definition, 'type')) ?? 'string';
    const defaultToken = definition && field(definition, 'default');
    const defaultValue = defaultToken ? toTemplateValue(defaultToken) : undefined;
    return dropUndefined({
      name: scalarText(pair.key),
      type: inputTypes.includes(type as InputType) ? (type as InputType) : 'string',
      description: definition && stringField(definition, 'description'),
      required: definition ? isTrue(field(definition, 'required')) : false,
      default:
        defaultValue?.kind === 'literal' && defaultValue.value !== null
          ? defaultValue.value
          : defaultValue?.kind === 'expression'
            ? (defaultValue.source ?? '')
            : undefined,
      options: definition && field(definition, 'options') ? stringList(field(definition, 'options')) : undefined,
    });
  });
}

function readSecrets(token: MappingToken | undefined): SecretDefinition[] {
  if (!token) return [];
  return [...token].map((pair) => {
    const definition = isMapping(pair.value) ? pair.value : undefined;
    return dropUndefined({
      name: scalarText(pair.key),
      required: definition ? isTrue(field(definition, 'required')) : false,
      description: definition && stringField(definition, 'description'),
    });
  });
}

function isTrue(token: TemplateToken | undefined): boolean {
  return token !== undefined && scalarText(token) === 'true';
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
