import { CanaleError } from '../../core/errors.js';
import type { E164 } from '../../core/phone.js';
import { signupLink, signupTopic, type SignupLink } from '../../core/signup/signup-link.js';
import type { Context } from '../context.js';

/** `--topic`'s help, the same for every verb of the group. */
export const TOPIC_OPTION_HELP = 'the topic it joins, by id or label (default: none, the answer lists the topics)';

/**
 * The sign-up link the settings give: the city's `whatsapp.number`, and the topic `--topic` names in the
 * catalogue (which is read only then). Without the number there is no link: a failure saying how to set it.
 */
export async function signupLinkFor(ctx: Context, topicName: string | undefined): Promise<SignupLink> {
  const number = (await ctx.settings()).get('whatsapp.number');
  if (number === undefined) {
    throw new CanaleError(
      'WHATSAPP_NUMBER_MISSING',
      "whatsapp.number is not set: the link opens a chat with the city's WhatsApp number — set it with: " +
        'canale config set whatsapp.number "+39 06 1234 5678" (or the environment variable CANALE_WHATSAPP_NUMBER)',
    );
  }
  const topic = topicName === undefined ? undefined : signupTopic(await (await ctx.subscribers()).topics(), topicName);
  // the setting's check keeps it in E.164
  return signupLink(number as E164, topic);
}
