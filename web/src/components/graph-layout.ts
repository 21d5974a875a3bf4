// Lays a run's jobs out left to right: one node per workflow job (its matrix legs listed inside), one
// edge per `needs`. dagre does the placement; this file only sizes nodes and reads the result back.

import { Graph, layout, type Edge, type EdgeLabel, type Point } from '@dagrejs/dagre';
import type { Job } from '../api/types.ts';

export const NODE_WIDTH = 240;
const HEADER_HEIGHT = 44;
const LEG_HEIGHT = 28;
/** More legs than this are summarised, so a 200-leg matrix stays one readable node. */
export const MAX_LEGS_SHOWN = 8;

export interface GraphNode {
  jobId: string;
  name: string;
  legs: Job[];
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

function displayName(legs: Job[]): string {
  const first = legs[0];
  if (!first) return '';
  if (legs.length === 1 && !first.matrix) return first.name;
  // A matrix leg's name is "<job name> (<values>)": the group shows the part before the values.
  return first.name.replace(/\s*\([^)]*\)\s*$/, '') || first.jobId;
}

export function groupJobs(jobs: readonly Job[]): Map<string, Job[]> {
  const groups = new Map<string, Job[]>();
  for (const job of jobs) {
    const list = groups.get(job.jobId);
    if (list) list.push(job);
    else groups.set(job.jobId, [job]);
  }
  return groups;
}

export function layoutJobs(jobs: readonly Job[]): GraphLayout {
  const groups = groupJobs(jobs);
  const graph = new Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 64, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const [jobId, legs] of groups) {
    const isMatrix = legs.length > 1 || legs.some((leg) => leg.matrix);
    const rows = isMatrix ? Math.min(legs.length, MAX_LEGS_SHOWN) + (legs.length > MAX_LEGS_SHOWN ? 1 : 0) : 0;
    graph.setNode(jobId, { width: NODE_WIDTH, height: HEADER_HEIGHT + rows * LEG_HEIGHT });
  }
  const edges = new Set<string>();
  for (const [jobId, legs] of groups) {
    for (const need of new Set(legs.flatMap((leg) => leg.needs))) {
      if (!groups.has(need) || edges.has(`${need}\n${jobId}`)) continue;
      edges.add(`${need}\n${jobId}`);
      graph.setEdge(need, jobId);
    }
  }
  layout(graph);
  const nodes: GraphNode[] = [];
  for (const [jobId, legs] of groups) {
    const placed = graph.node(jobId);
    nodes.push({
      jobId,
      name: displayName(legs),
      legs,
      x: placed.x - placed.width / 2,
      y: placed.y - placed.height / 2,
      width: placed.width,
      height: placed.height,
    });
  }
  const laidEdges: GraphEdge[] = graph.edges().map((edge: Edge) => ({
    from: edge.v,
    to: edge.w,
    points: ((graph.edge(edge) as EdgeLabel).points ?? []).map((point: Point) => ({ x: point.x, y: point.y })),
  }));
  const size = graph.graph();
  return { nodes, edges: laidEdges, width: size.width ?? NODE_WIDTH, height: size.height ?? HEADER_HEIGHT };
}
