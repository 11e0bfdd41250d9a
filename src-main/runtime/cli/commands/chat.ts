/** `hearthnet chat send|history`: private, end-to-end sealed messages between households. */
import type { Command } from 'commander';
import { neutralise } from '../../../common';
import type { ChatRow } from '../../api';
import { CHAT_HISTORY_MAX_LIMIT } from '../../services/chat/schemas';
import { nonEmpty, wholeNumber } from '../args';
import { cliContext, out } from '../context';
import { apiFailure, connectLocalNode } from '../local-node';

/** One message for a terminal: names and text from the other household are neutralised. */
function messageLine(m: ChatRow): string {
  const who = m.direction === 'out' ? `you -> ${neutralise(m.recipient_name)}` : `${neutralise(m.sender_name)} -> you`;
  const state = m.direction === 'out' ? (m.read_at ? ' (read)' : m.delivered_at ? ' (delivered)' : ' (not yet delivered)') : '';
  return `${neutralise(m.created_at)}  ${who}${state}\n    ${neutralise(m.body, { multiline: true }).replace(/\n/g, '\n    ')}`;
}

export function registerChat(program: Command): void {
  const chat = program.command('chat').description('private messages to other households');

  chat
    .command('send')
    .description('send a private message')
    .argument('<node>', 'who: a household name, a short id (XXXX-XXXX-XXXX-XXXX) or a full id')
    .argument('<text...>', 'the message')
    .option('--json', 'machine-readable output')
    .action(async (to: string, words: string[], opts: { json?: boolean }, cmd: Command) => {
      const text = nonEmpty(words.join(' '), 'the message');
      const { api } = connectLocalNode(cliContext(cmd).config);
      const sent = await api.chatSend.mutate({ to: nonEmpty(to, 'the recipient'), text }).catch(apiFailure);
      out(!!opts.json, sent, () => (sent.delivery === 'delivered' ? `Delivered to ${sent.to_name}.` : `Sent to ${sent.to_name}; it will arrive when they are reachable (${sent.delivery}).`));
    });

  chat
    .command('history')
    .description('your conversations (with one household, or all)')
    .argument('[node]', 'a household name, short id or full id')
    .option('--limit <n>', 'at most this many messages')
    .option('--json', 'machine-readable output')
    .action(async (withWho: string | undefined, opts: { limit?: string; json?: boolean }, cmd: Command) => {
      const limit = wholeNumber(opts.limit, '--limit', 1, CHAT_HISTORY_MAX_LIMIT);
      const { api } = connectLocalNode(cliContext(cmd).config);
      const rows = await api.chatHistory.query({ with: withWho, limit }).catch(apiFailure);
      out(!!opts.json, rows, () => (rows.length ? rows.map(messageLine).join('\n') : 'No messages yet.'));
    });
}
