/**
 * `hearthnet invite create|redeem` and `hearthnet join`: bring a neighbour into the community.
 * Without `--node-id`, `invite create` makes a one-scan join code (short-lived, single use); with
 * it, the signed invite bound to that node id (the older two-step way, still supported).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliContext, out } from '../context';
import { CliExit, EXIT } from '../exit-codes';
import { apiFailure, connectLocalNode } from '../local-node';

/** Invite text from an argument: the text itself, or a file holding it. */
function inviteText(textOrFile: string): string {
  const text = textOrFile.trim().startsWith('hearthnet://')
    ? textOrFile
    : existsSync(textOrFile)
      ? readFileSync(textOrFile, 'utf8')
      : null;
  if (text === null)
    throw new CliExit(EXIT.usage, `"${textOrFile}" is neither a join code or invite (hearthnet://...) nor a file`);
  return text.trim();
}

function localTime(wallClock: string): string {
  return new Date(wallClock).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function registerInvite(program: Command): void {
  const invite = program.command('invite').description('invite a neighbour, or join with an invite');
  invite
    .command('create')
    .description('make a join code for a neighbour to scan (or, with --node-id, an invite bound to their node)')
    .option('--node-id <full id>', "bind the invite to the neighbour's full node id (ed25519:...)")
    .option('--level <level>', 'member | trusted', 'member')
    .option(
      '--ttl <seconds>',
      'how long it stays valid (join code: default 900, at most 86400; bound invite: default 86400)',
    )
    .option('--qr <file.png>', 'also write it as a QR code image')
    .option('--json', 'machine-readable output')
    .action(
      async (opts: { nodeId?: string; level: string; ttl?: string; qr?: string; json?: boolean }, cmd: Command) => {
        if (opts.level !== 'member' && opts.level !== 'trusted')
          throw new CliExit(EXIT.usage, '--level must be member or trusted');
        const ttl = Number(opts.ttl ?? (opts.nodeId ? '86400' : '900'));
        if (!Number.isInteger(ttl) || ttl < 60)
          throw new CliExit(EXIT.usage, '--ttl must be a whole number of seconds, at least 60');
        if (!opts.nodeId && ttl > 86_400)
          throw new CliExit(
            EXIT.usage,
            'a join code lives at most 86400 seconds (a day): it lets whoever holds it join',
          );
        const { api } = connectLocalNode(cliContext(cmd).config);
        if (!opts.nodeId) {
          const code = await api.onboarding.createJoinCode
            .mutate({ level: opts.level, ttlSeconds: ttl })
            .catch(apiFailure);
          if (opts.qr) writeFileSync(opts.qr, Buffer.from(code.qr_png_base64, 'base64'));
          const { qr_png_base64: _png, ...shown } = code;
          out(!!opts.json, shown, () => code.text);
          if (!opts.json) {
            process.stderr.write(
              `Join code for "${code.community_name}": works once, until ${localTime(code.expires_at)}${opts.qr ? `; QR code in ${opts.qr}` : ''}.\n` +
                'Your neighbour scans the QR code in the app, or runs `hearthnet join <code>`. Keep this HearthNet running until they have joined.\n',
            );
          }
          return;
        }
        const created = await api.createInvite
          .mutate({ nodeId: opts.nodeId, level: opts.level, ttlSeconds: ttl })
          .catch(apiFailure);
        if (opts.qr) writeFileSync(opts.qr, Buffer.from(created.qr_png_base64, 'base64'));
        const { qr_png_base64: _png, ...shown } = created;
        out(!!opts.json, shown, () => created.text);
        if (!opts.json)
          process.stderr.write(
            `Invite for ${created.invitee} (${created.level}), valid until ${created.expires_at}${opts.qr ? `; QR code in ${opts.qr}` : ''}.\n`,
          );
      },
    );
  const redeem = async (textOrFile: string, opts: { json?: boolean }, cmd: Command) => {
    const text = inviteText(textOrFile);
    const { api } = connectLocalNode(cliContext(cmd).config);
    const joined = await api.onboarding.join.mutate({ text }).catch(apiFailure);
    out(!!opts.json, joined, () => `Welcome to "${joined.name}"! Your household is now part of the community.`);
  };
  invite
    .command('redeem')
    .description('join a community with a join code or an invite (the text, or a file holding it)')
    .argument('<text-or-file>', 'hearthnet://join/v1?... or hearthnet://v1/..., or a file containing it')
    .option('--json', 'machine-readable output')
    .action(redeem);
  program
    .command('join')
    .description("join a neighbour's community with the join code they show you")
    .argument('<code>', 'hearthnet://join/v1?... (or a bound hearthnet://v1/... invite, or a file holding either)')
    .option('--json', 'machine-readable output')
    .action(redeem);
}
