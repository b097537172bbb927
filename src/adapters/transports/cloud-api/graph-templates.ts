import type { Template, TemplateButton, TemplateCategory, TemplateSource, TemplateStatus } from '../../../core/template.js';
import { HEADER_FORMATS, placeholdersOf, TEMPLATE_CATEGORIES, TEMPLATE_STATUSES } from '../../../core/template.js';
import { GraphClient, type GraphSettings } from './graph-client.js';

interface GraphButton {
  readonly type?: string;
  readonly text?: string;
  readonly url?: string;
  readonly phone_number?: string;
}

interface GraphComponent {
  readonly type?: string;
  readonly format?: string;
  readonly text?: string;
  readonly buttons?: readonly GraphButton[];
}

interface GraphTemplate {
  readonly id?: string;
  readonly name?: string;
  readonly language?: string;
  readonly category?: string;
  readonly status?: string;
  readonly parameter_format?: string;
  readonly components?: readonly GraphComponent[];
}

/**
 * A Graph button as canale keeps it: its type, label, URL or number, and the variables it takes — only a URL's
 * (`https://…/{{1}}`) are filled at send time; a quick reply's payload is the sender's, not a variable of the template.
 */
function buttonFromGraph(raw: GraphButton): TemplateButton {
  const url = typeof raw.url === 'string' ? raw.url : undefined;
  return {
    type: typeof raw.type === 'string' ? raw.type.toUpperCase() : '',
    text: typeof raw.text === 'string' ? raw.text : '',
    ...(url === undefined ? {} : { url }),
    ...(typeof raw.phone_number === 'string' ? { phoneNumber: raw.phone_number } : {}),
    parameters: url === undefined ? [] : placeholdersOf(url),
  };
}

/** One Graph template as canale's domain type, every component kept, or undefined when it lacks what canale needs. */
export function templateFromGraph(raw: GraphTemplate): Omit<Template, 'syncedAt'> | undefined {
  if (typeof raw.name !== 'string' || typeof raw.language !== 'string') return undefined;
  const components = Array.isArray(raw.components) ? raw.components : [];
  const part = (type: string): GraphComponent | undefined => components.find((c) => c.type?.toUpperCase() === type);
  const header = part('HEADER');
  const body = part('BODY')?.text ?? '';
  const footer = part('FOOTER')?.text;
  const listed = part('BUTTONS')?.buttons;
  const buttons = (Array.isArray(listed) ? listed : []).filter((b) => typeof b === 'object' && b !== null).map(buttonFromGraph);
  const headerFormat = HEADER_FORMATS.find((f) => f === header?.format?.toUpperCase());
  const status = (raw.status ?? '').toUpperCase();
  const category = (raw.category ?? '').toUpperCase();
  return {
    id: raw.id ?? `${raw.name}:${raw.language}`,
    name: raw.name,
    language: raw.language,
    category: (TEMPLATE_CATEGORIES as readonly string[]).includes(category) ? (category as TemplateCategory) : 'MARKETING',
    status: (TEMPLATE_STATUSES as readonly string[]).includes(status) ? (status as TemplateStatus) : 'PENDING',
    parameterFormat: raw.parameter_format?.toUpperCase() === 'NAMED' ? 'named' : 'positional',
    parameters: placeholdersOf(body),
    headerParameters: headerFormat === 'TEXT' && header?.text !== undefined ? placeholdersOf(header.text) : [],
    texts: {
      ...(header?.text === undefined ? {} : { header: header.text }),
      ...(headerFormat === undefined ? {} : { headerFormat }),
      body,
      ...(footer === undefined ? {} : { footer }),
      buttons: buttons.map((b) => b.text),
    },
    buttons,
  };
}

const PAGE_LIMIT = 100;
const MAX_PAGES = 100;

/** `GET /{version}/{WABA-ID}/message_templates`, followed page by page through `paging.cursors.after`. */
export class GraphTemplateSource implements TemplateSource {
  private readonly client: GraphClient;

  constructor(private readonly settings: GraphSettings & { readonly wabaId: string }) {
    this.client = new GraphClient(settings);
  }

  async fetchTemplates(signal: AbortSignal): ReturnType<TemplateSource['fetchTemplates']> {
    const templates: Array<Omit<Template, 'syncedAt'>> = [];
    const fields = 'id,name,language,category,status,parameter_format,components';
    let after: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = `fields=${fields}&limit=${PAGE_LIMIT}${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`;
        const reply = await this.client.call('GET', `${this.client.path(this.settings.wabaId, 'message_templates')}?${query}`, undefined, signal);
        if (!reply.ok) return reply;
        const data = Array.isArray(reply.json.data) ? (reply.json.data as GraphTemplate[]) : [];
        for (const raw of data) {
          const template = templateFromGraph(raw);
          if (template !== undefined) templates.push(template);
        }
        const paging = reply.json.paging as { next?: unknown; cursors?: { after?: unknown } } | undefined;
        const next = paging?.cursors?.after;
        if (typeof paging?.next !== 'string' || typeof next !== 'string' || data.length === 0) break;
        after = next;
      }
      return { ok: true, templates };
    } finally {
      await this.client.close();
    }
  }
}
