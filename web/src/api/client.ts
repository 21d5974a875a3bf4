// The one door to the server: same-origin fetch with the session cookie. Writes carry the CSRF header the
// server asks of cookie-authenticated requests.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Gantry-CSRF'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let code = `http_${response.status}`;
    let message = response.statusText || `Request failed with status ${response.status}`;
    try {
      // The server answers every error as {error: {code, message}}.
      const { error } = (await response.json()) as { error?: { code?: string; message?: string } };
      code = error?.code ?? code;
      message = error?.message ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    if (response.status === 401) window.dispatchEvent(new CustomEvent('gantry:unauthorized'));
    throw new ApiError(response.status, code, message);
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return (await response.text()) as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** Builds `/api/...?a=b` from a path and the non-empty query values. */
export function apiPath(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export const enc = encodeURIComponent;
