import { pageLine, type PageEntry } from '../../core/ports.js';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, writeFileAtomic } from '../fs/atomic-file.js';
import { AppendFile } from './append-file.js';

/** `<home>/webhooks/`: what `webhook serve` keeps — the event log and the WhatsApp failure streaks. */
export const webhookDir = (home: string): string => join(home, 'webhooks');
export const eventLogFile = (home: string): string => join(webhookDir(home), 'events.jsonl');
export const streaksFile = (home: string): string => join(webhookDir(home), 'whatsapp-failures.json');

export async function ensureWebhookDir(home: string): Promise<void> {
  await mkdir(webhookDir(home), { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * The durable event log: every signed payload, parsed, with the time it arrived — `{"at":…,"payload":…}` — and
 * every e-mail unsubscribe — `{"at":…,"unsubscribe":{"sub":…,"topic":…,"source":…}}` — one JSON line each, on disk
 * (fdatasync, group-committed) before the request is answered; the server's applier then applies the lines in
 * order. It holds phone numbers, profile names and subscriber ids, so `forget` scrubs it.
 */
export class EventLog {
  private readonly file: AppendFile;

  constructor(
    home: string,
    /** Called once a line is on disk: wakes the applier. */
    private readonly onRecorded: () => void = () => undefined,
  ) {
    this.file = new AppendFile(eventLogFile(home));
  }

  async record(at: string, payload: unknown): Promise<void> {
    await this.file.append(`${JSON.stringify({ at, payload })}\n`);
    this.onRecorded();
  }

  async recordPage(at: string, entry: PageEntry): Promise<void> {
    await this.file.append(`${pageLine(at, entry)}\n`);
    this.onRecorded();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/**
 * How many WhatsApp messages in a row each subscriber could not receive (undeliverable), across campaigns and
 * restarts: a delivery resets it. Kept by subscriber id in `webhooks/whatsapp-failures.json`, rewritten atomically.
 */
export class FailureStreaks {
  private counts: Record<string, number> = {};
  private saving: Promise<void> = Promise.resolve();
  /** The file's modification time after this process's last write (or load). */
  private savedAt = -1;

  private constructor(private readonly path: string) {}

  static async load(home: string): Promise<FailureStreaks> {
    const streaks = new FailureStreaks(streaksFile(home));
    const text = await readFile(streaks.path, 'utf8').catch(() => undefined);
    if (text !== undefined) streaks.counts = (JSON.parse(text) as { counts: Record<string, number> }).counts;
    streaks.savedAt = await stat(streaks.path).then((s) => s.mtimeMs, () => -1);
    return streaks;
  }

  /** Counts one more failure (or clears the streak); returns the streak. */
  async note(subscriberId: string, undeliverable: boolean): Promise<number> {
    await this.reloadIfChanged();
    const before = this.counts[subscriberId] ?? 0;
    const after = undeliverable ? before + 1 : 0;
    if (after === before) return after;
    if (after === 0) delete this.counts[subscriberId];
    else this.counts[subscriberId] = after;
    await this.save();
    return after;
  }

  private save(): Promise<void> {
    const text = `${JSON.stringify({ version: 1, counts: this.counts })}\n`;
    this.saving = this.saving.then(async () => {
      await writeFileAtomic(this.path, text);
      this.savedAt = await stat(this.path).then((s) => s.mtimeMs, () => -1);
    });
    return this.saving;
  }

  /** The file as `forget` left it (it removes the person's count): read again when someone else wrote it. */
  private async reloadIfChanged(): Promise<void> {
    await this.saving;
    const modified = await stat(this.path).then((s) => s.mtimeMs, () => -1);
    if (modified === this.savedAt) return;
    const text = await readFile(this.path, 'utf8').catch(() => undefined);
    this.counts = text === undefined ? {} : (JSON.parse(text) as { counts: Record<string, number> }).counts;
    this.savedAt = modified;
  }
}
