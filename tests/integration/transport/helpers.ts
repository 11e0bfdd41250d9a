/** Two-node transport fixtures: real servers on 127.0.0.1:0, real clients, a fake bus handler. */
import { request } from 'node:https';
import { toWallClock } from '../../../src-main/common';
import { generateKeyPair, signPayload, type KeyPair } from '../../../src-main/runtime/identity';
import {
  createHttpServer,
  generateSelfSignedCert,
  HttpClient,
  PinnedCerts,
  PubSubServer,
  type FrameData,
  type HttpServerOptions,
  type InboundCall,
  type InboundCallHandler,
  type PeerAddress,
  type TlsMaterial,
} from '../../../src-main/runtime/transport';
import { BusError } from '../../../src-main/runtime/bus';

/** Echo / sleep / stream / forever / fail, recording every call it sees. */
export class FakeBus implements InboundCallHandler {
  calls: InboundCall[] = [];
  produced = 0;
  producerStopped = false;

  async handleInbound(call: InboundCall): Promise<unknown> {
    this.calls.push(call);
    const body = (call.body ?? {}) as Record<string, unknown>;
    switch (call.capability) {
      case 'test.echo':
        return { echo: body, caller: call.caller, trace_id: call.traceId };
      case 'test.sleep':
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Number(body.ms));
          call.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(t);
              resolve();
            },
            { once: true },
          );
        });
        return { slept: true };
      case 'test.stream':
        return this.frames(Number(body.n));
      case 'test.forever':
        return this.forever(call.signal);
      default:
        throw new BusError('not_found', `no capability ${call.capability}@${call.version}`, {
          details: { alt_capabilities: ['test.echo'] },
        });
    }
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
  private async *frames(n: number): AsyncIterable<FrameData> {
    for (let i = 1; i <= n; i++) yield { event: 'token', data: { i } };
    yield { event: 'done', data: { n } };
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- a producer whose frames are ready at once: no await to add
  private async *forever(signal: AbortSignal): AsyncIterable<FrameData> {
    try {
      for (let i = 0; !signal.aborted && i < 10_000_000; i++) {
        this.produced++;
        yield { event: 'token', data: { i } };
      }
    } finally {
      this.producerStopped = true;
    }
  }
}

export interface TestNode {
  kp: KeyPair;
  tls: TlsMaterial;
  bus: FakeBus;
  pubsub: PubSubServer;
  pins: PinnedCerts;
  server: ReturnType<typeof createHttpServer>;
  client: HttpClient;
  address: PeerAddress;
  manifest: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startNode(
  extra: Partial<HttpServerOptions> = {},
  tls?: TlsMaterial,
  kp = generateKeyPair(),
): Promise<TestNode> {
  const material = tls ?? generateSelfSignedCert(kp);
  const bus = new FakeBus();
  const pubsub = new PubSubServer();
  const pins = new PinnedCerts(':memory:');
  const manifestRef: { m: Record<string, unknown> } = { m: {} };
  const server = createHttpServer({
    kp,
    tls: material,
    host: '127.0.0.1',
    port: 0,
    handler: bus,
    pubsub,
    nodeManifest: () => manifestRef.m,
    ...extra,
  });
  await server.start();
  server.markReady();
  manifestRef.m = signPayload(
    {
      node_id: kp.nodeIdFull,
      endpoints: [{ transport: 'https', host: '127.0.0.1', port: server.port }],
      load: { tls_fingerprint: material.fingerprint },
      issued_at: toWallClock(),
      expires_at: toWallClock(new Date(Date.now() + 30_000)),
    },
    kp,
  );
  const client = new HttpClient({ kp, pinnedCerts: pins, timeoutDefaultMs: 5_000 });
  return {
    kp,
    tls: material,
    bus,
    pubsub,
    pins,
    server,
    client,
    manifest: manifestRef.m,
    address: {
      nodeId: kp.nodeIdFull,
      endpoint: { transport: 'https', host: '127.0.0.1', port: server.port },
    },
    async stop() {
      client.close();
      await server.stop();
      pins.close();
    },
  };
}

/** A raw HTTPS reply: the status and the body, parsed as JSON when it is JSON (else the text). */
export interface RawReply {
  status: number;
  json: unknown;
}

/** The `error` object of a wire error reply; throws (failing the test at that line) when the body has none. */
export function wireError(reply: RawReply): { code: string; message: string } {
  const error = (reply.json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string')
    throw new Error(`not a wire error reply (${reply.status}): ${JSON.stringify(reply.json)}`);
  return { code: error.code, message: error.message };
}

/** A raw HTTPS request (no pinning, no client logic) for forging and replaying. */
export function rawHttps(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { 'content-type': 'application/json', ...headers },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let json: unknown = text;
          try {
            json = JSON.parse(text);
          } catch {
            // leave as text
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits until `cond()` holds, polling every 10 ms, failing after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
