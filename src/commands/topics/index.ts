import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { addTopic, removeTopic, renameTopic } from '../../core/topic-catalogue.js';
import { parseTopicId, type TopicId } from '../../core/topic.js';
import { printTable } from '../../ui/table.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { canaleCommand } from '../../core/shell-quote.js';
import { cutToLimit, INTERACTIVE_LIMITS } from '../../core/interactive-limits.js';
import type { Topic } from '../../core/topic.js';

export interface TopicAddOptions {
  readonly id: TopicId;
  readonly label: string;
  readonly description?: string;
}

function parseLabel(text: string | undefined): string {
  const label = text?.replace(/\s+/g, ' ').trim() ?? '';
  if (label === '') throw usageError('TOPIC_LABEL_MISSING', 'a topic needs a label: --label "Raccolta differenziata"');
  return label;
}

export function parseTopicAdd(id: string, raw: { label?: string; description?: string }): TopicAddOptions {
  const description = raw.description?.trim();
  return { id: parseTopicId(id), label: parseLabel(raw.label), ...(description ? { description } : {}) };
}

/** The catalogue with how many active subscribers follow each topic. */
export async function runTopicsList(options: { readonly json: boolean }, ctx: Context): Promise<void> {
  const subscribers = await ctx.subscribers();
  const followers = new Map<string, number>();
  await subscribers.scan({ status: 'active' }, (s) => {
    for (const t of s.topics) followers.set(t, (followers.get(t) ?? 0) + 1);
  });
  const rows = (await subscribers.topics()).map((t) => ({ ...t, subscribers: followers.get(t.id) ?? 0 }));
  if (options.json) {
    ctx.ui.json(rows);
    return;
  }
  printTable(ctx.ui, ['ID', 'LABEL', 'SUBSCRIBERS', 'DESCRIPTION'], rows.map((t) => [t.id, t.label, String(t.subscribers), t.description ?? '']));
}

/**
 * What WhatsApp's topic list will cut of a topic: its label beyond a row title's 24 characters, its description
 * beyond a row description's 72 — each as the citizen will see it. The label and description are kept whole.
 */
export function listCuts(topic: Topic): string[] {
  const { rowTitle, rowDescription } = INTERACTIVE_LIMITS;
  const cuts: string[] = [];
  if (topic.label.length > rowTitle) cuts.push(`its label is longer than ${rowTitle} characters: WhatsApp's topic list shows "${cutToLimit(topic.label, rowTitle)}"`);
  if (topic.description !== undefined && topic.description.length > rowDescription) {
    cuts.push(`its description is longer than ${rowDescription} characters: WhatsApp's topic list shows "${cutToLimit(topic.description, rowDescription)}"`);
  }
  return cuts;
}

function warnCuts(topic: Topic, ctx: Context): void {
  const cuts = listCuts(topic);
  if (cuts.length === 0) return;
  const description = topic.description !== undefined && topic.description.length > INTERACTIVE_LIMITS.rowDescription ? ['--description', 'D'] : [];
  ctx.ui.warn(`topic ${topic.id}: ${cuts.join('; ')} — shorten it with: ${canaleCommand('topics', 'rename', topic.id, '--label', 'L', ...description)}`);
}

export async function runTopicAdd(options: TopicAddOptions, ctx: Context): Promise<void> {
  const topic = await (await ctx.subscribers()).transaction({}, (tx) => addTopic(tx, options));
  ctx.ui.success(`added topic ${topic.id} (${topic.label})`);
  warnCuts(topic, ctx);
}

export async function runTopicRename(id: TopicId, label: string, description: string | undefined, ctx: Context): Promise<void> {
  const topic = await (await ctx.subscribers()).transaction({}, (tx) => renameTopic(tx, id, label, description));
  ctx.ui.success(`topic ${topic.id} is now labelled "${topic.label}"`);
  warnCuts(topic, ctx);
}

/** Removes a topic; with followers, only with --force (which takes it off them), after a confirmation. */
export async function runTopicRemove(id: TopicId, options: { readonly force: boolean }, ctx: Context): Promise<void> {
  const subscribers = await ctx.subscribers();
  const followers = await subscribers.count({ topics: [id] });
  if ((await subscribers.topics()).some((t) => t.id === id) && (followers === 0 || options.force)) {
    const effect = followers === 0 ? 'no subscriber follows it' : `it will be taken off ${followers} subscriber(s)`;
    await ctx.confirm(`Remove topic "${id}"? ${effect}`, canaleCommand('topics', 'remove', id, ...(options.force ? ['--force'] : []), '--yes'));
  }
  const changed = await subscribers.transaction({}, (tx) => removeTopic(tx, id, { force: options.force, now: ctx.now() }));
  ctx.ui.success(`removed topic ${id}${changed > 0 ? ` and took it off ${changed} subscriber(s)` : ''}`);
}

export function registerTopics(program: Command, app: App): void {
  const topics = withExamples(program.command('topics').description('the topics citizens can follow'), [
    'canale topics list',
    'canale topics add verde --label "Verde pubblico"',
  ]);
  withExamples(topics.command('list').description('list topics and how many subscribers follow each').option('--json', 'print JSON'), [
    'canale topics list',
    'canale topics list --json',
  ]).action(app.action(async (raw: { json?: boolean }, ctx: Context) => runTopicsList({ json: raw.json === true }, ctx)));
  withExamples(
    topics
      .command('add')
      .argument('<id>', 'short id: lower-case letters, digits, dashes')
      .requiredOption('--label <label>', 'the name people see')
      .option('--description <text>', "one line about what the topic covers (WhatsApp's topic list shows 72 characters of it, and 24 of the label)")
      .description('add a topic'),
    ['canale topics add verde --label "Verde pubblico"', 'canale topics add tributi --label Tributi --description "IMU, TARI e scadenze"'],
  ).action(app.action(async (id: string, raw: { label?: string; description?: string }, ctx: Context) => runTopicAdd(parseTopicAdd(id, raw), ctx)));
  withExamples(
    topics
      .command('rename')
      .argument('<id>', 'the topic id (it does not change)')
      .requiredOption('--label <label>', 'the new label')
      .option('--description <text>', 'a new description')
      .description("change a topic's label"),
    ['canale topics rename mobilita --label "Mobilità e trasporti"'],
  ).action(
    app.action(async (id: string, raw: { label?: string; description?: string }, ctx: Context) =>
      runTopicRename(parseTopicId(id), parseLabel(raw.label), raw.description?.trim() || undefined, ctx),
    ),
  );
  withExamples(
    topics
      .command('remove')
      .argument('<id>', 'the topic id')
      .option('--force', 'also remove it from the subscribers who follow it')
      .description('remove a topic (refused while subscribers follow it, unless --force)'),
    ['canale topics remove eventi', 'canale topics remove eventi --force --yes'],
  ).action(app.action(async (id: string, raw: { force?: boolean }, ctx: Context) => runTopicRemove(parseTopicId(id), { force: raw.force === true }, ctx)));
}
