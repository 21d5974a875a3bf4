// workflow_run: another workflow's run was requested, started or finished.

import { currentBranch, readCommit } from '../git.ts';
import type { Payload } from '../payload-fields.ts';
import type { RepoEvent } from '../types.ts';
import { headCommitSummary, subjectAndBody } from './commits.ts';
import { nodeId, stableId } from './ids.ts';
import { onDefaultBranch, resolveBranch } from './refs.ts';
import { repositoryInfo } from './repository.ts';

export interface WorkflowRunEventOptions {
  /** The `name:` of the workflow that ran (what `on.workflow_run.workflows` matches). */
  workflowName: string;
  /** Path of that workflow file, e.g. .github/workflows/ci.yml. */
  workflowPath?: string;
  conclusion?: string;
  action?: 'completed' | 'requested' | 'in_progress';
  /** The branch the finished run ran on (`workflow_run.head_branch`). Default: the checked-out branch. */
  branch?: string;
  /** The event that triggered the finished run. */
  event?: string;
}

const RUN_STATUS_BY_ACTION: Record<string, string> = { completed: 'completed', requested: 'queued', in_progress: 'in_progress' };

export async function buildWorkflowRunEvent(repoDir: string, options: WorkflowRunEventOptions): Promise<RepoEvent> {
  const info = await repositoryInfo(repoDir);
  const action = options.action ?? 'completed';
  const branch = await resolveBranch(repoDir, options.branch ?? (await currentBranch(repoDir)) ?? info.defaultBranch);
  const headCommit = await readCommit(repoDir, branch.sha);
  const workflowPath = options.workflowPath ?? '';
  const workflowId = stableId(`workflow:${info.fullName}/${options.workflowName}`);
  const runId = stableId(`run:${info.fullName}/${options.workflowName}@${branch.sha}`);
  const now = new Date().toISOString();
  const workflowRun: Payload = {
    id: runId,
    node_id: nodeId('WFR', runId),
    name: options.workflowName,
    path: workflowPath,
    display_title: subjectAndBody(headCommit.message).subject,
    head_branch: branch.name,
    head_sha: branch.sha,
    event: options.event ?? 'push',
    status: RUN_STATUS_BY_ACTION[action] ?? action,
    conclusion: action === 'completed' ? (options.conclusion ?? 'success') : null,
    workflow_id: workflowId,
    run_number: 1,
    run_attempt: 1,
    url: `${String(info.repository.url)}/actions/runs/${runId}`,
    html_url: `${info.htmlUrl}/actions/runs/${runId}`,
    pull_requests: [],
    created_at: now,
    updated_at: now,
    run_started_at: now,
    actor: info.sender,
    triggering_actor: info.sender,
    head_commit: headCommitSummary(headCommit),
    repository: info.repository,
    head_repository: info.repository,
  };
  const payload: Payload = {
    action,
    workflow_run: workflowRun,
    workflow: { id: workflowId, node_id: nodeId('W', workflowId), name: options.workflowName, path: workflowPath, state: 'active' },
    repository: info.repository,
    sender: info.sender,
  };
  // GitHub runs workflow_run workflows on the default branch's last commit, whatever branch
  // the finished run was on; that branch is only in the payload (head_branch).
  return { name: 'workflow_run', action, ...(await onDefaultBranch(repoDir, info.defaultBranch)), payload };
}
