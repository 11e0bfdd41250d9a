/**
 * HttpServer (§4 of ../shared/spec/hearthnet-reference.md server.py): ONE port for HTTPS (peers) and plain HTTP (people and tools
 * on the LAN). The first byte of each connection decides: 0x16 (a TLS handshake record) goes to the
 * TLS server, anything else to the plain HTTP server; both run the same Hono app.
 */
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server as HttpNodeServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps, type Server as HttpsNodeServer } from 'node:https';
import { createServer as createNet, type Server as NetServer, type Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { CallError, CONNECTION_IDLE_SECONDS } from '../../common';
import type { KeyPair } from '../identity';
import { createPeerApp, type PeerAppDeps } from './app';
import type { FlowControlOptions } from './backpressure';
import { RequestVerifier, type SignatureFailureReason } from './request-signing';
import { StreamRegistry } from './stream-registry';

/** A connection that sends nothing for this long is closed (sniffing needs its first byte). */
export const FIRST_BYTE_TIMEOUT_MS = 10_000;
/** Port used when none is configured. */
export const DEFAULT_TRANSPORT_PORT = 7443;

export interface HttpServerOptions extends Omit<
  PeerAppDeps,
  'nodeId' | 'startedAtMs' | 'now' | 'verifier' | 'registry' | 'flow' | 'isReady'
> {
  readonly kp: KeyPair;
  /** The node's certificate (tls.ts `loadOrCreateTlsCert`). */
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  /** Listen address; default 0.0.0.0 (the LAN). Tests pass 127.0.0.1. */
  readonly host?: string;
  /** Listen port; 0 picks a free one. Default DEFAULT_TRANSPORT_PORT. */
  readonly port?: number;
  readonly now?: () => number;
  readonly flow?: FlowControlOptions;
  readonly signatureWindowMs?: number;
  /** Bound of the replay-nonce cache (default NONCE_CACHE_MAX; tests use a small one to reach it). */
  readonly maxNonces?: number;
  /** Metrics hook: hearthnet_signature_failures_total{reason}. */
  readonly onSignatureFailure?: (reason: SignatureFailureReason) => void;
}

export class HttpServer {
  /** The Hono app (for tests that call `app.request`). */
  readonly app: Hono<{ Bindings: import('@hono/node-server').HttpBindings }>;
  private readonly registry = new StreamRegistry();
  private readonly http: HttpNodeServer;
  private readonly https: HttpsNodeServer;
  private net: NetServer | null = null;
  private readonly sockets = new Set<Socket>();
  private ready = false;
  private boundPort = 0;

  constructor(private readonly opts: HttpServerOptions) {
    const now = opts.now ?? Date.now;
    const verifier = new RequestVerifier({
      selfNodeId: opts.kp.nodeIdFull,
      now,
      windowMs: opts.signatureWindowMs,
      maxNonces: opts.maxNonces,
      onSignatureFailure: opts.onSignatureFailure,
    });
    this.app = createPeerApp({
      ...opts,
      nodeId: opts.kp.nodeIdFull,
      startedAtMs: now(),
      now,
      verifier,
      registry: this.registry,
      flow: opts.flow ?? {},
      isReady: () => this.ready,
    });
    const handle = getRequestListener(this.app.fetch);
    // Hono answers every request itself (errors included); nothing is left to catch here.
    const listener = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
    const idleMs = (CONNECTION_IDLE_SECONDS + 5) * 1000;
    this.http = createHttp({ keepAliveTimeout: idleMs }, listener);
    this.https = createHttps({ cert: opts.tls.certPem, key: opts.tls.keyPem, keepAliveTimeout: idleMs }, listener);
    // A peer that fails the TLS handshake (wrong protocol, scanner) is dropped quietly.
    this.https.on('tlsClientError', (_err, socket) => socket.destroy());
  }

  /** The bound port (after start). */
  get port(): number {
    return this.boundPort;
  }

  /** GET /ready answers 200 once marked ready (after the node has started its parts). */
  markReady(ready = true): void {
    this.ready = ready;
  }

  /** Number of streams in flight. */
  get openStreams(): number {
    return this.registry.size;
  }

  async start(): Promise<void> {
    if (this.net) return;
    const net = createNet({ pauseOnConnect: false }, (socket) => this.route(socket));
    this.net = net;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.net = null;
        reject(
          new CallError(
            'internal_error',
            err.code === 'EADDRINUSE'
              ? `port ${this.opts.port} is already in use; stop the other program or choose another port`
              : `cannot listen: ${err.message}`,
            { cause: err },
          ),
        );
      };
      net.once('error', onError);
      net.listen(this.opts.port ?? DEFAULT_TRANSPORT_PORT, this.opts.host ?? '0.0.0.0', () => {
        net.off('error', onError);
        const addr = net.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : 0;
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    const net = this.net;
    if (!net) return;
    this.net = null;
    this.ready = false;
    this.registry.closeAll(new CallError('partition', 'the node is shutting down'));
    this.opts.pubsub?.stop();
    const closed = new Promise<void>((resolve) => net.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.http.closeAllConnections();
    await closed;
  }

  /** Sniff the first byte, then hand the socket to the TLS or the plain server. */
  private route(socket: Socket): void {
    // Small frames (SSE tokens, acks) must not wait for Nagle's algorithm.
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? this.https : this.http).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  }
}

/** Builds an HttpServer (not yet listening). */
export function createHttpServer(opts: HttpServerOptions): HttpServer {
  return new HttpServer(opts);
}
