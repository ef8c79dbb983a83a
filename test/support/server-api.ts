/**
 * JSON calls to a server a test started itself (startServer), with the tenant's API key by
 * default; PDFs come back as bytes, other bodies as text. The shared server's helper is
 * `call` in api.ts.
 */
export const serverApi =
  (url: () => string, defaultKey: () => string | undefined) =>
  async <T = Record<string, unknown> & { error?: { code: string; message: string } }>(
    method: string,
    path: string,
    json?: unknown,
    key: string | undefined = defaultKey(),
  ): Promise<{ status: number; body: T }> => {
    const r = await fetch(`${url()}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
    const type = r.headers.get('content-type') ?? '';
    const body = type.includes('json') ? await r.json() : type.includes('pdf') ? new Uint8Array(await r.arrayBuffer()) : await r.text();
    return { status: r.status, body: body as T };
  };
