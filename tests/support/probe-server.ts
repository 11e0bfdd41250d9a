/** A plain HTTP server on 127.0.0.1 for `[emergency] probe_targets`: stop it and the nodes go offline; start it again on the same port. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class ProbeServer {
  private server: Server | null = null;
  port = 0;
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }
  async start(): Promise<void> {
    const s = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (s.address() as AddressInfo).port;
    this.server = s;
  }
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
