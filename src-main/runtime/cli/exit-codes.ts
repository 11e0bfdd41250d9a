/** Reference §17 exit codes, and the one mapping from errors to them. */
import { CommanderError } from 'commander';
import { HearthError } from '../../common';

export const EXIT = Object.freeze({ ok: 0, error: 1, usage: 2, noNode: 3, auth: 4, capacity: 5 });
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Thrown by commands to end with a specific exit code and a message for the user. */
export class CliExit extends Error {
  constructor(readonly exitCode: ExitCode, message: string) {
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
      default:
        return EXIT.error;
    }
  }
  return EXIT.error;
}
