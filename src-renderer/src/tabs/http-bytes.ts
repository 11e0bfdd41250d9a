/**
 * Bytes that tRPC does not carry: a browser upload to the node (`POST /api/v1/upload`, progress
 * from XMLHttpRequest) and a held file saved to this device (`GET /api/v1/files/<cid>`, progress
 * from the stream against content-length). Both carry the local API token.
 */
import type { UploadReceived } from '../../../src-main/runtime/api';
import { authHeaders } from '../trpc';

export interface Transfer {
  readonly done: number;
  readonly total: number | null;
}

/** Plain words for an HTTP failure of these routes, with the next step. */
function httpFailure(status: number, body: string): Error {
  let message = '';
  try {
    message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? '';
  } catch {
    /* not JSON */
  }
  if (status === 401)
    return new Error(
      'This page is not allowed to talk to your HearthNet. Open it again from the link HearthNet prints when it starts.',
    );
  if (status === 413)
    return new Error('That file is too big for HearthNet to take in one go. Nothing was saved; try a smaller file.');
  return new Error(`${message || `HearthNet answered ${status}.`} Nothing was lost; try again.`);
}

/** Send a file from this device to the node; resolves with the upload to pass to filesAdd/modelsAdd. */
export function uploadToNode(
  file: File,
  onProgress: (t: Transfer) => void,
  signal?: AbortSignal,
): Promise<UploadReceived> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/upload?filename=${encodeURIComponent(file.name)}`);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress({ done: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = () =>
      xhr.status === 200
        ? resolve(JSON.parse(xhr.responseText) as UploadReceived)
        : reject(httpFailure(xhr.status, xhr.responseText));
    xhr.onerror = () =>
      reject(
        new Error(
          'The file could not reach your HearthNet. Check that it is running, then try again; nothing was saved.',
        ),
      );
    xhr.onabort = () => reject(new DOMException('cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

/** Save a file the node holds to this device (the browser's Downloads), reporting progress. */
export async function saveToDevice(
  cid: string,
  filename: string,
  onProgress: (t: Transfer) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await fetch(`/api/v1/files/${encodeURIComponent(cid)}`, { headers: authHeaders(), signal });
  if (!res.ok || !res.body) throw httpFailure(res.status, await res.text().catch(() => ''));
  const total = Number(res.headers.get('content-length')) || null;
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let done = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    parts.push(r.value);
    done += r.value.byteLength;
    onProgress({ done, total });
  }
  const url = URL.createObjectURL(
    new Blob(parts as BlobPart[], { type: res.headers.get('content-type') ?? 'application/octet-stream' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
