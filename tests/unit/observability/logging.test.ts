import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileSink,
  LogHub,
  MemorySink,
  RateLimitedLogger,
  configureHub,
  configureLogging,
  getLogger,
  isSecretKey,
  logHub,
  readLogs,
  shutdownLogging,
  type LogRecord,
} from '../../../src-main/runtime/observability';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hn-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.parse('2026-05-26T23:59:58Z');
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogRecord);

describe('logger', () => {
  it('writes {ts, level, logger, msg, ...extras} with bound fields, respecting the level', () => {
    const hub = new LogHub({ level: 'info', clock: () => T0 });
    const mem = new MemorySink();
    hub.setSinks([mem]);
    const log = hub.logger('bus', { node: 'alice' }).child('router');
    log.debug('hidden');
    log.info('routed', { capability: 'llm.chat', ts: 'spoof' });
    expect(mem.records).toHaveLength(1);
    const r = mem.records[0];
    expect(Object.keys(r).slice(0, 4)).toEqual(['ts', 'level', 'logger', 'msg']);
    expect(r).toMatchObject({
      ts: '2026-05-26T23:59:58.000Z',
      level: 'info',
      logger: 'bus.router',
      msg: 'routed',
      node: 'alice',
      capability: 'llm.chat',
      extra_ts: 'spoof',
    });
  });

  it('redacts secrets but keeps token counts', () => {
    const hub = new LogHub();
    const mem = new MemorySink();
    hub.setSinks([mem]);
    hub.logger('x').info('call', {
      api_key: 'sk-1',
      headers: { Authorization: 'Bearer z' },
      access_token: 't',
      clientSecret: 's',
      tokens_out: 42,
      max_tokens: 9,
    });
    const r = mem.records[0] as Record<string, unknown>;
    expect(r.api_key).toBe('[redacted]');
    expect((r.headers as Record<string, unknown>).Authorization).toBe('[redacted]');
    expect(r.access_token).toBe('[redacted]');
    expect(r.clientSecret).toBe('[redacted]');
    expect(r.tokens_out).toBe(42);
    expect(r.max_tokens).toBe(9);
    expect(isSecretKey('apiKey')).toBe(true);
    expect(isSecretKey('token_count_total')).toBe(true);
    expect(isSecretKey('tokens_in')).toBe(false);
  });

  it('never throws: failing sinks, circular extras, bigint, errors', () => {
    const reported: unknown[] = [];
    const hub = new LogHub({ onSinkError: (e) => reported.push(e) });
    const mem = new MemorySink();
    hub.setSinks([
      {
        write: () => {
          throw new Error('disk full');
        },
      },
      mem,
    ]);
    const circ: Record<string, unknown> = { a: 1 };
    circ.self = circ;
    const log = hub.logger('x');
    expect(() =>
      log.error('boom', { circ, big: 10n, err: Object.assign(new Error('bad'), { code: 'E1' }) }),
    ).not.toThrow();
    expect(() => log.error('again')).not.toThrow();
    expect(reported).toHaveLength(1); // reported once per failure streak
    expect(mem.records[0]).toMatchObject({
      circ: { a: 1, self: '[circular]' },
      big: '10',
      err: { name: 'Error', message: 'bad', code: 'E1' },
    });
  });
});

describe('file sink', () => {
  it('rotates by UTC date with an injected clock', () => {
    let now = T0;
    const hub = new LogHub({ clock: () => now });
    configureHub(hub, { log_level: 'debug', log_dir: dir });
    const log = hub.logger('n');
    log.info('before midnight');
    now += 5_000;
    log.info('after midnight');
    hub.close();
    expect(readdirSync(dir).sort()).toEqual(['hearthnet-2026-05-26.jsonl', 'hearthnet-2026-05-27.jsonl']);
    expect(lines(join(dir, 'hearthnet-2026-05-26.jsonl')).map((r) => r.msg)).toEqual(['before midnight']);
    expect(lines(join(dir, 'hearthnet-2026-05-27.jsonl')).map((r) => r.msg)).toEqual(['after midnight']);
  });

  it('retention deletes files older than 14 days at startup and at rotation', () => {
    const old15 = 'hearthnet-2026-05-11.jsonl';
    const kept14 = 'hearthnet-2026-05-12.jsonl';
    writeFileSync(join(dir, old15), '{}\n');
    writeFileSync(join(dir, kept14), '{}\n');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const sink = new FileSink({ dir, clock: () => T0 });
    expect(existsSync(join(dir, old15))).toBe(false);
    expect(existsSync(join(dir, kept14))).toBe(true);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    let now = T0;
    const rotating = new FileSink({ dir, clock: () => now });
    rotating.write({} as LogRecord, '{"a":1}');
    now += DAY; // 2026-05-27: 05-12 is now 15 days old
    rotating.write({} as LogRecord, '{"a":2}');
    rotating.close();
    sink.close();
    expect(existsSync(join(dir, kept14))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['hearthnet-2026-05-26.jsonl', 'hearthnet-2026-05-27.jsonl', 'notes.txt']);
  });

  it('configureLogging is idempotent and getLogger writes to log_dir', () => {
    const clock = () => T0;
    configureLogging({ log_level: 'info', log_dir: dir }, { clock });
    const hub = logHub();
    configureLogging({ log_level: 'info', log_dir: dir });
    expect(logHub()).toBe(hub);
    getLogger('cli').info('hello');
    getLogger('cli').info('hello again');
    shutdownLogging();
    expect(lines(join(dir, 'hearthnet-2026-05-26.jsonl')).map((r) => r.msg)).toEqual(['hello', 'hello again']);
  });
});

