import { resolve } from 'node:path';
import { campaignDir, journalFile, readRecipients, writeRecipients } from '../../adapters/campaign/campaign-files.js';
import { loadCampaign, saveCampaign } from '../../adapters/campaign/campaign-store.js';
import { JournalFile, replayJournal } from '../../adapters/journal/journal-file.js';
import { loadMessageFile } from '../../adapters/message/message-file.js';
import { chooseTransport, settingsMap, type TransportChoice } from '../../adapters/transports/select.js';
import { isResumable, type Campaign, type CampaignId } from '../../core/campaign.js';
import { remainingAfter } from '../../core/dispatch/journal-state.js';
import { CanaleError, EXIT, usageError } from '../../core/errors.js';
import { compileMessage, type CompiledMessage } from '../../core/message/compile.js';
import { textMessage, type MessageSpec } from '../../core/message/message-spec.js';
import { knownFields } from '../../core/message/placeholders.js';
import { planSend, planWarnings, type SendPlan } from '../../core/plan.js';
import type { StoreData } from '../../core/store-data.js';
import type { Channel } from '../../core/subscriber.js';
import type { Context } from '../context.js';
import { composeMessageFile } from '../compose/index.js';
import { syncedTemplates } from '../message-context.js';
import { ratesOf, readPlanSettings, renderContextOf } from '../preview/plan-settings.js';
import type { CampaignSendOptions, ResumeOptions } from './campaign-options.js';
import { runCampaign, type CampaignResult, type CampaignRun } from './campaign-run.js';
import { printPlan, printReport } from './print.js';
import { withSendLock } from '../../adapters/campaign/send-lock.js';

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

/** The message checked against the store's topics, fields and synced templates; any problem stops the send. */
export function compileForSend(spec: MessageSpec, data: StoreData, extraTopics: readonly string[]): CompiledMessage {
  const compiled = compileMessage(spec, { topics: data.topics, knownFields: knownFields(data.subscribers), templates: syncedTemplates(data) }, extraTopics);
  if (!compiled.ok) throw new CanaleError('MESSAGE_INVALID', `${spec.source}: ${compiled.problems.join('\n  ')}`);
  return compiled.message;
}

/** Transports for the channels that have recipients, as DESIGN §3 chooses them; `--via` applies where it fits. */
function chooseTransports(plan: SendPlan, settings: ReturnType<typeof settingsMap>, via: CampaignSendOptions['via']): Partial<Record<Channel, TransportChoice>> {
  const choices: Partial<Record<Channel, TransportChoice>> = {};
  for (const channel of ['whatsapp', 'email'] as const) {
    if (plan.recipients[channel] === 0) continue;
    const fits = via === 'outbox' || (via === 'cloud-api' && channel === 'whatsapp') || (via === 'smtp' && channel === 'email');
    choices[channel] = chooseTransport(channel, settings, fits ? via : undefined);
  }
  return choices;
}

