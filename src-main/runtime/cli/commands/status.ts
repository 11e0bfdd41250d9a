/** `hearthnet status [--json]`: what the running node is, who it sees, and how its log stands. Exit 3 when none runs. */
import type { Command } from 'commander';
import type { StatusReport } from '../../api';
import { cliContext, out } from '../context';
import { apiFailure, connectLocalNode } from '../local-node';

const REFUSAL_TEXT = {
  revoked: 'refuses this node: the community removed it',
  not_member: 'does not count this node as a member',
} as const;

function human(s: StatusReport): string {
  const removedBy = s.peers.filter((p) => p.refuses_us === 'revoked').length;
  const lines = [
    `${s.display_name} (${s.profile}) — ${s.node_id_short}`,
    `  mode:       ${s.mode}`,
    `  community:  ${s.community ? s.community.name || s.community.id : 'none (redeem an invite to join one)'}`,
    `  event log:  ${s.event_log.count} events, head ${s.event_log.head}`,
    `  caps:       ${s.capabilities.local} local, ${s.capabilities.remote} from neighbours`,
    `  ports:      peers ${s.ports.transport}, local api ${s.ports.api}`,
    `  neighbours: ${s.peers.length}`,
    ...s.peers.map(
      (p) =>
        `    - ${p.display_name} (${p.profile}) ${p.node_id_short} ${p.endpoints[0] ?? ''} seen ${p.last_seen_s_ago}s ago${p.refuses_us ? ` — ${REFUSAL_TEXT[p.refuses_us]}` : ''}`,
    ),
  ];
  if (removedBy > 0) {
    lines.push(
      '',
      `This household was removed from ${s.community?.name || 'its community'} (${removedBy} neighbour${removedBy === 1 ? '' : 's'} say so): they no longer answer its calls or share their log with it. If that is a mistake, a trusted member can invite it again.`,
    );
  }
  return lines.join('\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the running node: identity, community, neighbours, event log')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { config } = cliContext(cmd);
      const { api } = connectLocalNode(config);
      const report = await api.status.query().catch(apiFailure);
      out(!!opts.json, report, () => human(report));
    });
}
