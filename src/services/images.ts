// Image references as Docker reads them: `[registry/][namespace/]name[:tag][@digest]`.

export interface ImageReference {
  /** Absent for Docker Hub, however it is spelled. */
  registry?: string;
  /** The repository path without the registry, e.g. `library/postgres`, `bitnami/redis`. */
  path: string;
  tag?: string;
  digest?: string;
}

const dockerHubNames = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export function parseImageReference(image: string): ImageReference {
  const [nameAndTag = '', digest] = image.trim().split('@', 2);
  const lastSlash = nameAndTag.lastIndexOf('/');
  const tagColon = nameAndTag.indexOf(':', lastSlash + 1);
  const name = tagColon === -1 ? nameAndTag : nameAndTag.slice(0, tagColon);
  const tag = tagColon === -1 ? undefined : nameAndTag.slice(tagColon + 1);
  const components = name.split('/');
  const first = components[0] ?? '';
  const hasRegistry = components.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry && !dockerHubNames.has(first.toLowerCase()) ? first : undefined;
  let path = (hasRegistry ? components.slice(1) : components).join('/').toLowerCase();
  if (registry === undefined && !path.includes('/')) path = `library/${path}`;
  return { ...(registry === undefined ? {} : { registry }), path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** The name of a Docker Hub official image (`postgres` for `docker.io/library/postgres:16`), or undefined. */
export function officialImageName(reference: ImageReference): string | undefined {
  if (reference.registry !== undefined) return undefined;
  const match = /^library\/([^/]+)$/.exec(reference.path);
  return match?.[1];
}

/** The last path component: `redis` for `bitnami/redis`. */
export function imageBaseName(reference: ImageReference): string {
  return reference.path.slice(reference.path.lastIndexOf('/') + 1);
}
