// A RunPlan as text (a tree), JSON, Mermaid or Graphviz dot.

import type { PlannedJob, RunPlan, WorkflowPlan } from '../plan/types.ts';

export type PlanFormat = 'text' | 'json' | 'mermaid' | 'dot';

export function formatPlan(plan: RunPlan, format: PlanFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(planToJson(plan), null, 2) + '\n';
    case 'mermaid':
      return planToMermaid(plan);
    case 'dot':
      return planToDot(plan);
    case 'text':
      return planToText(plan);
  }
}

export function planToJson(plan: RunPlan) {
  return {
    event: { name: plan.event.name, ref: plan.event.ref, sha: plan.event.sha, action: plan.event.action ?? null },
    workflows: plan.workflows.map((wp) => ({
      file: wp.workflow.file,
      name: wp.workflow.name,
      triggered: wp.triggered,
      reason: wp.reason,
      inputs: wp.inputs,
      jobs: wp.jobs.map((job) => ({
        id: job.id,
        name: job.name,
        needs: job.needs,
        matrix: job.matrix,
        ...(job.matrixDeferred ? { matrixDeferred: true } : {}),
        runsOn: job.runsOn,
        environment: job.environment,
        jobIndex: job.jobIndex,
        jobTotal: job.jobTotal,
        failFast: job.failFast,
        maxParallel: job.maxParallel,
      })),
      diagnostics: wp.diagnostics,
    })),
  };
}

function runsOnText(runsOn: unknown): string {
  if (runsOn === null || runsOn === undefined) return '';
  return Array.isArray(runsOn) ? runsOn.join(', ') : typeof runsOn === 'object' ? JSON.stringify(runsOn) : String(runsOn);
}

function jobLine(job: PlannedJob): string {
  const parts = [job.name];
  if (job.matrixDeferred) parts.push('(matrix expanded at run time)');
  const runsOn = runsOnText(job.runsOn);
  if (runsOn) parts.push(`runs-on: ${runsOn}`);
  if (job.environment) parts.push(`environment: ${job.environment}`);
  if (job.needs.length > 0) parts.push(`needs: ${job.needs.join(', ')}`);
  return parts.join('  ');
}

function workflowText(wp: WorkflowPlan): string {
  const mark = wp.triggered ? '●' : '○';
  const header = `${mark} ${wp.workflow.name} (${wp.workflow.file})\n  ${wp.triggered ? 'triggered' : 'not triggered'}: ${wp.reason}\n`;
  const inputs = Object.entries(wp.inputs).map(([k, v]) => `  input ${k} = ${JSON.stringify(v)}\n`).join('');
  const jobs = wp.jobs
    .map((job, index) => `  ${index === wp.jobs.length - 1 ? '└─' : '├─'} ${jobLine(job)}\n`)
    .join('');
  const problems = wp.diagnostics
    .map((d) => `  ${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`)
    .join('');
  return header + inputs + jobs + problems;
}

function planToText(plan: RunPlan): string {
  const event = `event: ${plan.event.name}${plan.event.action ? ` (${plan.event.action})` : ''} ${plan.event.ref} ${plan.event.sha.slice(0, 12)}\n`;
  if (plan.workflows.length === 0) return `${event}no workflow files\n`;
  return event + plan.workflows.map(workflowText).join('');
}

interface GraphNode {
  key: string;
  label: string;
  needs: string[];
}

/**
 * One node per job; matrix legs are listed in the node's label. A need of a job that calls a
 * reusable workflow points at the called jobs (`caller/called`).
 */
function jobNodes(wp: WorkflowPlan, workflowIndex: number): GraphNode[] {
  const byId = new Map<string, PlannedJob[]>();
  for (const job of wp.jobs) byId.set(job.id, [...(byId.get(job.id) ?? []), job]);
  const key = (id: string) => `w${workflowIndex}_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const nodesFor = (need: string) => [...byId.keys()].filter((id) => id === need || id.startsWith(`${need}/`));
  return [...byId.entries()].map(([id, legs]) => ({
    key: key(id),
    label: legs.length > 1 ? [id, ...legs.map((leg) => leg.name)].join('\n') : legs[0]!.name,
    needs: [...new Set(legs.flatMap((leg) => leg.needs).flatMap(nodesFor))].map(key),
  }));
}

const escapeLabel = (text: string) => text.replaceAll('"', "'");

function planToMermaid(plan: RunPlan): string {
  const lines = ['graph LR'];
  plan.workflows.forEach((wp, index) => {
    if (!wp.triggered) return;
    lines.push(`  subgraph w${index}["${escapeLabel(wp.workflow.name)}"]`);
    for (const node of jobNodes(wp, index)) {
      lines.push(`    ${node.key}["${escapeLabel(node.label).replaceAll('\n', '<br/>')}"]`);
      for (const need of node.needs) lines.push(`    ${need} --> ${node.key}`);
    }
    lines.push('  end');
  });
  return lines.join('\n') + '\n';
}

function planToDot(plan: RunPlan): string {
  const lines = ['digraph gantry {', '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  plan.workflows.forEach((wp, index) => {
    if (!wp.triggered) return;
    lines.push(`  subgraph cluster_${index} {`, `    label="${escapeLabel(wp.workflow.name)}";`);
    for (const node of jobNodes(wp, index)) {
      lines.push(`    ${node.key} [label="${escapeLabel(node.label).replaceAll('\n', '\\n')}"];`);
      for (const need of node.needs) lines.push(`    ${need} -> ${node.key};`);
    }
    lines.push('  }');
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}
