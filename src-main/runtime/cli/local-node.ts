/** How CLI commands reach the node running for this HEARTHNET_HOME: its runtime file, then tRPC over HTTP. */
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { readSseEvents } from '../../common';
import type { AppRouter, OpInputs, OpName } from '../api';
import type { Config } from '../config';
import { nodeFiles } from '../config/node-paths';
import { readRuntimeFile, type RuntimeInfo } from '../config/runtime-file';
import { CliExit, EXIT, type ExitCode } from './exit-codes';

export type ApiClient = ReturnType<typeof createTRPCClient<AppRouter>>;

export function connectLocalNode(config: Config): { info: RuntimeInfo; api: ApiClient } {
  const info = readRuntimeFile(nodeFiles(config).runtime);
  if (!info)
    throw new CliExit(EXIT.noNode, 'no HearthNet node is running here; start one with `hearthnet run --no-ui`');
  const host = info.api_host === '0.0.0.0' ? '127.0.0.1' : info.api_host;
  const api = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `http://${host}:${info.api_port}/trpc`,
        headers: () => ({ authorization: `Bearer ${info.api_token}` }),
      }),
    ],
  });
  return { info, api };
}

/** Turn a failed API call into the right exit code (a node that vanished is "no running node"). */
export function apiFailure(err: unknown): never {
  if (err instanceof TRPCClientError) {
    const cause = (err.cause as { code?: string } | undefined)?.code ?? '';
    if (/ECONNREFUSED|ECONNRESET|fetch failed/i.test(`${cause} ${err.message}`))
      throw new CliExit(EXIT.noNode, 'the HearthNet node is not answering (it may have stopped)');
    const wire = (err.data as { wire?: { code?: string } } | undefined)?.wire?.code;
    if (wire === 'forbidden' || wire === 'invalid_signature') throw new CliExit(EXIT.auth, err.message);
    if (wire === 'capacity_exceeded') throw new CliExit(EXIT.capacity, err.message);
    throw new CliExit(EXIT.error, err.message);
  }
  throw err;
}

/** A streamed call through the local API's SSE endpoint. */
export function streamCall(info: RuntimeInfo, q: unknown): AsyncGenerator<{ event: string; data: unknown }> {
  return sse(info, '/api/v1/stream', q);
}

/** A long operation of the local API (`/api/v1/ops/<name>`): progress frames, then `done`. */
export function opCall<N extends OpName>(
  info: RuntimeInfo,
  name: N,
  input: OpInputs[N],
): AsyncGenerator<{ event: string; data: unknown }> {
  return sse(info, `/api/v1/ops/${name}`, input);
}

function exitFor(code: string | undefined): ExitCode {
  if (code === 'capacity_exceeded') return EXIT.capacity;
  if (code === 'forbidden' || code === 'invalid_signature') return EXIT.auth;
  return EXIT.error;
}

async function* sse(info: RuntimeInfo, path: string, q: unknown): AsyncGenerator<{ event: string; data: unknown }> {
  const host = info.api_host === '0.0.0.0' ? '127.0.0.1' : info.api_host;
  let res: Response;
  try {
    res = await fetch(`http://${host}:${info.api_port}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.api_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(q),
    });
  } catch {
    throw new CliExit(EXIT.noNode, 'the HearthNet node is not answering (it may have stopped)');
  }
  if (!res.ok || !res.body) {
    const text = await res.text();
    let wire: { code?: string; message?: string } | undefined;
    try {
      wire = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      wire = undefined;
    }
    if (wire?.message) throw new CliExit(exitFor(wire.code), wire.message);
    throw new CliExit(EXIT.error, `the node refused the request (${res.status}): ${text}`);
  }
  for await (const m of readSseEvents(res.body)) {
    const parsed = m.data === '' ? null : (JSON.parse(m.data) as unknown);
    if (m.event === 'error') {
      const e = parsed as { code?: string; message?: string };
      throw new CliExit(exitFor(e.code), e.message ? e.message : (e.code ?? 'error'));
    }
    yield { event: m.event, data: parsed };
  }
}
