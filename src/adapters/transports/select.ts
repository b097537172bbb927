import type { Clock } from '../../core/ports.js';
import type { Settings } from '../../core/settings.js';
import type { Transport } from '../../core/transport.js';
import { dkimSettings, type TransportChoice } from './choose.js';
import { CloudApiTransport } from './cloud-api/cloud-api-transport.js';
import { OutboxTransport } from './outbox/outbox-transport.js';
import { readDkimKey } from './smtp/dkim.js';
import { SmtpTransport } from './smtp/smtp-transport.js';

/**
 * Building transports, apart from choosing them (./choose.ts): a command that only plans (a dry run, a preview)
 * never loads the HTTP and SMTP clients.
 */
export interface TransportDeps {
  readonly home: string;
  readonly clock: Clock;
}

/** Builds the chosen transport from the settings. */
export function buildTransport(choice: TransportChoice, settings: Settings, deps: TransportDeps): Transport {
  switch (choice.name) {
    case 'cloud-api':
      return new CloudApiTransport({
        apiUrl: settings.get('whatsapp.apiUrl'),
        apiVersion: settings.get('whatsapp.apiVersion'),
        token: settings.get('whatsapp.token') ?? '',
        phoneNumberId: settings.get('whatsapp.phoneNumberId') ?? '',
        timeoutMs: settings.get('whatsapp.timeoutMs'),
        connections: settings.get('whatsapp.connections'),
      });
    case 'smtp': {
      const dkim = readDkimKey(dkimSettings(settings, deps.home));
      return new SmtpTransport({
        url: settings.get('email.smtpUrl') ?? '',
        from: settings.get('email.from') ?? '',
        connections: settings.get('email.connections'),
        messagesPerConnection: settings.get('email.messagesPerConnection'),
        timeoutMs: settings.get('email.timeoutMs'),
        greylistRetryMs: settings.get('email.greylistRetrySeconds') * 1000,
        clock: deps.clock,
        ...(dkim === undefined ? {} : { dkim }),
      });
    }
    case 'outbox': {
      const from = settings.get('email.from') ?? `${settings.get('city.name')} <outbox@canale.invalid>`;
      return new OutboxTransport({ home: deps.home, channel: choice.channel, from, clock: deps.clock });
    }
    default: {
      const unreachable: never = choice.name;
      return unreachable;
    }
  }
}
