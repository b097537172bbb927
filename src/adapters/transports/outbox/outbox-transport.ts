import { join, relative } from 'node:path';
import type { Clock } from '../../../core/ports.js';
import type { Envelope, SendResult, Transport } from '../../../core/transport.js';
import type { Channel } from '../../../core/subscriber.js';
import { graphMessageBody } from '../cloud-api/graph-message.js';
import { composeEmail, senderOf, type Sender } from '../smtp/email-message.js';
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
 * for WhatsApp, for e-mail the RFC 5322 message (.eml) the smtp transport would send. Nothing leaves the machine.
 */
export class OutboxTransport implements Transport {
  readonly name = 'outbox' as const;
  readonly channel: Channel;
  private readonly sender?: Sender;

  constructor(private readonly settings: OutboxSettings) {
    this.channel = settings.channel;
    if (settings.channel === 'email') this.sender = senderOf(settings.from);
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
      const path = await this.write(envelope, base, now);
      return { ok: true, providerMessageId: `outbox:${relative(this.settings.home, path)}` };
    } catch (error) {
      // a full disk stops the send (resumable) with the sentence a person understands, not an errno
      const disk = diskCode(error);
      if (disk !== undefined) return { ok: false, failure: { kind: 'fatal', code: disk, reason: describeDiskError(error, this.dir, '') ?? disk } };
      const what = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      return { ok: false, failure: { kind: 'fatal', code: 'OUTBOX_WRITE_FAILED', reason: `cannot write to ${this.dir}: ${what}` } };
    }
  }

  /** The file of one message: what the Cloud API would get for WhatsApp, the .eml smtp would send for e-mail. */
  private async write(envelope: Envelope, base: string, now: Date): Promise<string> {
    switch (envelope.channel) {
      case 'whatsapp':
        return writeNewFile(this.dir, base, '.json', `${JSON.stringify(graphMessageBody(envelope), null, 2)}\n`);
      case 'email':
        return writeNewFile(this.dir, base, '.eml', composeEmail(envelope, this.sender ?? senderOf(this.settings.from), now));
      default: {
        const unreachable: never = envelope;
        return unreachable;
      }
    }
  }

  async verify(): Promise<{ ok: boolean; detail: string }> {
    return { ok: true, detail: `messages are written to ${this.dir} — nothing leaves this machine` };
  }
}
