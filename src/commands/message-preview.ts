import { resolve } from 'node:path';
import { writeFileAtomic } from '../adapters/fs/atomic-file.js';
import { loadMessageFile } from '../adapters/message/message-file.js';
import { parseKeyValues } from '../core/attributes.js';
import { SKIP_REASONS, type ChannelChoice } from '../core/audience.js';
import { CanaleError, EXIT } from '../core/errors.js';
import { compileMessage, type CompiledMessage } from '../core/message/compile.js';
import { templateViewOf } from '../core/message/template-view.js';
import { renderFor, type RenderContext } from '../core/message/render.js';
import { planSend, planWarnings, type SendPlan } from '../core/plan.js';
import { resolveRef } from '../core/subscriber-ref.js';
import type { Channel, Subscriber } from '../core/subscriber.js';
import { splitTopicList } from '../core/topic.js';
import type { Envelope } from '../core/transport.js';
import { whatsAppQuota, whatsAppRecipients } from '../sending/send-window.js';
import { parseChannelChoice } from './campaign-options.js';
import type { Context } from './context.js';
import { checkOutputFile } from './output-file.js';
import { templateInfoOf } from '../core/message/template-info.js';
import { readPlanSettings, renderContextOf } from '../sending/plan-settings.js';
import { readSnapshot } from '../sending/send-snapshot.js';
import { checkSendNow } from '../sending/send-check.js';
import { printEnvelope, type TemplateExtras } from './envelope-print.js';
import { sampleTargets, targetsForRef } from '../sending/preview-targets.js';

export interface PreviewOptions {
  readonly file: string;
  readonly to?: string;
  readonly channel: ChannelChoice;
  readonly html?: string;
  /** Replace an existing --html file without asking. */
  readonly force?: boolean;
  readonly json: boolean;
  readonly topics: readonly string[];
  readonly where: ReadonlyArray<{ key: string; value: string }>;
}

export type PreviewFlags = { to?: string; channel?: string; html?: string; force?: boolean; json?: boolean; topic?: string[]; where?: string[] };

export function parsePreview(file: string, flags: PreviewFlags): PreviewOptions {
  return {
    file,
    ...(flags.to === undefined ? {} : { to: flags.to }),
    channel: parseChannelChoice(flags.channel),
    ...(flags.html === undefined ? {} : { html: flags.html }),
    ...(flags.force === true ? { force: true } : {}),
    json: flags.json === true,
    topics: (flags.topic ?? []).flatMap(splitTopicList),
    where: parseKeyValues(flags.where ?? [], '--where'),
  };
}

interface Shown {
  readonly subscriber: Subscriber;
  readonly envelope: Envelope;
}

function renderShown(targets: ReadonlyArray<{ subscriber: Subscriber; channel: Channel }>, message: CompiledMessage, render: RenderContext, warnings: string[]): Shown[] {
  const shown: Shown[] = [];
  for (const { subscriber, channel } of targets) {
    const origin = { recipientKey: subscriber.id };
    const rendering = renderFor(channel, message, subscriber, origin, render);
    if (rendering.ok) shown.push({ subscriber, envelope: rendering.envelope });
    else warnings.push(`${subscriber.id} on ${channel}: ${[...rendering.missing.map((f) => `no value for {{${f}}}`), ...rendering.problems].join('; ')}`);
  }
  return shown;
}

/** What a preview found: its exit code, and what would stop `canale send --message FILE` now (empty: it would go). */
export interface PreviewResult {
  readonly code: number;
  readonly blockers: readonly string[];
  /** How many would get it now. */
  readonly recipients: number;
}

/**
 * The preview, and what a send of the file would meet now. The audience is the one `canale send --message FILE`
 * would have (each recipient's preferred channel, with --topic and --where); --channel and --to change only whose
 * messages are drawn, and on which channels.
 */
