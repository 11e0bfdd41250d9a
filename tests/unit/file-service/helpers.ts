/** Test helpers: a loopback mesh whose nodes each have a real blob store (temp dir) and a FileService. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore } from '../../../src-main/runtime/blobs';
import { EventLog } from '../../../src-main/runtime/events';
import { generateKeyPair, type KeyPair } from '../../../src-main/runtime/identity';
import { FileService } from '../../../src-main/runtime/services/file';
import type { HandlerContext } from '../../../src-main/runtime/bus';
import type { FrameData } from '../../../src-main/runtime/transport';
import { createMesh, type Mesh, type MeshNode } from '../bus/loopback-mesh';

export interface FileNode {
  readonly node: MeshNode;
  readonly store: BlobStore;
  readonly files: FileService;
  readonly log: EventLog;
  readonly kp: KeyPair;
}

export interface FileMesh {
  readonly mesh: Mesh;
  readonly nodes: Record<string, FileNode>;
  readonly dir: string;
  cleanup(): Promise<void>;
}

/** A mesh of `names`, each node with its own store and FileService registered, then synced. */
export async function fileMesh(names: string[] = ['alice', 'bob', 'carol']): Promise<FileMesh> {
  const dir = await mkdtemp(join(tmpdir(), 'hn-files-'));
  const mesh = createMesh(names);
  const nodes: Record<string, FileNode> = {};
  for (const n of mesh.nodes) {
    const store = new BlobStore(join(dir, n.name, 'blobs'), {
      fsync: false,
      diskUsage: () => ({ total: 1e12, free: 5e11 }),
    });
    await store.start();
    const kp = generateKeyPair();
    const log = EventLog.open({ dbPath: join(dir, `${n.name}-events.sqlite`), communityId: mesh.communityId });
    const files = new FileService({
      store,
      ourNodeId: n.id,
      appendEvent: (type, data) => log.appendLocal(type, data, kp),
    });
    await files.start();
    n.bus.registerService(files);
    nodes[n.name] = { node: n, store, files, log, kp };
  }
  mesh.sync();
  return {
    mesh,
    nodes,
    dir,
    async cleanup() {
      for (const f of Object.values(nodes)) {
        await f.files.stop();
        await f.store.stop();
        f.log.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Deterministic pseudo-random bytes (xorshift). */
export function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** file.read calls `from` sent, per target node name. */
export function readCalls(from: MeshNode, capability = 'file.read'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of from.transport.sent) if (s.capability === capability) out[s.to] = (out[s.to] ?? 0) + 1;
  return out;
}

/**
 * Wraps a node's file.read so every chunk it serves (unary answer or stream frame) is counted and,
 * when `corrupt` is set, has one byte flipped. Returns the live counters.
 */
export function tapChunks(n: FileNode): { served: number; corrupt: boolean } {
  const read = n.files.capabilities().find((c) => c.descriptor.name === 'file.read')!;
  const tap = { served: 0, corrupt: false };
  const touch = (d: Record<string, unknown>): Record<string, unknown> => {
    if (typeof d.data_b64 !== 'string') return d;
    tap.served++;
    if (!tap.corrupt) return d;
    const b = Buffer.from(d.data_b64, 'base64');
    b[0] ^= 0xff;
    return { ...d, data_b64: b.toString('base64') };
  };
  n.node.bus.registerCapability(read.descriptor, async (ctx: HandlerContext) => {
    const r = await read.handler(ctx);
    if (!r || typeof r !== 'object' || !(Symbol.asyncIterator in r)) return touch(r as Record<string, unknown>);
    return (async function* () {
      for await (const f of r as AsyncIterable<FrameData>)
        yield f.event === 'chunk' ? { ...f, data: touch(f.data) } : f;
    })();
  });
  return tap;
}
