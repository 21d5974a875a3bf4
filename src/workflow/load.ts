// Reads workflow files: discovery, parsing through @actions/workflow-parser and
// conversion of its errors into our Diagnostics.

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  convertWorkflowTemplate,
  isMapping,
  NoOperationTraceWriter,
  parseWorkflow,
} from '@actions/workflow-parser';
import { ErrorPolicy } from '@actions/workflow-parser/model/convert';
import { buildWorkflow } from './model.ts';
import { WorkflowDiscoveryError } from './errors.ts';
import { hintFor, ruleFor } from './parser-diagnostics.ts';
import type { Diagnostic, Workflow } from './types.ts';

export { WorkflowDiscoveryError };

export interface LoadedWorkflow {
  file: string;
  /** Absent when the file is too broken to model. */
  workflow?: Workflow;
  diagnostics: Diagnostic[];
  /** The file's text, for rules that look at what was written. */
  content: string;
}


export const DEFAULT_WORKFLOWS_DIR = path.join('.github', 'workflows');

/** Workflow files under a folder (not recursive, as GitHub), or the file itself. */
export async function discoverWorkflowFiles(target: string): Promise<string[]> {
  let info;
  try {
    info = await stat(target);
  } catch {
    throw new WorkflowDiscoveryError(`no workflow file or folder at ${target}`);
  }
  if (info.isFile()) return [target];
  const names = (await readdir(target)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return names.map((name) => path.join(target, name));
}

export async function loadWorkflowFile(file: string, displayName = file): Promise<LoadedWorkflow> {
  const content = await readFile(file, 'utf8');
  return parseWorkflowText(displayName, content);
}

export async function parseWorkflowText(file: string, content: string): Promise<LoadedWorkflow> {
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const root = parsed.value;
  if (!root || !isMapping(root)) {
    const diagnostics = toDiagnostics(file, parsed.context.errors.getErrors());
    if (diagnostics.length === 0) {
      diagnostics.push(errorAtStart(file, 'a workflow file must be a mapping with `on:` and `jobs:`'));
    }
    return { file, diagnostics, content };
  }
  const template = await convertWorkflowTemplate(parsed.context, root, undefined, {
    errorPolicy: ErrorPolicy.TryConversion,
  });
  const diagnostics = toDiagnostics(file, parsed.context.errors.getErrors());
  return { file, workflow: buildWorkflow(file, root, template), diagnostics, content };
}

interface ParserError {
  rawMessage: string;
  range?: { start: { line: number; column: number } };
}

export function toDiagnostics(file: string, errors: readonly ParserError[]): Diagnostic[] {
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of errors) {
    const raw = firstLine(error.rawMessage);
    const internal = internalFailure.test(raw);
    const message = internal ? "this part of the workflow has a shape GitHub's syntax does not allow here" : raw;
    const start = error.range?.start ?? { line: 1, column: 1 };
    const key = `${start.line}:${start.column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({
      file,
      line: start.line,
      column: start.column,
      severity: 'error',
      rule: ruleFor(message),
      message,
      hint: internal ? `check the keys and values from this line on (the parser stopped with: ${raw})` : hintFor(message),
    });
  }
  return diagnostics;
}

// The parser sometimes reports its own TypeErrors; those are said in the user's terms.
const internalFailure = /is not a function|Cannot read properties|undefined \(reading|is not iterable/;

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/:$/, '').trim();
}

export function errorAtStart(file: string, message: string): Diagnostic {
  return { file, line: 1, column: 1, severity: 'error', rule: 'syntax', message };
}
