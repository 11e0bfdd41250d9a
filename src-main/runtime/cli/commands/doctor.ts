/** `hearthnet doctor [--check NAME] [--json]`: checks this machine and says how to fix what is wrong. */
import type { Command } from 'commander';
import { Doctor, registerStandardChecks, type CheckResult } from '../../observability';
import { readRuntimeFile } from '../../orchestrator/runtime-file';
import { nodeFiles } from '../../orchestrator/node-paths';
import { readCommunityName } from '../../orchestrator/community-files';
import { registerNodeChecks } from '../../orchestrator/doctor-checks';
import { cliContext, out } from '../context';
import { connectLocalNode } from '../local-node';
import { CliExit, EXIT } from '../exit-codes';

function render(results: readonly CheckResult[]): string {
  return results
    .map((r) => `${r.ok ? ' ok ' : 'FAIL'}  ${r.name.padEnd(22)} ${r.detail}${!r.ok && r.fix ? `\n      fix: ${r.fix}` : ''}`)
    .join('\n');
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check this machine and explain how to fix problems')
    .option('--check <name>', 'run one check only')
    .option('--json', 'machine-readable output')
    .action(async (opts: { check?: string; json?: boolean }, cmd: Command) => {
      const { config, env } = cliContext(cmd);
      const doctor = new Doctor();
      registerStandardChecks(doctor);
      registerNodeChecks(doctor);
      const files = nodeFiles(config);
      const running = readRuntimeFile(files.runtime);
      const ctx = {
        config,
        env,
        communityName: () => readCommunityName(files.communityManifest),
        ownTransportPort: running?.transport_port ?? null,
        extras: {
          capabilityCount: async () => {
            if (!running) return null;
            try {
              return (await connectLocalNode(config).api.capabilities.query({ remoteOnly: false, localOnly: false, name: undefined })).length;
            } catch {
              return null;
            }
          },
        },
      };
      if (opts.check && !doctor.names().includes(opts.check)) {
        throw new CliExit(EXIT.usage, `no check named "${opts.check}"; known checks: ${doctor.names().join(', ')}`);
      }
      const results = opts.check ? [await doctor.runOne(opts.check, ctx)] : await doctor.runAll(ctx);
      out(!!opts.json, results, () => render(results));
      const failed = results.filter((r) => !r.ok).length;
      if (failed) throw new CliExit(EXIT.error, `${failed} check(s) failed`);
    });
}
