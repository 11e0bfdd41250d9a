/** `hearthnet invite create|redeem`: bring a neighbour into the community with a signed invite. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliContext, out } from '../context';
import { CliExit, EXIT } from '../exit-codes';
import { apiFailure, connectLocalNode } from '../local-node';

export function registerInvite(program: Command): void {
  const invite = program.command('invite').description('invite a neighbour, or join with an invite');
  invite
    .command('create')
    .description("create an invite for a neighbour's node (they give you their full id)")
    .requiredOption('--node-id <full id>', "the neighbour's full node id (ed25519:...)")
    .option('--level <level>', 'member | trusted', 'member')
    .option('--ttl <seconds>', 'how long the invite stays valid', '86400')
    .option('--qr <file.png>', 'also write the invite as a QR code image')
    .option('--json', 'machine-readable output')
    .action(async (opts: { nodeId: string; level: string; ttl: string; qr?: string; json?: boolean }, cmd: Command) => {
      if (opts.level !== 'member' && opts.level !== 'trusted') throw new CliExit(EXIT.usage, '--level must be member or trusted');
      const ttl = Number(opts.ttl);
      if (!Number.isInteger(ttl) || ttl < 60) throw new CliExit(EXIT.usage, '--ttl must be a whole number of seconds, at least 60');
      const { api } = connectLocalNode(cliContext(cmd).config);
      const created = await api.createInvite.mutate({ nodeId: opts.nodeId, level: opts.level, ttlSeconds: ttl }).catch(apiFailure);
      if (opts.qr) writeFileSync(opts.qr, Buffer.from(created.qr_png_base64, 'base64'));
      const { qr_png_base64: _png, ...shown } = created;
      out(!!opts.json, shown, () => created.text);
      if (!opts.json) process.stderr.write(`Invite for ${created.invitee} (${created.level}), valid until ${created.expires_at}${opts.qr ? `; QR code in ${opts.qr}` : ''}.\n`);
    });
  invite
    .command('redeem')
    .description('join a community with an invite (the text, or a file holding it)')
    .argument('<text-or-file>', 'hearthnet://v1/... or a file containing it')
    .option('--json', 'machine-readable output')
    .action(async (textOrFile: string, opts: { json?: boolean }, cmd: Command) => {
      const text = textOrFile.trim().startsWith('hearthnet://') ? textOrFile : existsSync(textOrFile) ? readFileSync(textOrFile, 'utf8') : null;
      if (text === null) throw new CliExit(EXIT.usage, `"${textOrFile}" is neither an invite (hearthnet://v1/...) nor a file`);
      const { api } = connectLocalNode(cliContext(cmd).config);
      const joined = await api.redeemInvite.mutate({ text: text.trim() }).catch(apiFailure);
      out(!!opts.json, joined, () => `Welcome to "${joined.name}"! Your node is now part of the community.`);
    });
}