function exitCodeOf(result: CampaignResult, ctx: Context): number {
  const resume = `canale send --resume ${result.campaign.id}`;
  switch (result.outcome.status) {
    case 'completed':
      return result.report.counts.failed > 0 ? EXIT.partial : EXIT.ok;
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

/** Who takes the send lock: this campaign, now, this process; waiting for a crashed send's lock is said on stderr. */
export function sendLockHolder(ctx: Context, campaign: string): Parameters<typeof withSendLock>[1] {
  return { campaign, startedAt: ctx.now(), ...(ctx.deps.processes === undefined ? {} : { owner: ctx.deps.processes }), onWait: (m) => ctx.ui.info(m) };
}

/** `canale send --topic T --message FILE`: plan, show, confirm, freeze the campaign, deliver, report. */
export async function runSendCampaign(options: CampaignSendOptions, ctx: Context): Promise<number> {
  const spec = await loadSpec(options, ctx);
  const data = await (await ctx.store()).read();
  const message = compileForSend(spec, data, options.topics);
  const planSettings = await readPlanSettings(ctx);
  const settings = settingsMap(await ctx.settings());
  const render = renderContextOf(planSettings);
  const rates = ratesOf(planSettings, options.rate);
  const plan = planSend({
    message,
    subscribers: data.subscribers,
    query: { topics: message.topics, where: options.where, channel: options.channel, messageChannels: message.channels },
    rates,
    prices: planSettings.prices,
    ...(message.whatsappTemplate === undefined ? {} : { templateCategory: message.whatsappTemplate.category }),
    render,
  });
  const choices = chooseTransports(plan, settings, options.via);
  const warnings = planWarnings(plan, message, {
    hasUnsubscribeLinks: render.links.urlFor('x', undefined) !== undefined,
    ...(choices.whatsapp === undefined ? {} : { whatsappTransport: choices.whatsapp.name }),
    ...(planSettings.whatsappDailyLimit === undefined ? {} : { whatsappDailyLimit: planSettings.whatsappDailyLimit }),
  });
  printPlan(ctx, plan, choices, warnings, options.json);
  if (plan.blocked.length > 0) {
    throw new CanaleError('SEND_BLOCKED', `${plan.blocked.reduce((n, b) => n + b.count, 0)} recipient(s) cannot get this message as it is (see above) — add a default ({{nome | "…"}}) or fix their data; nothing was sent`);
  }
  if (spec.whatsapp === undefined && choices.whatsapp?.name === 'cloud-api' && !options.allowFreeText) {
    throw usageError('SEND_FREE_TEXT', 'free text through the Cloud API reaches only citizens who wrote in the last 24 hours: use a template (whatsapp.template), or add --allow-free-text');
  }
  if (plan.recipients.total === 0) {
    ctx.ui.info('nobody to send to — nothing was sent');
    return EXIT.ok;
  }
  if (options.dryRun) return EXIT.ok;
  await ctx.confirm(`Send to ${plan.recipients.total} recipient(s) (WhatsApp ${plan.recipients.whatsapp} via ${choices.whatsapp?.name ?? '-'}, e-mail ${plan.recipients.email} via ${choices.email?.name ?? '-'})?`, 'canale send … --yes');
  const id = ctx.deps.ids.next('cmp_') as CampaignId;
  // the lock comes before the campaign record: a send refused as busy leaves no campaign behind
  return withSendLock(ctx.paths.home, sendLockHolder(ctx, id), async () => {
    const campaign: Campaign = {
      id,
      status: 'sending',
      message: spec,
      query: { topics: message.topics, where: options.where, channel: options.channel },
      channels: message.channels,
      transports: Object.fromEntries(Object.entries(choices).map(([c, choice]) => [c, choice.name])),
      recipients: plan.audience.deliveries.length,
      plannedSkips: plan.skipped,
      ...(options.urgent ? { urgent: true } : {}),
      createdAt: ctx.now(),
    };
    await writeRecipients(campaignDir(ctx.paths.home, id), plan.audience.deliveries);
    await saveCampaign(ctx.paths.home, campaign);
    ctx.ui.info(`campaign ${id}: sending…`);
    const pending = plan.audience.deliveries.map((_d, i) => i);
    return sendAndReport(ctx, { campaign, deliveries: plan.audience.deliveries, pending, subscribers: data.subscribers, message, render, choices, settings, rates }, options);
  });
}

/** Runs the send and prints its report; the exit code says how it ended. */
async function sendAndReport(
  ctx: Context,
  run: Omit<CampaignRun, 'concurrency'>,
  options: { readonly concurrency: number; readonly json: boolean },
): Promise<number> {
  const result = await runCampaign({ ...run, concurrency: options.concurrency }, ctx);
  printReport(ctx, result.report, options.json);
  return exitCodeOf(result, ctx);
}

/** `canale send --resume ID`: the same message to the same frozen list, reaching only who is not yet reached. */
export async function runResume(options: ResumeOptions, ctx: Context): Promise<number> {
  const campaign = await loadCampaign(ctx.paths.home, options.campaign);
  if (campaign.status === 'cancelled') throw new CanaleError('CAMPAIGN_CANCELLED', `campaign ${campaign.id} was cancelled; it cannot be resumed`);
  if (!isResumable(campaign.status) && !options.retryFailed && !options.resendUnknown) {
    throw new CanaleError('CAMPAIGN_NOT_RESUMABLE', `campaign ${campaign.id} is ${campaign.status}: nothing to resume (add --retry-failed or --resend-unknown to try those again)`);
  }
  return withSendLock(ctx.paths.home, sendLockHolder(ctx, campaign.id), () => resumeLocked(campaign, options, ctx));
}

async function resumeLocked(campaign: Campaign, options: ResumeOptions, ctx: Context): Promise<number> {
  const dir = campaignDir(ctx.paths.home, campaign.id);
  const deliveries = await readRecipients(dir);
  const replay = await replayJournal(journalFile(dir), deliveries.length);
  const pending = remainingAfter(replay, { resendUnknown: options.resendUnknown, retryFailed: options.retryFailed });
  const data = await (await ctx.store()).read();
  const message = compileForSend(campaign.message, data, campaign.query.topics);
  const planSettings = await readPlanSettings(ctx);
  const settings = settingsMap(await ctx.settings());
  const choices: Partial<Record<Channel, TransportChoice>> = {};
  for (const [channel, name] of Object.entries(campaign.transports) as Array<[Channel, NonNullable<Campaign['transports'][Channel]>]>) {
    choices[channel] = chooseTransport(channel, settings, name);
  }
  ctx.ui.info(`campaign ${campaign.id}: ${pending.length} recipient(s) still to reach`);
  if (pending.length > 0) {
    // mark the unknown and retried as not yet reached, so a crash during this resume cannot lose them
    const journal = await JournalFile.open(journalFile(dir), ctx.deps.clock);
    pending.forEach((i) => journal.released(i));
    await journal.close();
  }
  const run = { campaign, deliveries, pending, subscribers: data.subscribers, message, render: renderContextOf(planSettings), choices, settings, rates: ratesOf(planSettings, options.rate) };
  return sendAndReport(ctx, run, options);
}
