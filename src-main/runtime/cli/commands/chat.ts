/** `hearthnet chat send|history`: private, end-to-end sealed messages between households. */
import type { Command } from 'commander';
import { neutralise } from '../../../common';
import type { ChatRow, ChatSent, DeliveryState } from '../../api';
import { CHAT_HISTORY_MAX_LIMIT } from '../../services/chat/schemas';
import { localTime } from '../format';
import { nonEmpty, wholeNumber } from '../args';
import { cliContext, out } from '../context';
import { apiFailure, connectLocalNode } from '../local-node';

/** What each delivery state means for a message we sent, in words. */
const DELIVERY_WORDS: Record<DeliveryState, string> = {
  sent: 'on its way (a neighbour is carrying it)',
  waiting: 'waiting for them (kept and retried until they are reachable)',
  delivered: 'delivered',
  read: 'read',
};

/** One message for a terminal: names and text from the other household are neutralised. */
function messageLine(m: ChatRow): string {
  const who = m.direction === 'out' ? `you -> ${neutralise(m.recipient_name)}` : `${neutralise(m.sender_name)} -> you`;
  const state = m.delivery_state ? ` (${DELIVERY_WORDS[m.delivery_state]})` : '';
  return `${localTime(m.created_at)}  ${who}${state}\n    ${neutralise(m.body, { multiline: true }).replace(/\n/g, '\n    ')}`;
}

/** The sentence `chat send` prints: what the service says happened, not a guess. */
export function sentLine(sent: ChatSent): string {
  const name = neutralise(sent.to_name);
  switch (sent.delivery_state) {
    case 'delivered':
    case 'read':
      return `Delivered to ${name}.`;
    case 'sent':
      return `Sent: ${name} is not reachable right now, so a neighbour is carrying it to them.`;
    case 'waiting':
      return `Waiting for ${name}: they are not reachable right now; it is kept and delivered when they are.`;
  }
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
      out(!!opts.json, sent, () => sentLine(sent));
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
