/**
 * `--help` shows examples for every command. They live in one table so they stay consistent; a
 * command added without its own gets one built from its usage line, so help never lacks them
 * (tests/unit/cli/help-examples.test.ts lists the commands that still need curated ones).
 */
import type { Command } from 'commander';

export const HELP_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': [
    'hearthnet init --name "The Millers" --community "Elm Street"',
    'hearthnet run --no-ui',
    'hearthnet status',
    'HEARTHNET_HOME=~/second-node hearthnet status',
  ],
  version: ['hearthnet version', 'hearthnet version --json'],
  init: [
    'hearthnet init --name "The Millers"',
    'hearthnet init --name "The Millers" --community "Elm Street"',
    'hearthnet init --name "Corner shop" --profile anchor --non-interactive',
    'hearthnet init --restore ~/hearthnet-backup.hnbackup',
  ],
  run: ['hearthnet run', 'hearthnet run --no-ui', 'hearthnet run --no-ui --debug'],
  status: ['hearthnet status', 'hearthnet status --json'],
  doctor: ['hearthnet doctor', 'hearthnet doctor --json'],
  caps: ['hearthnet caps', 'hearthnet caps --remote-only', 'hearthnet caps --name llm.chat'],
  call: [
    'hearthnet call llm.chat@1.0 \'{"messages":[{"role":"user","content":"Hello"}]}\'',
    'hearthnet call llm.chat@1.0 \'{"messages":[{"role":"user","content":"Hello"}]}\' --stream',
  ],
  trace: ['hearthnet trace', 'hearthnet trace -n 20 --capability llm.chat'],
  peers: ['hearthnet peers', 'hearthnet peers add 192.168.1.20:7080'],
  'peers add': ['hearthnet peers add 192.168.1.20:7080'],
  invite: ['hearthnet invite create --node-id <their full id>', 'hearthnet invite redeem hearthnet://v1/...'],
  'invite create': [
    'hearthnet invite create --qr join.png',
    'hearthnet invite create --node-id <their full id> --level trusted --ttl 3600',
  ],
  'invite redeem': ['hearthnet invite redeem hearthnet://v1/...', 'hearthnet invite redeem ~/Downloads/invite.txt'],
  join: ["hearthnet join 'hearthnet://join/v1?n=...'", 'hearthnet join ~/Downloads/join-code.txt'],
  open: ['hearthnet open', 'hearthnet open --print'],
  log: ['hearthnet log', 'hearthnet log --follow --level warn', 'hearthnet log --component transport'],
  community: [
    'hearthnet community revoke <node-id> --reason "moved away"',
    'hearthnet community promote <node-id> --level trusted',
  ],
  'community revoke': ['hearthnet community revoke <node-id> --reason "moved away"'],
  'community promote': ['hearthnet community promote <node-id> --level trusted'],
  'community demote': ['hearthnet community demote <node-id> --level member'],
  'community cosign': ['hearthnet community cosign revoke <node-id>'],
  files: [
    'hearthnet files add ~/Documents/street-map.pdf',
    'hearthnet files list',
    'hearthnet files get blake3:<hex> --out street-map.pdf',
  ],
  'files add': ['hearthnet files add ~/Documents/street-map.pdf', 'hearthnet files add ~/Pictures/party'],
  'files get': [
    'hearthnet files get blake3:<hex> --out street-map.pdf',
    'hearthnet files get blake3:<hex> blake3:<hex> --out ~/Pictures',
  ],
  'files list': ['hearthnet files list', 'hearthnet files list --json'],
  market: [
    'hearthnet market post --category offer --title "Ladder to lend"',
    'hearthnet market list',
    'hearthnet market search ladder',
  ],
  'market post': [
    'hearthnet market post --category offer --title "Ladder to lend" --body "Ask at no. 12"',
    'hearthnet market post --category emergency --title "Water main burst on Elm St"',
  ],
  'market list': ['hearthnet market list', 'hearthnet market list --category emergency --json'],
  'market search': ['hearthnet market search ladder'],
  'market expire': ['hearthnet market expire <post-id>'],
  chat: ['hearthnet chat send alice "Are you ok?"', 'hearthnet chat history alice'],
  'chat send': ['hearthnet chat send alice "Are you ok?"', 'hearthnet chat send <node-id> "The water is back on"'],
  'chat history': ['hearthnet chat history', 'hearthnet chat history alice --json'],
  rag: ['hearthnet rag ingest ~/Documents/first-aid.pdf --corpus first-aid', 'hearthnet rag list'],
  'rag list': ['hearthnet rag list'],
  'rag ingest': ['hearthnet rag ingest ~/Documents/first-aid.pdf --corpus first-aid'],
  'rag reindex': ['hearthnet rag reindex --corpus first-aid'],
  ask: ['hearthnet ask "How do I purify water?"', 'hearthnet ask "How do I treat a burn?" --corpus first-aid'],
  models: ['hearthnet models list', 'hearthnet models add ~/Downloads/qwen2.5-0.5b-instruct-q4_k_m.gguf'],
  'models list': ['hearthnet models list'],
  'models add': ['hearthnet models add ~/Downloads/qwen2.5-0.5b-instruct-q4_k_m.gguf'],
  'models pull': ['hearthnet models pull https://example.org/models/small.gguf'],
  'models share': ['hearthnet models share qwen2.5-0.5b-instruct-q4_k_m'],
  'models get': ['hearthnet models get blake3:<hex>'],
  export: [
    'hearthnet export --out ~/hearthnet-backup.hnbackup',
    'hearthnet export --out /media/usb/hearthnet.hnbackup --force',
  ],
  erase: ['hearthnet erase', 'hearthnet erase --keep-keys --yes', 'hearthnet erase --yes'],
};

/** The command's path below the root (`""`, `"files add"`). */
export function commandPath(cmd: Command): string {
  const parts: string[] = [];
  for (let c = cmd; c.parent; c = c.parent) parts.unshift(c.name());
  return parts.join(' ');
}

/** Built from the usage line when a command has no curated example yet. */
export function fallbackExample(cmd: Command): string {
  const usage = cmd
    .usage()
    .replace(/\[options\]\s*/g, '')
    .replace(/\[command\]\s*/g, '')
    .trim();
  return ['hearthnet', commandPath(cmd), usage].filter(Boolean).join(' ');
}

/** Adds an "Examples:" section to the help of `program` and of every command below it. */
export function addHelpExamples(program: Command): void {
  const visit = (cmd: Command) => {
    const examples = HELP_EXAMPLES[commandPath(cmd)] ?? [fallbackExample(cmd)];
    cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
    for (const sub of cmd.commands) visit(sub);
  };
  visit(program);
}
