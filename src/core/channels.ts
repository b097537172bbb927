import type { Channel } from './subscriber.js';

/**
 * How each channel is named in a sentence ("… through WhatsApp", "e-mail quiet hours"). A `Record` over `Channel`:
 * a channel added to the type does not compile until it is named here, so no message calls it by another's name.
 */
export const CHANNEL_NAME: Readonly<Record<Channel, string>> = { whatsapp: 'WhatsApp', email: 'e-mail' };
