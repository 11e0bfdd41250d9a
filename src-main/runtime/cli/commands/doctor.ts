/** `hearthnet doctor [--check NAME] [--json]`: checks this machine and says how to fix what is wrong. */
import type { Command } from 'commander';
import { Doctor, registerStandardChecks, type CheckResult } from '../../observability';
import { readRuntimeFile } from '../../config/runtime-file';
import { nodeFiles } from '../../config/node-paths';
import { readCommunityName } from '../../config/community-file';
import { registerNodeChecks, type NodeCheckExtras } from '../../observability/checks-node';
import { cliContext, out } from '../context';
import { connectLocalNode } from '../local-node';
import { CliExit, EXIT } from '../exit-codes';

function render(results: readonly CheckResult[]): string {
  return results
    .map(
      (r) =>
        `${r.ok ? ' ok ' : 'FAIL'}  ${r.name.padEnd(22)} ${r.detail}${!r.ok && r.fix ? `\n      fix: ${r.fix}` : ''}`,
    )
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
      // The node that is running answers for itself: its real ports, its neighbours' clocks, its models.
      const diag = running
        ? await connectLocalNode(config)
            .api.diagnostics.query()
            .catch(() => null)
        : null;
      const ctx = {
        config,
        env,
        communityName: () => readCommunityName(files.communityManifest),
        ownTransportPort: diag?.ports.transport ?? running?.transport_port ?? null,
        peerClocks: () => (diag?.peer_clocks ?? []).map((p) => ({ node_id: p.name, skew_ms: p.skew_ms })),
        extras: {
          capabilityCount: () => Promise.resolve(diag ? diag.capabilities.local + diag.capabilities.remote : null),
          diagnostics: diag,
        } satisfies NodeCheckExtras,
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
