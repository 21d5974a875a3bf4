// JSON schemas shared by routes (fastify validates input with them; @fastify/swagger documents them).

import type {} from '@fastify/swagger';

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';
export const SECRET_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,99}$';

export const repoParams = {
  type: 'object',
  properties: { repo: { type: 'string', pattern: NAME_PATTERN } },
  required: ['repo'],
} as const;

export const runParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;

export const runJobParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 }, jobId: { type: 'integer', minimum: 1 } },
  required: ['id', 'jobId'],
} as const;

const nullableString = { type: ['string', 'null'] } as const;

export const runSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    repo: { type: 'string' },
    workflow: { type: 'string', description: "the workflow file's path in the repository, as GitHub's `path`" },
    workflowFile: { type: 'string' },
    workflowName: { type: 'string' },
    event: { type: 'string' },
    ref: { type: 'string' },
    branch: nullableString,
    sha: { type: 'string' },
    actor: { type: 'string' },
    attempt: { type: 'integer' },
    status: { type: 'string', enum: ['queued', 'running', 'completed'] },
    conclusion: { type: ['string', 'null'], enum: ['success', 'failure', 'cancelled', 'skipped', null] },
    createdAt: { type: 'string' },
    startedAt: nullableString,
    finishedAt: nullableString,
  },
} as const;

export const stepSchema = {
  type: 'object',
  properties: {
    number: { type: 'integer' },
    name: { type: 'string' },
    status: { type: 'string' },
    conclusion: nullableString,
    startedAt: nullableString,
    finishedAt: nullableString,
    durationMs: { type: ['integer', 'null'] },
  },
} as const;

export const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    key: { type: 'string' },
    jobId: { type: 'string' },
    name: { type: 'string' },
    matrix: { type: ['object', 'null'], additionalProperties: true },
    needs: { type: 'array', items: { type: 'string' } },
    status: { type: 'string' },
    conclusion: nullableString,
    startedAt: nullableString,
    finishedAt: nullableString,
    durationMs: { type: ['integer', 'null'] },
    reason: nullableString,
    carriedFrom: { type: ['integer', 'null'] },
    steps: { type: 'array', items: stepSchema },
  },
} as const;

export const repoSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    source: { type: 'object', properties: { path: { type: 'string' }, url: { type: 'string' } } },
    defaultBranch: { type: 'string' },
    createdAt: { type: 'string' },
    latestRun: { anyOf: [runSchema, { type: 'null' }] },
  },
} as const;
