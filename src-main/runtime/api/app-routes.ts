/**
 * The app's byte routes (tRPC carries JSON, not file bodies): a browser upload streamed to the
 * node's data folder, and a held file streamed back with its length (so the browser shows
 * progress). Both sit behind the API's token check. Wire: docs/protocol/ui-api.md.
 */
import type { Hono } from 'hono';
import { toWireError, HearthError } from '../../common';
import type { NodeApi } from './contract';

/** `?connectionParams={"token":…}` of tRPC's httpSubscriptionLink (EventSource cannot send headers). */
export function subscriptionToken(url: string): string | undefined {
  const raw = new URL(url, 'http://localhost').searchParams.get('connectionParams');
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as unknown;
    return p && typeof p === 'object' && typeof (p as { token?: unknown }).token === 'string'
      ? (p as { token: string }).token
      : undefined;
  } catch {
    return undefined;
  }
}

function status(err: unknown): 400 | 403 | 404 | 500 {
  const code = toWireError(err).code;
  if (code === 'bad_request' || code === 'cancelled') return 400;
  if (code === 'forbidden') return 403;
  if (code === 'not_found') return 404;
  return err instanceof HearthError ? 400 : 500;
}

/** Content-Disposition for a name with any characters (RFC 6266 / 5987). */
function disposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Where a browser uploads a file's bytes (exempt from the API's JSON body limit: it streams to disk). */
export const UPLOAD_PATH = '/api/v1/upload';

export function mountAppRoutes(app: Hono, node: () => NodeApi): void {
  app.post(UPLOAD_PATH, async (c) => {
    const filename = c.req.query('filename');
    if (!filename)
      return c.json({ error: { code: 'bad_request', message: 'filename: is required (?filename=<name>)' } }, 400);
    const body = c.req.raw.body;
    if (!body)
      return c.json({ error: { code: 'bad_request', message: 'the request has no body: send the file’s bytes' } }, 400);
    try {
      return c.json(await node().receiveUpload(filename, body, c.req.raw.signal));
    } catch (err) {
      return c.json({ error: toWireError(err) }, status(err));
    }
  });

  app.get('/api/v1/files/:cid', async (c) => {
    try {
      const file = await node().openFile(c.req.param('cid'));
      if (!file)
        return c.json(
          {
            error: {
              code: 'not_found',
              message: 'this household does not hold that file yet: fetch it first (filesFetch)',
            },
          },
          404,
        );
      return new Response(file.body, {
        headers: {
          'content-type': file.mime_type ?? 'application/octet-stream',
          'content-length': String(file.size_bytes),
          'content-disposition': disposition(file.filename ?? c.req.param('cid')),
          'cache-control': 'no-store',
        },
      });
    } catch (err) {
      return c.json({ error: toWireError(err) }, status(err));
    }
  });
}
