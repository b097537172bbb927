import type { Clock } from '../../core/ports.js';
import type { TransportFactory } from '../../sending/sending.js';
import { buildTransport } from './select.js';

/** The real transports (Cloud API, SMTP, the outbox in `home`), built as select.ts builds them. */
export function homeTransports(home: string, options: { readonly clock: Clock }): TransportFactory {
  return { build: (choice, settings) => buildTransport(choice, settings, { home, clock: options.clock }) };
}