export async function previewMessage(options: PreviewOptions, ctx: Context): Promise<PreviewResult> {
  const htmlPath = options.html === undefined ? undefined : await checkOutputFile(ctx, options.html, '--html', options.force === true);
  const spec = await loadMessageFile(resolve(ctx.deps.cwd, options.file));
  const ports = await ctx.ports();
  const data = await readSnapshot(ports.subscribers, {}, spec);
  const compiled = compileMessage(spec, { topics: data.topics, knownFields: data.fields, templates: data.templates.map(templateInfoOf) }, options.topics);
  if (!compiled.ok) throw new CanaleError('MESSAGE_INVALID', `${options.file}: ${compiled.problems.join('\n  ')}`);
  const message = compiled.message;
  const settings = await readPlanSettings(ctx);
  const render = renderContextOf(settings);
  const query = { topics: message.topics, where: options.where, channel: 'preferred' as const, messageChannels: message.channels, isWhatsAppMarketing: message.whatsappTemplate?.category === 'MARKETING' };
  const plan = planSend({
    message,
    subscribers: data.subscribers,
    query,
    rates: settings.rates,
    prices: settings.prices,
    ...(message.whatsappTemplate === undefined ? {} : { templateCategory: message.whatsappTemplate.category }),
  });
  const now = ctx.deps.clock.now();
  const quota = plan.recipients.whatsapp > 0 ? await whatsAppQuota(ports.campaigns, now, settings, whatsAppRecipients(plan)) : undefined;
  const check = checkSendNow(await ctx.settings(), now, options.file, plan, message, settings);
  const warnings = [
    ...planWarnings(plan, message, {
      hasUnsubscribeLinks: render.links.urlFor('x', undefined) !== undefined,
      ...(quota === undefined ? {} : { whatsappQuota: quota }),
      ...(check.transports.whatsapp === undefined ? {} : { whatsappTransport: check.transports.whatsapp }),
    }),
    ...(check.quiet === undefined ? [] : [check.quiet]),
    ...(settings.cityNameSet ? [] : [`city.name is not set: e-mails are signed "${settings.cityName}" — set it with: canale config set city.name "Comune di …"`]),
  ];
  const who =
    options.to === undefined
      ? sampleTargets(plan, data.subscribers, options.channel, message, render)
      : targetsForRef(resolveRef(data.subscribers, options.to, await ctx.country(), '--to'), options.to, options.channel, options.html !== undefined, message, query);
  const shown = renderShown(who.targets, message, render, warnings);
  if (htmlPath !== undefined) {
    const email = shown.map((s) => s.envelope).find((e) => e.channel === 'email');
    if (email?.channel !== 'email') {
      const why = message.channels.includes('email') ? 'pick a recipient who has an e-mail address (--to REF)' : `this message has no e-mail version (channels: [${message.channels.join(', ')}])`;
      throw new CanaleError('NO_EMAIL', `there is no e-mail to write with --html: ${why}`);
    }
    await writeFileAtomic(htmlPath, email.html);
  }
  const template = message.whatsappTemplate;
  /** What the citizen's phone shows for a template message: header, body, footer and buttons with the values in. */
  const templateExtras = (envelope: Envelope): TemplateExtras => {
    if (template === undefined || envelope.channel !== 'whatsapp' || envelope.content.kind !== 'template') return {};
    const view = templateViewOf(template, envelope.content);
    return { templateText: view.body, templateView: view, category: template.category };
  };
  if (options.json) {
    const { audience: _audience, sample: _sample, ...summary } = plan;
    ctx.ui.json({
      file: options.file,
      ...summary,
      warnings,
      ...(who.recipient === undefined ? {} : { recipient: who.recipient }),
      shown: [...(who.outside === undefined ? [] : [who.outside]), ...who.notes],
      blockers: check.blockers,
      envelopes: shown.map((s) => ({ ...s.envelope, ...templateExtras(s.envelope) })),
    });
  } else {
    if (who.outside !== undefined) ctx.ui.out(ctx.ui.color.yellow(who.outside));
    for (const note of who.notes) ctx.ui.out(ctx.ui.color.dim(note));
    if (who.outside !== undefined || who.notes.length > 0) ctx.ui.out('');
    for (const { subscriber, envelope } of shown) printEnvelope(ctx.ui, envelope, subscriber.name ?? subscriber.id, templateExtras(envelope));
    printSummary(ctx, plan, options.channel !== 'preferred');
    for (const warning of warnings) ctx.ui.warn(warning);
    if (options.html !== undefined) ctx.ui.success(`wrote the e-mail HTML to ${options.html}`);
  }
  return { code: plan.blocked.length > 0 ? EXIT.failed : EXIT.ok, blockers: check.blockers, recipients: plan.recipients.total };
}

function printSummary(ctx: Context, plan: SendPlan, channelAsked: boolean): void {
  const { ui } = ctx;
  ui.out(ui.color.bold(`Audience for ${plan.topics.join(', ')}`));
  if (channelAsked) ui.out("  (as canale send sends it: each recipient's preferred channel — preview's --channel changes only the messages shown)");
  ui.out(`  recipients: ${plan.recipients.total} (WhatsApp ${plan.recipients.whatsapp}, e-mail ${plan.recipients.email})`);
  for (const s of plan.skipped) ui.out(`  skipped: ${s.count} ${SKIP_REASONS[s.reason]}`);
  const duration = plan.estimatedSeconds >= 90 ? `${Math.round(plan.estimatedSeconds / 60)} min` : `${plan.estimatedSeconds} s`;
  ui.out(`  duration: about ${duration} (WhatsApp ${plan.rates.whatsapp}/s, e-mail ${plan.rates.email}/s)`);
  ui.out(`  cost: ${plan.cost.total.toFixed(2)} ${plan.cost.currency}`);
}