describe('RateLimitedLogger', () => {
  it('drops repeats of a key within the window and reports the count', () => {
    let now = 1_000_000;
    const hub = new LogHub({ clock: () => now });
    const mem = new MemorySink();
    hub.setSinks([mem]);
    const rl = new RateLimitedLogger(hub.logger('disc'), 1, () => now);
    rl.warn('peer bad', 'peer:bob');
    rl.warn('peer bad', 'peer:bob');
    rl.warn('peer bad', 'peer:bob');
    rl.info('other', 'peer:carol');
    now += 999;
    rl.warn('peer bad', 'peer:bob');
    now += 1;
    rl.warn('peer bad', 'peer:bob');
    expect(mem.records.map((r) => [r.msg, r.suppressed])).toEqual([
      ['peer bad', undefined],
      ['other', undefined],
      ['peer bad', 3],
    ]);
  });
});

describe('readLogs', () => {
  it('filters by level, since and component across files', async () => {
    const rec = (ts: string, level: string, logger: string, msg: string) =>
      JSON.stringify({ ts, level, logger, msg }) + '\n';
    writeFileSync(join(dir, 'hearthnet-2026-05-25.jsonl'), rec('2026-05-25T10:00:00.000Z', 'error', 'bus', 'old'));
    writeFileSync(
      join(dir, 'hearthnet-2026-05-26.jsonl'),
      rec('2026-05-26T10:00:00.000Z', 'info', 'bus', 'a') +
        'garbage\n' +
        rec('2026-05-26T11:00:00.000Z', 'error', 'bus.router', 'b') +
        rec('2026-05-26T12:00:00.000Z', 'warn', 'events', 'c'),
    );
    const all: string[] = [];
    for await (const r of readLogs({ dir })) all.push(r.msg);
    expect(all).toEqual(['old', 'a', 'b', 'c']);
    const some: string[] = [];
    for await (const r of readLogs({ dir, level: 'warn', since: new Date('2026-05-26T00:00:00Z'), component: 'bus' }))
      some.push(r.msg);
    expect(some).toEqual(['b']);
  });

  it('follows new lines until aborted', async () => {
    const file = join(dir, 'hearthnet-2026-05-26.jsonl');
    writeFileSync(
      file,
      JSON.stringify({ ts: '2026-05-26T10:00:00.000Z', level: 'info', logger: 'x', msg: 'first' }) + '\n',
    );
    const ac = new AbortController();
    const seen: string[] = [];
    const timeout = setTimeout(() => ac.abort(), 10_000);
    for await (const r of readLogs({ dir, follow: true, signal: ac.signal, pollMs: 20 })) {
      seen.push(r.msg);
      if (seen.length === 1) {
        // a partial line is not yielded until its newline arrives
        appendFileSync(file, '{"ts":"2026-05-26T10:00:01.000Z","level":"warn",');
        appendFileSync(file, '"logger":"x","msg":"second"}\n');
        writeFileSync(
          join(dir, 'hearthnet-2026-05-27.jsonl'),
          JSON.stringify({ ts: '2026-05-27T00:00:00.000Z', level: 'info', logger: 'x', msg: 'rotated' }) + '\n',
        );
      }
      if (seen.length === 3) ac.abort();
    }
    clearTimeout(timeout);
    expect(seen).toEqual(['first', 'second', 'rotated']);
  });
});
