import { join, relative } from 'node:path';
import nodemailer from 'nodemailer';
import type { Clock } from '../../../core/ports.js';
import type { Envelope, SendResult, Transport } from '../../../core/transport.js';
import type { Channel } from '../../../core/subscriber.js';
import { graphMessageBody } from '../cloud-api/graph-message.js';
import { mailFor } from '../smtp/email-message.js';
import { describeDiskError, diskCode } from '../../fs/disk-errors.js';
import { addressTag, outboxDir, writeNewFile } from './outbox-files.js';

export interface OutboxSettings {
  readonly home: string;
  readonly channel: Channel;
  /** From: of the e-mails written. */
  readonly from: string;
  readonly clock: Clock;
}

/**
 * Writes each envelope under `<home>/outbox/<channel>/` instead of sending it: the exact Graph request body as JSON
 * for WhatsApp, a real RFC 5322 message (.eml, nodemailer's stream transport) for e-mail. Nothing leaves the machine.
 */
export class OutboxTransport implements Transport {
  readonly name = 'outbox' as const;
  readonly channel: Channel;
  private readonly mailer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

  constructor(private readonly settings: OutboxSettings) {
    this.channel = settings.channel;
  }

  /** The folder this transport writes to. */
  get dir(): string {
    return join(outboxDir(this.settings.home), this.channel);
  }

  async send(envelope: Envelope, signal: AbortSignal): Promise<SendResult> {
    if (signal.aborted) return { ok: false, failure: { kind: 'transient', code: 'OUTBOX_ABORTED', reason: 'interrupted before writing' } };
    const now = this.settings.clock.now();
    const base = `${now.toISOString().replace(/[:.]/g, '-')}-${(envelope.campaignId ?? 'test').replace(/[^A-Za-z0-9_-]/g, '_')}-${addressTag(envelope.to)}`;
    try {
      if (envelope.channel === 'whatsapp') {
        const path = await writeNewFile(this.dir, base, '.json', `${JSON.stringify(graphMessageBody(envelope), null, 2)}\n`);
        return { ok: true, providerMessageId: `outbox:${relative(this.settings.home, path)}` };
      }
      const info = await this.mailer.sendMail(mailFor(envelope, this.settings.from, now));
      const path = await writeNewFile(this.dir, base, '.eml', info.message as Buffer);
      return { ok: true, providerMessageId: `outbox:${relative(this.settings.home, path)}` };
    } catch (error) {
      // a full disk stops the send (resumable) with the sentence a person understands, not an errno
      const disk = diskCode(error);
      if (disk !== undefined) return { ok: false, failure: { kind: 'fatal', code: disk, reason: describeDiskError(error, this.dir, '') ?? disk } };
      const what = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      return { ok: false, failure: { kind: 'fatal', code: 'OUTBOX_WRITE_FAILED', reason: `cannot write to ${this.dir}: ${what}` } };
    }
  }

  async verify(): Promise<{ ok: boolean; detail: string }> {
    return { ok: true, detail: `messages are written to ${this.dir} — nothing leaves this machine` };
  }
}
