import { useMemo } from 'react';
import { Link } from 'react-router';
import type { Job } from '../api/types.ts';
import { durationOf, elapsed, formatDuration, matrixLabel, stateLabel, toneOf } from '../format.ts';
import { layoutJobs, MAX_LEGS_SHOWN, type GraphNode } from './graph-layout.ts';
import { StateIcon } from './StateBadge.tsx';

function groupState(legs: Job[]): { status: Job['status']; conclusion: Job['conclusion'] } {
  const tones = legs.map((leg) => toneOf(leg.status, leg.conclusion));
  const pick = (tone: string) => legs[tones.indexOf(tone as never)];
  const leg = pick('failure') ?? pick('running') ?? pick('cancelled') ?? pick('queued') ?? pick('success') ?? legs[0];
  return { status: leg?.status ?? 'queued', conclusion: leg?.conclusion ?? null };
}

function groupDuration(legs: Job[], now: number): number | null {
  const starts = legs.map((leg) => (leg.startedAt ? Date.parse(leg.startedAt) : NaN)).filter(Number.isFinite);
  if (starts.length === 0) return null;
  if (legs.length === 1) return legs[0]?.conclusion === 'skipped' ? null : elapsed(legs[0]?.startedAt ?? null, legs[0]?.finishedAt ?? null, legs[0]?.durationMs, now);
  const running = legs.some((leg) => !leg.finishedAt && leg.startedAt);
  const ends = legs.map((leg) => (leg.finishedAt ? Date.parse(leg.finishedAt) : NaN)).filter(Number.isFinite);
  const end = running || ends.length === 0 ? now : Math.max(...ends);
  return Math.max(0, end - Math.min(...starts));
}

function LegLink({ href, leg, now, label }: { href: string; leg: Job; now: number; label: string }) {
  const duration = leg.carriedFrom ? `from attempt ${leg.carriedFrom}` : durationOf(leg, now);
  return (
    <Link
      to={href}
      className={`graph-leg tone-${toneOf(leg.status, leg.conclusion)}`}
      aria-label={`${leg.name}: ${stateLabel(leg.status, leg.conclusion)}${duration ? `, ${duration}` : ''}`}
      data-job-key={leg.key}
    >
      <StateIcon status={leg.status} conclusion={leg.conclusion} />
      <span className="graph-leg-name" title={label}>
        {label}
      </span>
      <span className="graph-duration">{duration}</span>
    </Link>
  );
}

function NodeBox({ node, jobHref, now }: { node: GraphNode; jobHref: (job: Job) => string; now: number }) {
  const state = groupState(node.legs);
  const tone = toneOf(state.status, state.conclusion);
  const single = node.legs.length === 1 && !node.legs[0]?.matrix ? node.legs[0] : undefined;
  const shown = node.legs.slice(0, MAX_LEGS_SHOWN);
  const hidden = node.legs.slice(MAX_LEGS_SHOWN);
  const counts = new Map<string, number>();
  for (const leg of hidden) counts.set(stateLabel(leg.status, leg.conclusion), (counts.get(stateLabel(leg.status, leg.conclusion)) ?? 0) + 1);
  return (
    <li
      className={`graph-node tone-${tone}`}
      style={{ left: node.x, top: node.y, width: node.width, height: node.height }}
      data-job-id={node.jobId}
      data-state={tone}
    >
      {single ? (
        <LegLink href={jobHref(single)} leg={single} now={now} label={single.name} />
      ) : (
        <>
          <div className="graph-node-title">
            <StateIcon status={state.status} conclusion={state.conclusion} />
            <span className="graph-leg-name" title={node.name}>
              {node.name}
            </span>
            <span className="graph-duration">{formatDuration(groupDuration(node.legs, now))}</span>
          </div>
          <ul className="graph-legs" aria-label={`${node.name} matrix legs`}>
            {shown.map((leg) => (
              <li key={leg.id}>
                <LegLink href={jobHref(leg)} leg={leg} now={now} label={matrixLabel(leg.matrix) || leg.name} />
              </li>
            ))}
            {hidden.length > 0 && (
              <li className="graph-more">
                and {hidden.length} more ({[...counts].map(([label, count]) => `${count} ${label}`).join(', ')})
              </li>
            )}
          </ul>
        </>
      )}
    </li>
  );
}

export function PipelineGraph({ jobs, now, jobHref }: { jobs: Job[]; now: number; jobHref: (job: Job) => string }) {
  const graph = useMemo(() => layoutJobs(jobs), [jobs]);
  if (jobs.length === 0) return <p className="muted">No jobs yet.</p>;
  return (
    <div className="graph-scroll" role="region" aria-label="Pipeline graph" tabIndex={0}>
      <div className="graph-canvas" style={{ width: graph.width, height: graph.height }}>
        <svg className="graph-edges" width={graph.width} height={graph.height} aria-hidden="true">
          {graph.edges.map((edge) => (
            <path
              key={`${edge.from}->${edge.to}`}
              d={edge.points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x},${point.y}`).join(' ')}
            />
          ))}
        </svg>
        <ul className="graph-nodes" aria-label="Jobs">
          {graph.nodes.map((node) => (
            <NodeBox key={node.jobId} node={node} jobHref={jobHref} now={now} />
          ))}
        </ul>
      </div>
    </div>
  );
}
