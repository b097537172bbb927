import { missingSettings, settingsMap } from '../../adapters/transports/select.js';
import type { GraphSettings } from '../../adapters/transports/cloud-api/graph-client.js';
import { CanaleError } from '../../core/errors.js';
import type { Context } from '../context.js';

/** The Graph settings and WABA id `templates sync` needs, or an error naming what to set. */
export async function graphSettingsFor(ctx: Context): Promise<GraphSettings & { readonly wabaId: string }> {
  const settings = settingsMap(await ctx.settings());
  const missing = missingSettings(settings, ['whatsapp.token', 'whatsapp.wabaId']);
  if (missing.length > 0) {
    throw new CanaleError(
      'WHATSAPP_NOT_CONFIGURED',
      `templates come from the WhatsApp Cloud API, which needs ${missing.join(' and ')} — set them, or try it locally with: canale sandbox`,
    );
  }
  return {
    apiUrl: String(settings.get('whatsapp.apiUrl')),
    apiVersion: String(settings.get('whatsapp.apiVersion')),
    token: String(settings.get('whatsapp.token')),
    wabaId: String(settings.get('whatsapp.wabaId')),
    timeoutMs: Number(settings.get('whatsapp.timeoutMs')),
    connections: 1,
  };
}
