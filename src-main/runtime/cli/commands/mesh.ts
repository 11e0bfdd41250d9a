/** Mesh commands (§17 of ../shared/spec/hearthnet-reference.md): caps, call, trace, peers — all through the running node's API. */
import type { Command } from 'commander';
import type { CapabilityRow, PeerSummary, TraceRow } from '../../api';
import { cliContext, out } from '../context';
import { fieldText, localTime, table } from '../format';
import { CliExit, EXIT } from '../exit-codes';
import { apiFailure, connectLocalNode, streamCall } from '../local-node';

function capsTable(rows: readonly CapabilityRow[]): string {
  if (rows.length === 0) return 'No capabilities found.';
  return table(
    ['CAPABILITY', 'OFFERED BY', 'BUSY', 'PARAMS'],
    rows.map((r) => {
      const params = Object.entries(r.params)
        .map(([k, v]) => `${k}=${fieldText(v)}`)
        .join(' ');
      return [
        `${r.name}@${r.version}`,
        r.is_local ? 'this node' : r.node_name,
        `${r.in_flight}/${r.max_concurrent}${r.quarantined ? ' QUARANTINED' : ''}`,
        params,
      ];
    }),
  );
}

function peersTable(rows: readonly PeerSummary[]): string {
  if (rows.length === 0) return 'No neighbours found yet.';
  return table(
    ['NEIGHBOUR', 'ID', 'ADDRESS', 'FOUND VIA', 'LAST SEEN'],
    rows.map((p) => [p.display_name, p.node_id_short, p.endpoints[0] ?? '-', p.source, `${p.last_seen_s_ago}s ago`]),
  );
}

function tracesTable(rows: readonly TraceRow[], nameOf: (id: string) => string): string {
  if (rows.length === 0) return 'No calls yet.';
  return table(
    ['TIME', 'CAPABILITY', 'FROM', 'TO', 'RESULT', 'MS'],
    rows.map((t) => [
      localTime(t.ts),
      `${t.capability}@${t.version}`,
      nameOf(t.from_node),
      t.is_local ? 'this node' : nameOf(t.to_node),
      t.result,
      String(Math.round(t.ms)),
    ]),
  );
}

function parseJsonArg(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliExit(EXIT.usage, `${what} is not valid JSON: ${(err as Error).message}`);
  }
}

export function registerMesh(program: Command): void {
  program
    .command('caps')
    .description('list capabilities on the mesh')
    .option('--remote-only', "only neighbours' capabilities")
    .option('--local-only', "only this node's capabilities")
    .option('--name <name>', 'only this capability (e.g. llm.chat or llm.chat@1.0)')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: { remoteOnly?: boolean; localOnly?: boolean; name?: string; json?: boolean }, cmd: Command) => {
        const { api } = connectLocalNode(cliContext(cmd).config);
        const rows = await api.capabilities
          .query({ remoteOnly: !!opts.remoteOnly, localOnly: !!opts.localOnly, name: opts.name })
          .catch(apiFailure);
        out(!!opts.json, rows, () => capsTable(rows));
      },
    );

  program
    .command('call')
    .description('call a capability on the mesh, e.g. call llm.chat@1.0 \'{"messages":[...]}\'')
    .argument('<name@version>', 'capability, e.g. market.list@1.0')
    .argument('[body]', 'JSON request body', '{}')
    .option('--stream', 'stream frames as they arrive')
    .option('--params <json>', 'pick an instance by params, e.g. {"model":"stories260K"}')
    .option('--timeout <seconds>', 'give up after this long')
    .action(
      async (
        nameAtVersion: string,
        bodyText: string,
        opts: { stream?: boolean; params?: string; timeout?: string },
        cmd: Command,
      ) => {
        const m = /^([a-z0-9_-]+(?:\.[a-z0-9_-]+)+)@(\d+\.\d+)$/.exec(nameAtVersion);
        if (!m)
          throw new CliExit(EXIT.usage, `"${nameAtVersion}" is not a capability name@version such as llm.chat@1.0`);
        const body = parseJsonArg(bodyText, 'the body');
        const params = opts.params ? (parseJsonArg(opts.params, '--params') as Record<string, unknown>) : null;
        const timeout_ms = opts.timeout ? Math.round(Number(opts.timeout) * 1000) : undefined;
        if (timeout_ms !== undefined && !(timeout_ms > 0))
          throw new CliExit(EXIT.usage, '--timeout must be a positive number of seconds');
        const { info, api } = connectLocalNode(cliContext(cmd).config);
        const q = { capability: m[1], version: m[2], body, params, timeout_ms };
        if (!opts.stream) {
          const result = await api.callCapability.mutate(q).catch(apiFailure);
          process.stdout.write(JSON.stringify(result, null, 2) + '\n');
          return;
        }
        for await (const frame of streamCall(info, q)) {
          if (frame.event === 'token' && typeof (frame.data as { text?: unknown }).text === 'string')
            process.stdout.write((frame.data as { text: string }).text);
          else process.stdout.write(`\n[${frame.event}] ${JSON.stringify(frame.data)}\n`);
        }
      },
    );

  program
    .command('trace')
    .description('recent calls through the bus')
    .option('-n <count>', 'how many', '20')
    .option('--capability <name>', 'only this capability')
    .option('--json', 'machine-readable output')
    .action(async (opts: { n: string; capability?: string; json?: boolean }, cmd: Command) => {
      const n = Number(opts.n);
      if (!Number.isInteger(n) || n < 1) throw new CliExit(EXIT.usage, '-n must be a positive whole number');
      const { api } = connectLocalNode(cliContext(cmd).config);
      const rows = await api.traces.query({ n, capability: opts.capability }).catch(apiFailure);
      const status = await api.status.query().catch(apiFailure);
      const names = new Map<string, string>([
        [status.node_id, status.display_name],
        ...status.peers.map((p) => [p.node_id, p.display_name] as [string, string]),
      ]);
      out(!!opts.json, rows, () => tracesTable(rows, (id) => names.get(id) ?? `${id.slice(0, 16)}…`));
    });

  const peers = program
    .command('peers')
    .description('neighbours this node sees')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const rows = await api.peers.query().catch(apiFailure);
      out(!!opts.json, rows, () => peersTable(rows));
    });
  peers
    .command('add')
    .description('add a neighbour by address (when the network hides them from discovery)')
    .argument('<host:port>', "the neighbour's address, e.g. 192.168.1.20:7080")
    .option('--json', 'machine-readable output')
    .action(async (address: string, opts: { json?: boolean }, cmd: Command) => {
      const m = /^(.+):(\d{1,5})$/.exec(address.trim());
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
        throw new CliExit(EXIT.usage, `"${address}" is not host:port, e.g. 192.168.1.20:7080`);
      const { api } = connectLocalNode(cliContext(cmd).config);
      const peer = await api.addPeer
        .mutate({ host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) })
        .catch(apiFailure);
      out(
        !!opts.json,
        peer,
        () => `Added ${peer.display_name} (${peer.node_id_short}) at ${peer.endpoints[0] ?? address}.`,
      );
    });
}
