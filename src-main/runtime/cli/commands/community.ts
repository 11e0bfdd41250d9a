/**
 * `hearthnet community revoke|promote|demote|cosign`: change who belongs, with the co-signatures
 * the community policy asks for. A member asks other trusted members for `cosign` output and
 * passes it with `--signature`; the action is recorded once there are enough.
 */
import type { Command } from 'commander';
import type { GovernanceInput } from '../../api';
import { cliContext, out } from '../context';
import { CliExit, EXIT } from '../exit-codes';
import { apiFailure, connectLocalNode } from '../local-node';

const LEVELS = ['member', 'trusted', 'anchor'] as const;

function signatures(list: string[] | undefined): NonNullable<GovernanceInput['signatures']> {
  return (list ?? []).map((text) => {
    try {
      const s = JSON.parse(text) as { signer?: unknown; signature?: unknown };
      if (typeof s.signer === 'string' && typeof s.signature === 'string')
        return { signer: s.signer, signature: s.signature };
    } catch {
      /* reported below */
    }
    throw new CliExit(
      EXIT.usage,
      `--signature must be the JSON printed by \`hearthnet community cosign\`, got ${text.slice(0, 60)}`,
    );
  });
}

function level(value: string | undefined, action: string): GovernanceInput['level'] {
  if (!value || !(LEVELS as readonly string[]).includes(value))
    throw new CliExit(EXIT.usage, `${action} needs --level ${LEVELS.join('|')}`);
  return value as GovernanceInput['level'];
}

export function registerCommunity(program: Command): void {
  const community = program.command('community').description('manage who belongs to the community');
  const act =
    (action: GovernanceInput['action']) =>
    async (
      nodeId: string,
      opts: { reason?: string; level?: string; signature?: string[]; json?: boolean },
      cmd: Command,
    ) => {
      const q: GovernanceInput = {
        action,
        nodeId,
        reason: opts.reason,
        level: action === 'revoke' ? undefined : level(opts.level, action),
        signatures: signatures(opts.signature),
      };
      const { api } = connectLocalNode(cliContext(cmd).config);
      const result = await api.governance.mutate(q).catch(apiFailure);
      out(!!opts.json, result, () =>
        result.done
          ? `Done: ${action} of ${nodeId} is recorded and reaches every neighbour.`
          : `Not yet: ${result.message}\nAsk other trusted members to run \`hearthnet community cosign ${action} ${nodeId}${q.reason ? ` --reason "${q.reason}"` : ''}${q.level ? ` --level ${q.level}` : ''}\` and pass each output with --signature.`,
      );
      if (!result.done) process.exitCode = EXIT.auth;
    };
  for (const action of ['revoke', 'promote', 'demote'] as const) {
    const c = community
      .command(action)
      .description(action === 'revoke' ? 'remove a member for good' : `${action} a member to another trust level`)
      .argument('<node-id>', "the member's full node id")
      .option('--signature <json...>', 'co-signatures from other trusted members')
      .option('--json', 'machine-readable output');
    if (action === 'revoke') c.option('--reason <text>', 'why (recorded in the community log)');
    else c.option('--level <level>', LEVELS.join(' | '));
    c.action(act(action));
  }
  community
    .command('cosign')
    .description('co-sign a revoke/promote/demote that another member will record')
    .argument('<action>', 'revoke | promote | demote')
    .argument('<node-id>', "the member's full node id")
    .option('--reason <text>', 'for revoke: the same reason the recorder uses')
    .option('--level <level>', 'for promote/demote')
    .action(async (action: string, nodeId: string, opts: { reason?: string; level?: string }, cmd: Command) => {
      if (action !== 'revoke' && action !== 'promote' && action !== 'demote')
        throw new CliExit(EXIT.usage, 'action must be revoke, promote or demote');
      const { api } = connectLocalNode(cliContext(cmd).config);
      const sig = await api.cosign
        .mutate({
          action,
          nodeId,
          reason: opts.reason,
          level: action === 'revoke' ? undefined : level(opts.level, action),
        })
        .catch(apiFailure);
      process.stdout.write(JSON.stringify(sig) + '\n');
    });
}
