import { resolve } from 'node:path';
import { loadMessageFile } from '../../adapters/message/message-file.js';
import type { CampaignId } from '../../core/campaign.js';
import { CanaleError, EXIT, usageError } from '../../core/errors.js';
import { textMessage, type MessageSpec } from '../../core/message/message-spec.js';
import type { CampaignResult } from '../../sending/campaign-run.js';
import { freezeAndSend } from '../../sending/freeze.js';
import { planSettingsOf } from '../../sending/plan-settings.js';
import { prepareSend, quietHoursConflict, refuseIfBlocked, refuseUnknownWhere, type PreparedSend } from '../../sending/prepare.js';
import { resumeCampaign } from '../../sending/resume.js';
import { sendLockRequest, type Sending } from '../../sending/sending.js';
import { describeWait } from '../../sending/send-window.js';
import { requestOf, type CampaignSendOptions, type ResumeOptions } from '../campaign-options.js';
import type { Context } from '../context.js';
import { composeMessageFile } from '../compose-wizard.js';
import { sendingOf } from '../sending-of.js';
import { messageLabel, printPlan, printReport } from '../send-printout.js';

async function loadSpec(options: CampaignSendOptions, ctx: Context): Promise<MessageSpec> {
  if (options.message !== undefined) return loadMessageFile(resolve(ctx.deps.cwd, options.message));
  if (options.text !== undefined) return textMessage(options.text, [], options.subject);
  if (ctx.ui.isInteractive) {
    // DESIGN §2: on a terminal, no message means the compose wizard for these topics; the send goes on with its file
    const { path } = await composeMessageFile({ topics: options.topics }, ctx);
    return loadMessageFile(path);
  }
  throw usageError('SEND_MESSAGE_MISSING', 'say what to send: --message FILE (a message file) or --text TEXT');
}

function exitCodeOf(result: CampaignResult, ctx: Context, zone: string): number {
  const resume = `canale send --resume ${result.campaign.id}`;
  if (result.campaign.status === 'scheduled') ctx.ui.warn(describeWait(result.campaign, zone));
  switch (result.outcome.status) {
    case 'completed':
    case 'paused':
      // recipients whose outcome is unknown are not known to be reached: partial, as failed ones are (DESIGN §4)
      return result.report.counts.failed > 0 || result.report.counts.unknown > 0 ? EXIT.partial : EXIT.ok;
    case 'interrupted':
      ctx.ui.warn(`interrupted: resume with: ${resume}`);
      return EXIT.interrupted;
    case 'stopped':
      throw new CanaleError('SEND_STOPPED', `the send stopped: ${result.outcome.reason} — fix it, then resume with: ${resume}`);
    default: {
      const unreachable: never = result.outcome;
      return unreachable;
    }
  }
}

/**
 * A send that would break quiet hours goes only as urgent: with `--urgent`, or — on a terminal, without `--yes` —
 * when the person confirms that it is. Otherwise it is refused with when they end.
 */
async function urgentOrRefused(prepared: PreparedSend, ctx: Context, dryRun: boolean): Promise<PreparedSend> {
  const conflict = quietHoursConflict(prepared, ctx.deps.clock.now());
  if (conflict === undefined) return prepared;
  const refused = new CanaleError(
    'SEND_QUIET_HOURS',
    `not sent: ${conflict} — schedule it for then (canale schedule add FILE --topic … --at "YYYY-MM-DD HH:MM"), or add --urgent if it cannot wait (emergencies)`,
  );
  if (dryRun || ctx.yes || !ctx.ui.isInteractive) throw refused;
  ctx.ui.warn(conflict);
  const urgent = await ctx.deps.prompter.confirm('Quiet hours: is this urgent (an emergency that cannot wait until they end)?', false);
  if (!urgent) throw refused;
  return { ...prepared, request: { ...prepared.request, urgent: true } };
}

/** `canale send --topic T --message FILE`: plan, show, confirm, freeze the campaign, deliver, report. */
export async function runSendCampaign(options: CampaignSendOptions, ctx: Context): Promise<number> {
  const spec = await loadSpec(options, ctx);
  const sending = await sendingOf(ctx);
  const planned = await prepareSend(requestOf(options, spec), sending);
  refuseUnknownWhere(planned);
  const { plan, choices } = planned;
  printPlan(ctx.ui, plan, choices, planned.warnings, options.json, options.urgent);
  refuseIfBlocked(planned);
  if (plan.recipients.total === 0) {
    ctx.ui.info('nobody to send to — nothing was sent');
    return EXIT.ok;
  }
  const prepared = await urgentOrRefused(planned, ctx, options.dryRun);
  if (options.dryRun) return EXIT.ok;
  await ctx.confirm(
    `Send ${prepared.request.urgent ? 'URGENTLY ' : ''}to ${plan.recipients.total} recipient(s) (WhatsApp ${plan.recipients.whatsapp} via ${choices.whatsapp?.name ?? '-'}, e-mail ${plan.recipients.email} via ${choices.email?.name ?? '-'}): ${messageLabel(plan.message)}?`,
    'canale send … --yes',
  );
  const id = ctx.deps.ids.next('cmp_') as CampaignId;
  // the lock comes before the campaign record: a send refused as busy leaves no campaign behind
  const result = await sending.ports.locks.withSendLock(sendLockRequest(sending, id), () => freezeAndSend(prepared, id, options, sending));
  return reportAndExit(ctx, sending, result, options.json);
}

/** Prints a send's report; the exit code says how it ended. */
function reportAndExit(ctx: Context, sending: Sending, result: CampaignResult, json: boolean): number {
  const zone = planSettingsOf(sending.settings, sending.clock).timezone;
  printReport(ctx.ui, result.report, json, zone);
  return exitCodeOf(result, ctx, zone);
}

/** `canale send --resume ID`: the same message to the same frozen list, reaching only who is not yet reached. */
export async function runResume(options: ResumeOptions, ctx: Context): Promise<number> {
  const sending = await sendingOf(ctx);
  const { campaign: id, json, ...request } = options;
  const result = await resumeCampaign(id, request, sending);
  return reportAndExit(ctx, sending, result, json);
}
