/**
 * Bus calls between two whole running nodes (every layer a user's call goes through: the caller's
 * CapabilityBus — routing, schema checks, health, traces, metrics — then the signed, pinned HTTPS
 * request, then the callee's trust check, rate limiter, bus and handler) against the same plain
 * unsigned Hono endpoint as bench/rpc. bench/rpc measures the wire layer alone (the issue's target);
 * this one shows what the layers above it add. The nodes' rate limits are lifted: a real node
 * answers a single neighbour's 101st call per second to one capability with 429 (§0.2).
 * Target (issue 16): ratio >= RPC_NODE_TARGET_RATIO, printed with the figures.
 * Last line: `rpc-node: <req/s> req/s (baseline <req/s> req/s, ratio <r>)`.
 */
import { defineCapability } from '../src-main/runtime/bus';
import { createMesh, waitFor } from '../tests/support/mesh';
import { baseline, describeRun, line, measure } from './lib/rpc-rounds';
import { fmt } from './lib/transport-fixture';

/** A whole-node call should cost at most twice a plain Hono request (issue 16). */
export const RPC_NODE_TARGET_RATIO = 0.5;

const UNLIMITED = { softPerCap: 1e9, hardPerCap: 1e9, softTotal: 1e9, hardTotal: 1e9 };

export async function main(): Promise<void> {
  const mesh = await createMesh(2, { node: { rateLimits: UNLIMITED } });
  await waitFor(() => mesh.nodes.every((m) => m.node.api.status().peers.length === 1), 20_000, 'the two nodes to meet');
  const alice = mesh.byName('alice').node;
  const bob = mesh.byName('bob').node;
  const echo = defineCapability({
    name: 'bench.echo',
    version: [1, 0],
    request_schema: { type: 'object' },
    response_schema: null,
    idempotent: true,
    max_concurrent: 64,
  });
  alice.bus.registerCapability(echo, (ctx) => Promise.resolve({ echo: ctx.body }));
  await waitFor(
    () => bob.api.capabilities({ name: 'bench.echo', remoteOnly: true }).length > 0,
    20_000,
    'bob to learn bench.echo',
  );
  const call = (i: number) => bob.bus.call('bench.echo', [1, 0], { n: i });
  const base = await baseline();
  const [s, b] = await measure([call, base.post]);
  await base.close();
  await mesh.close();
  console.log(describeRun());
  console.log(line('bus call between two running nodes', s));
  console.log(line('plain HTTP Hono (unsigned)', b));
  const ratio = s.rps / b.rps;
  console.log(
    `target: ratio >= ${RPC_NODE_TARGET_RATIO} (${ratio >= RPC_NODE_TARGET_RATIO ? 'met' : 'NOT met'} in this run)`,
  );
  console.log(`rpc-node: ${fmt(s.rps)} req/s (baseline ${fmt(b.rps)} req/s, ratio ${fmt(ratio, 2)})`);
}
