/** §17 of ../shared/spec/hearthnet-reference.md exit codes, and the one mapping from errors to them. */
import { CommanderError } from 'commander';
import { HearthError } from '../../common';

export const EXIT = Object.freeze({ ok: 0, error: 1, usage: 2, noNode: 3, auth: 4, capacity: 5 });
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * What each code means, word for word the table in docs/cli.md (a test compares the two, so the
 * docs cannot drift from the code).
 */
export const EXIT_MEANINGS: Readonly<Record<ExitCode, string>> = Object.freeze({
  0: 'done',
  1: 'it failed (the message says why and what to do)',
  2: 'bad usage: a missing or malformed argument/option (nothing was sent to the node)',
  3: 'no running node for this `HEARTHNET_HOME` (or it stopped answering)',
  4: "not allowed (`forbidden`, e.g. taking down someone else's notice, or an invite made for another device) or a bad API token",
  5: "the node or mesh is at capacity (try again shortly), or this node's disk is full (free some space)",
});

/** Thrown by commands to end with a specific exit code and a message for the user. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CliExit) return err.exitCode;
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof HearthError) {
    switch (err.wireCode) {
      case 'invalid_signature':
      case 'forbidden':
        return EXIT.auth;
      case 'capacity_exceeded':
        return EXIT.capacity;
      case 'bad_request':
      case 'schema_mismatch':
      case 'not_found':
      case 'timeout':
      case 'expired':
      case 'payload_too_large':
      case 'cancelled':
      case 'internal_error':
      case 'partition':
        return EXIT.error;
    }
  }
  return EXIT.error;
}
