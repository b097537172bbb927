import type { WebhookBacklog } from '../../src/commands/webhook/webhook-status.js';
import type { CliResult } from './cli.js';

/**
 * Resolves once `canale webhook status` says every line of the event log is applied (a request answered 200 is a
 * line in the log, so this is the readiness signal after posting): asked again as soon as it answers, no sleeps.
 */
export async function untilApplied(cli: (...args: string[]) => Promise<CliResult>, atLeast = 0): Promise<WebhookBacklog> {
  for (;;) {
    const result = await cli('webhook', 'status', '--json');
    if (result.code !== 0) throw new Error(`webhook status failed: ${result.stderr}`);
    const backlog = JSON.parse(result.stdout) as WebhookBacklog;
    if (backlog.waitingLines === 0 && backlog.received >= atLeast) return backlog;
  }
}
