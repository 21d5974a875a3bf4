import { Link } from 'react-router';
import type { Run } from '../api/types.ts';
import { elapsed, formatDuration, formatTime, shortSha } from '../format.ts';
import { StateBadge } from './StateBadge.tsx';

export function RunsTable({ runs, now, caption }: { runs: Run[]; now: number; caption: string }) {
  if (runs.length === 0) return <p className="muted">No runs.</p>;
  return (
    <table className="runs">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">State</th>
          <th scope="col">Run</th>
          <th scope="col">Repository</th>
          <th scope="col">Branch</th>
          <th scope="col">Event</th>
          <th scope="col">Actor</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-run-id={run.id} data-state={run.conclusion ?? run.status}>
            <td>
              <StateBadge status={run.status} conclusion={run.conclusion} />
            </td>
            <td>
              <Link to={`/runs/${run.id}`}>
                {run.workflowName} #{run.id}
                {run.attempt > 1 ? ` (attempt ${run.attempt})` : ''}
              </Link>
              <div className="muted small">
                <code>{shortSha(run.sha)}</code> {run.workflow}
              </div>
            </td>
            <td>{run.repo}</td>
            <td>{run.branch || run.ref}</td>
            <td>{run.event}</td>
            <td>{run.actor}</td>
            <td>{formatTime(run.startedAt ?? run.createdAt)}</td>
            <td>{formatDuration(elapsed(run.startedAt, run.finishedAt, null, now))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
