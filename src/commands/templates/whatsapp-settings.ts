import { missingSettings } from '../../adapters/transports/choose.js';
import type { GraphSettings } from '../../adapters/transports/cloud-api/graph-client.js';
import { CanaleError } from '../../core/errors.js';
import type { Context } from '../context.js';

/** The Graph settings and WABA id `templates sync` needs, or an error naming what to set. */
export async function graphSettingsFor(ctx: Context): Promise<GraphSettings & { readonly wabaId: string }> {
  const settings = await ctx.settings();
  const missing = missingSettings(settings, ['whatsapp.token', 'whatsapp.wabaId']);
  if (missing.length > 0) {
    throw new CanaleError(
      'WHATSAPP_NOT_CONFIGURED',
      `templates come from the WhatsApp Cloud API, which needs ${missing.join(' and ')} — set them, or try it locally with: canale sandbox`,
    );
  }
  return {
    apiUrl: settings.get('whatsapp.apiUrl'),
    apiVersion: settings.get('whatsapp.apiVersion'),
    token: settings.get('whatsapp.token') ?? '',
    wabaId: settings.get('whatsapp.wabaId') ?? '',
    timeoutMs: settings.get('whatsapp.timeoutMs'),
    connections: 1,
  };
}
