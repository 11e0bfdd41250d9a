/** `hearthnet market post|list|search|expire`: the neighbourhood noticeboard. */
import type { Command } from 'commander';
import { neutralise } from '../../../common';
import { MARKET_CATEGORIES, type MarketPost } from '../../api';
import { LIST_MAX_LIMIT, POST_LIMITS } from '../../services/marketplace';
import { list, nonEmpty, oneOf, wholeNumber } from '../args';
import { cliContext, out } from '../context';
import { localTime } from '../format';
import { apiFailure, connectLocalNode } from '../local-node';

/** One post for a terminal: every field from its author is neutralised (one-line fields keep no newline). */
function postLine(p: MarketPost): string {
  const tags = p.tags.length ? `  #${p.tags.map((t) => neutralise(t)).join(' #')}` : '';
  const state = p.expired_via_event_id ? '  (taken down)' : `  until ${localTime(p.expires_at)}`;
  const body = p.body ? `\n    ${neutralise(p.body, { multiline: true }).replace(/\n/g, '\n    ')}` : '';
  return `[${neutralise(p.category)}] ${neutralise(p.title)} — ${neutralise(p.author_name)}${state}${tags}${body}\n    id ${neutralise(p.event_id)}`;
}

export function registerMarket(program: Command): void {
  const market = program.command('market').description('offers, requests and notices from your neighbours');

  market
    .command('post')
    .description('put a notice on the board')
    .requiredOption('--category <category>', MARKET_CATEGORIES.join(' | '))
    .requiredOption('--title <text>', 'a short title')
    .option('--body <text>', 'details', '')
    .option('--tags <a,b>', 'comma-separated tags', list)
    .option('--ttl <seconds>', 'how long it stays up (default from the node settings)')
    .option('--json', 'machine-readable output')
    .action(
      async (
        opts: { category: string; title: string; body: string; tags?: string[]; ttl?: string; json?: boolean },
        cmd: Command,
      ) => {
        const input = {
          category: oneOf(opts.category, MARKET_CATEGORIES, '--category'),
          title: nonEmpty(opts.title, '--title'),
          body: opts.body,
          tags: opts.tags,
          ttl_seconds: wholeNumber(opts.ttl, '--ttl', POST_LIMITS.ttlMinSeconds),
        };
        const { api } = connectLocalNode(cliContext(cmd).config);
        const post = await api.marketPost.mutate(input).catch(apiFailure);
        out(
          !!opts.json,
          post,
          () => `Posted "${post.title}" until ${localTime(post.expires_at)}.\n    id ${post.event_id}`,
        );
      },
    );

  market
    .command('list')
    .description('notices on the board, emergencies first, then newest')
    .option('--category <category>', MARKET_CATEGORIES.join(' | '))
    .option('--tag <tag>', 'only notices with this tag (repeat or comma-separate for several)', list)
    .option('--limit <n>', 'at most this many')
    .option('--all', 'include notices that were taken down or ran out')
    .option('--json', 'machine-readable output')
    .action(
      async (
        opts: { category?: string; tag?: string[]; limit?: string; all?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const input = {
          category: oneOf(opts.category, MARKET_CATEGORIES, '--category'),
          tags: opts.tag,
          limit: wholeNumber(opts.limit, '--limit', 1, LIST_MAX_LIMIT),
          include_expired: opts.all ? true : undefined,
        };
        const { api } = connectLocalNode(cliContext(cmd).config);
        const r = await api.marketList.query(input).catch(apiFailure);
        out(!!opts.json, r, () => (r.posts.length ? r.posts.map(postLine).join('\n') : 'The board is empty.'));
      },
    );

  market
    .command('search')
    .description('search the board')
    .argument('<text>', 'words to look for')
    .option('--category <category>', MARKET_CATEGORIES.join(' | '))
    .option('--limit <n>', 'at most this many')
    .option('--json', 'machine-readable output')
    .action(async (text: string, opts: { category?: string; limit?: string; json?: boolean }, cmd: Command) => {
      const input = {
        query: nonEmpty(text, 'the search text'),
        category: oneOf(opts.category, MARKET_CATEGORIES, '--category'),
        limit: wholeNumber(opts.limit, '--limit', 1, LIST_MAX_LIMIT),
      };
      const { api } = connectLocalNode(cliContext(cmd).config);
      const hits = await api.marketSearch.query(input).catch(apiFailure);
      out(!!opts.json, hits, () =>
        hits.length ? hits.map((h) => postLine(h.post)).join('\n') : `Nothing on the board matches "${text}".`,
      );
    });

  market
    .command('expire')
    .description('take down one of your notices')
    .argument('<post-id>', 'the id shown by `market list`')
    .option('--json', 'machine-readable output')
    .action(async (postId: string, opts: { json?: boolean }, cmd: Command) => {
      const { api } = connectLocalNode(cliContext(cmd).config);
      const r = await api.marketExpire.mutate({ post_id: nonEmpty(postId, 'the post id') }).catch(apiFailure);
      out(!!opts.json, r, () => (r.already_expired ? 'That notice was already taken down.' : 'Taken down.'));
    });
}
