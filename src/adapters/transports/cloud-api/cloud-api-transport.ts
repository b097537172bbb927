import { describeFailure, type Envelope, type SendResult, type Transport, type VerifyResult } from '../../../core/transport.js';
import { isWhatsAppUserId } from '../../../core/whatsapp-identity.js';
import { GraphClient, type GraphSettings } from './graph-client.js';
import { graphMessageBody } from './graph-message.js';

export interface CloudApiSettings extends GraphSettings {
  readonly phoneNumberId: string;
}

/**
 * WhatsApp through Meta's Cloud API: one POST per envelope on a keep-alive pool. The wamid and `wa_id` of the
 * reply come back as the result; every error is a value (see GraphClient and graph-errors).
 */
export class CloudApiTransport implements Transport {
  readonly name = 'cloud-api' as const;
  readonly channel = 'whatsapp' as const;
  private readonly client: GraphClient;
  private readonly messagesPath: string;

  constructor(private readonly settings: CloudApiSettings) {
    this.client = new GraphClient(settings);
    this.messagesPath = this.client.path(settings.phoneNumberId, 'messages');
  }

  async send(envelope: Envelope, signal: AbortSignal): Promise<SendResult> {
    if (envelope.channel !== 'whatsapp') {
      return { ok: false, failure: { kind: 'fatal', code: 'WRONG_CHANNEL', reason: 'the cloud-api transport only sends WhatsApp messages' } };
    }
    const reply = await this.client.call('POST', this.messagesPath, graphMessageBody(envelope), signal);
    if (!reply.ok) return reply;
    const messages = reply.json.messages as Array<{ id?: unknown }> | undefined;
    const contacts = reply.json.contacts as Array<{ wa_id?: unknown; user_id?: unknown }> | undefined;
    const id = Array.isArray(messages) ? messages[0]?.id : undefined;
    if (typeof id !== 'string' || id === '') {
      return { ok: false, failure: { kind: 'transient', code: 'WHATSAPP_BAD_REPLY', reason: 'the Graph API accepted the request but returned no message id' } };
    }
    const waId = Array.isArray(contacts) ? contacts[0]?.wa_id : undefined;
    const userId = Array.isArray(contacts) ? contacts[0]?.user_id : undefined;
    return {
      ok: true,
      providerMessageId: id,
      ...(typeof waId === 'string' && waId !== '' ? { waId } : {}),
      ...(typeof userId === 'string' && isWhatsAppUserId(userId) ? { userId } : {}),
    };
  }

  /** Reads the phone number's name and quality: proves the token, the id and the network at once. */
  async verify(signal: AbortSignal): Promise<VerifyResult> {
    const path = `${this.client.path(this.settings.phoneNumberId)}?fields=verified_name,display_phone_number,quality_rating`;
    const reply = await this.client.call('GET', path, undefined, signal);
    if (!reply.ok) return { ok: false, detail: `${reply.failure.code}: ${describeFailure(reply.failure)}` };
    const { verified_name: name, display_phone_number: number, quality_rating: quality } = reply.json;
    const shown = [typeof number === 'string' ? number : this.settings.phoneNumberId, typeof name === 'string' ? `"${name}"` : undefined]
      .filter(Boolean)
      .join(' ');
    return { ok: true, detail: `Graph API reachable at ${new URL(this.settings.apiUrl).host}, phone number ${shown}${typeof quality === 'string' ? `, quality ${quality}` : ''}` };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
