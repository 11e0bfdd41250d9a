/** Test helper: a tiny UDP DNS server on 127.0.0.1 answering A queries for known names (NXDOMAIN otherwise). */
import dgram from 'node:dgram';

export interface DnsResponder {
  port: number;
  queries: string[];
  close(): Promise<void>;
}

function readName(msg: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  for (let i = 0; i < 64 && msg[off] > 0; i++) {
    const len = msg[off];
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('ascii'));
    off += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: off + 1 };
}

export async function startDnsResponder(records: Record<string, string>): Promise<DnsResponder> {
  const sock = dgram.createSocket('udp4');
  const queries: string[] = [];
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const { name, end } = readName(msg, 12);
    queries.push(name);
    const question = msg.subarray(12, end + 4);
    const qtype = msg.readUInt16BE(end);
    const ip = records[name];
    const answer = ip !== undefined && qtype === 1;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0);
    header.writeUInt16BE(ip === undefined ? 0x8183 : 0x8180, 2); // response, RD+RA, rcode NXDOMAIN or 0
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer ? 1 : 0, 6);
    const parts = [header, question];
    if (answer) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
      parts.push(rr);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, queries, close: () => new Promise<void>((r) => sock.close(() => r())) };
}
