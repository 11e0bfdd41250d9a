/**
 * `hearthnet init --name <display name> --profile <profile> [--community <name>] [--non-interactive]`:
 * creates this household's identity and config; with --community, a new community led by this node.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { isOneOf, PROFILES } from '../../../common';
import { saveConfig, type Config } from '../../config';
import { loadOrGenerateKeyPair } from '../../identity';
import { createCommunity } from '../../onboarding';
import { openCommunity } from '../../node/community-context';
import { readCommunityManifest, writeCommunityManifest } from '../../config/community-file';
import { nodeFiles } from '../../config/node-paths';
import { readBackupFile, restoreBackup } from '../../backup';
import { plainName } from '../args';
import { cliContext, out } from '../context';
import { CliExit, EXIT } from '../exit-codes';

interface InitOptions {
  name?: string;
  profile?: string;
  community?: string;
  nonInteractive?: boolean;
  restore?: string;
  json?: boolean;
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

async function resolveName(opts: InitOptions, config: Config): Promise<string> {
  const name = (opts.name ?? config.node.display_name).trim();
  if (name) return name;
  if (opts.nonInteractive || !process.stdin.isTTY)
    throw new CliExit(EXIT.usage, 'a household name is needed: pass --name "Our house"');
  const answer = await ask('What should your neighbours see as your household name? ');
  if (!answer) throw new CliExit(EXIT.usage, 'a household name is needed');
  return answer;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description("create this household's identity and settings (and optionally a new community)")
    .option('--name <display name>', 'household name your neighbours see')
    .option('--profile <profile>', `what this machine offers: ${PROFILES.join(' | ')}`)
    .option('--community <name>', 'create a new community with this node as its root')
    .option('--non-interactive', 'never prompt; fail if something is missing')
    .option('--restore <file>', 'bring back a backup made with `hearthnet export` (into a home with no identity yet)')
    .option('--json', 'machine-readable output')
    .action(async (opts: InitOptions, cmd: Command) => {
      if (opts.restore !== undefined) {
        restoreFromBackup(opts.restore, opts, cmd);
        return;
      }
      const { config, configFile, env } = cliContext(cmd, process.env, { mayCreate: true });
      const profile = opts.profile ?? config.node.profile;
      if (!isOneOf(PROFILES, profile))
        throw new CliExit(EXIT.usage, `unknown profile "${profile}": choose one of ${PROFILES.join(', ')}`);
      const displayName = plainName(await resolveName(opts, config), 'the household name');
      const kp = loadOrGenerateKeyPair(config.identity.keys_dir);
      const files = nodeFiles(config);

      let communityId = config.community.community_id;
      let communityName = readCommunityManifest(files.communityManifest)?.name ?? null;
      if (opts.community !== undefined) {
        const name = plainName(opts.community.trim(), '--community');
        if (!name) throw new CliExit(EXIT.usage, '--community needs a name, e.g. --community "Elm Street"');
        if (communityId && communityId !== kp.nodeIdFull) {
          throw new CliExit(
            EXIT.error,
            `this node already belongs to the community "${communityName ?? communityId}"; a household is in one community at a time`,
          );
        }
        const community = openCommunity({ dbPath: files.eventLog, communityId: kp.nodeIdFull });
        try {
          if (!community.state.created)
            writeCommunityManifest(files.communityManifest, createCommunity({ name, kp, community }));
          else if (community.state.name() !== name)
            throw new CliExit(EXIT.error, `this node already leads the community "${community.state.name()}"`);
          communityName = community.state.name();
        } finally {
          community.close();
        }
        communityId = kp.nodeIdFull;
      }

      const updated: Config = {
        ...config,
        node: { ...config.node, display_name: displayName, profile: profile },
        community: { ...config.community, community_id: communityId },
      };
      saveConfig(updated, configFile, { env });
      const summary = {
        node_id: kp.nodeIdFull,
        node_id_short: kp.nodeIdShort,
        display_name: displayName,
        profile,
        community: communityId ? { id: communityId, name: communityName } : null,
        config_file: configFile,
        keys_dir: config.identity.keys_dir,
        state_dir: config.community.state_dir,
      };
      out(!!opts.json, summary, () =>
        [
          `Household "${displayName}" is set up (${profile}).`,
          `  id:        ${kp.nodeIdShort}`,
          `  full id:   ${kp.nodeIdFull}   (give this to a neighbour who invites you)`,
          communityId
            ? `  community: ${communityName}`
            : '  community: none yet (ask a neighbour for an invite, or run init --community "<name>")',
          `  config:    ${configFile}`,
          '',
          'Start your node with: hearthnet run (it prints the address of the household app; --no-ui runs without it)',
        ].join('\n'),
      );
    });
}

/** `init --restore FILE`: the same household, identity and community, on this computer. */
function restoreFromBackup(file: string, opts: InitOptions, cmd: Command): void {
  if (opts.name !== undefined || opts.community !== undefined || opts.profile !== undefined) {
    throw new CliExit(
      EXIT.usage,
      '--restore brings back the name, profile and community of the backup; leave out --name, --profile and --community',
    );
  }
  const { configFile, env } = cliContext(cmd, process.env, { mayCreate: true });
  let summary;
  try {
    summary = restoreBackup(readBackupFile(file), configFile, env);
  } catch (err) {
    throw new CliExit(EXIT.error, (err as Error).message);
  }
  out(!!opts.json, summary, () =>
    [
      `Restored household "${summary.display_name}".`,
      `  id:        ${summary.node_id}`,
      summary.community
        ? `  community: ${summary.community.id.slice(0, 16)}… (${summary.community.events} events)`
        : '  community: none',
      `  pinned:    ${summary.pinned_files} file(s) (fetched again from neighbours)`,
      `  config:    ${summary.config_file}`,
      '',
      'Start your node with: hearthnet run (it prints the address of the household app; --no-ui runs without it)',
      "Run only one copy of a household at a time: stop the old computer's node first.",
    ].join('\n'),
  );
}
