// What each forge sends, made into one shape: the event as GitHub names it, a GitHub-shaped
// payload (what workflows read as github.event), the repository it names and how it is signed.

import { isRecord } from '../../plan/payload-fields.ts';

export type Provider = 'github' | 'gitea' | 'gitlab' | 'git';

export interface Delivery {
  event: string;
  deliveryId: string | null;
  payload: Record<string, unknown>;
  /** Names the payload gives the repository by, most specific first. */
  repoNames: string[];
  auth: { kind: 'hmac'; signature: string | undefined } | { kind: 'token'; token: string | undefined };
}

export class DeliveryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function namesOf(repository: unknown): string[] {
  if (!isRecord(repository)) return [];
  return [str(repository.full_name), str(repository.path_with_namespace), str(repository.name)].filter((n): n is string => n !== undefined);
}

export function readDelivery(provider: Provider, headers: Headers, payload: unknown): Delivery {
  if (!isRecord(payload)) throw new DeliveryError(400, 'the body must be a JSON object');
  switch (provider) {
    case 'github': {
      const event = header(headers, 'x-github-event');
      if (!event) throw new DeliveryError(400, 'missing the X-GitHub-Event header');
      return { event, deliveryId: header(headers, 'x-github-delivery') ?? null, payload, repoNames: namesOf(payload.repository), auth: { kind: 'hmac', signature: header(headers, 'x-hub-signature-256') } };
    }
    case 'gitea': {
      const event = header(headers, 'x-forgejo-event') ?? header(headers, 'x-gitea-event');
      if (!event) throw new DeliveryError(400, 'missing the X-Gitea-Event (or X-Forgejo-Event) header');
      const signature = header(headers, 'x-forgejo-signature') ?? header(headers, 'x-gitea-signature') ?? header(headers, 'x-hub-signature-256');
      const deliveryId = header(headers, 'x-forgejo-delivery') ?? header(headers, 'x-gitea-delivery') ?? null;
      return { event, deliveryId, payload: giteaPayload(event, payload), repoNames: namesOf(payload.repository), auth: { kind: 'hmac', signature } };
    }
    case 'gitlab': {
      const kind = header(headers, 'x-gitlab-event');
      if (!kind) throw new DeliveryError(400, 'missing the X-Gitlab-Event header');
      const converted = gitlabPayload(kind, payload);
      return { ...converted, deliveryId: header(headers, 'x-gitlab-event-uuid') ?? null, repoNames: namesOf(payload.project), auth: { kind: 'token', token: header(headers, 'x-gitlab-token') } };
    }
    case 'git': {
      const repo = str(payload.repository);
      const ref = str(payload.ref);
      if (!repo || !ref || !str(payload.after)) throw new DeliveryError(400, 'expected {"repository", "ref", "before", "after"}');
      return { event: 'push', deliveryId: header(headers, 'x-gantry-delivery') ?? null, payload, repoNames: [repo], auth: { kind: 'hmac', signature: header(headers, 'x-hub-signature-256') } };
    }
  }
}

/** Gitea and Forgejo send GitHub's shapes, with `synchronized` for GitHub's `synchronize`. */
function giteaPayload(event: string, payload: Record<string, unknown>): Record<string, unknown> {
  if (event === 'pull_request' && payload.action === 'synchronized') return { ...payload, action: 'synchronize' };
  return payload;
}

const GITLAB_MR_ACTIONS: Record<string, string> = { open: 'opened', reopen: 'reopened', update: 'synchronize', close: 'closed', merge: 'closed' };

/** GitLab push and merge-request hooks as GitHub push and pull_request payloads. */
function gitlabPayload(kind: string, payload: Record<string, unknown>): { event: string; payload: Record<string, unknown> } {
  const project = isRecord(payload.project) ? payload.project : {};
  const repository = { name: str(project.name), full_name: str(project.path_with_namespace), default_branch: str(project.default_branch), html_url: str(project.web_url) };
  if (kind === 'Push Hook' || kind === 'Tag Push Hook') {
    const commits = Array.isArray(payload.commits) ? payload.commits.filter(isRecord) : [];
    const after = str(payload.after);
    if (!str(payload.ref) || !after) throw new DeliveryError(400, 'a GitLab push needs ref and after');
    return {
      event: 'push',
      payload: {
        ref: payload.ref,
        before: payload.before,
        after,
        deleted: /^0+$/.test(after),
        repository,
        commits: commits.map((c) => ({ id: c.id, message: c.message, added: c.added ?? [], removed: c.removed ?? [], modified: c.modified ?? [] })),
        head_commit: { id: str(payload.checkout_sha) ?? after },
        sender: { login: str(payload.user_username) ?? 'gitlab' },
      },
    };
  }
  if (kind === 'Merge Request Hook') {
    const mr = isRecord(payload.object_attributes) ? payload.object_attributes : undefined;
    if (!mr) throw new DeliveryError(400, 'a GitLab merge request hook needs object_attributes');
    const lastCommit = isRecord(mr.last_commit) ? str(mr.last_commit.id) : undefined;
    const action = GITLAB_MR_ACTIONS[String(mr.action)] ?? String(mr.action ?? 'opened');
    return {
      event: 'pull_request',
      payload: {
        action,
        number: mr.iid,
        pull_request: {
          number: mr.iid,
          title: mr.title,
          merged: mr.action === 'merge',
          head: { ref: mr.source_branch, sha: lastCommit },
          base: { ref: mr.target_branch },
        },
        repository,
        sender: { login: isRecord(payload.user) ? str(payload.user.username) : 'gitlab' },
      },
    };
  }
  throw new DeliveryError(400, `GitLab event "${kind}" is not supported (Push Hook, Tag Push Hook, Merge Request Hook are)`);
}
