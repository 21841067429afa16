// Talking to the API server from the browser: the token (localStorage, sent as `Authorization: Bearer`), JSON
// requests whose errors are the server's Status bodies, and reading a streamed response line by line.

const TOKEN_KEY = 'drover.token';

/** The stored token, or '' when none is set. */
export function token(): string {
  return localStorage.getItem(TOKEN_KEY) ?? '';
}

/** Store (or with '' forget) the token. */
export function setToken(t: string): void {
  if (t) localStorage.setItem(TOKEN_KEY, t);
  else localStorage.removeItem(TOKEN_KEY);
}

/** The headers every request carries. */
export function authHeaders(): Record<string, string> {
  const t = token();
  return t ? { authorization: `Bearer ${t}` } : {};
}

/** A failed request: the server's Status (or what could be made of the answer). */
export class ApiError extends Error {
  constructor(readonly code: number, message: string, readonly reason?: string, readonly causes: Array<{ field?: string; message?: string }> = []) {
    super(message);
  }
}

/** A JSON request; a non-2xx answer throws ApiError with the Status message. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { ...authHeaders(), accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const s = (parsed ?? {}) as { message?: string; reason?: string; details?: { causes?: Array<{ field?: string; message?: string }> } };
    throw new ApiError(res.status, s.message ?? `${res.status} ${res.statusText}`, s.reason, s.details?.causes ?? []);
  }
  return parsed as T;
}

/** Read a streamed response, calling `onLine` for each complete line; resolves when the stream ends. */
export async function readLines(res: Response, onLine: (line: string) => void): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const lines = (rest + decoder.decode(value, { stream: true })).split('\n');
    rest = lines.pop()!;
    for (const l of lines) if (l) onLine(l);
  }
  if (rest) onLine(rest);
}

/** The path of a namespaced drover.dev object (or its subresource). */
export function objectPath(plural: string, namespace: string | undefined, name: string, sub?: string): string {
  const ns = namespace ? `namespaces/${encodeURIComponent(namespace)}/` : '';
  return `/apis/drover.dev/v1/${ns}${plural}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
}
