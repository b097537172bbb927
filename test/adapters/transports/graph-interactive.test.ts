import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { graphMessageBody } from '../../../src/adapters/transports/cloud-api/graph-message.js';
import type { E164 } from '../../../src/core/phone.js';
import { toggleAnswer, topicMenu } from '../../../src/core/replies/topic-menu.js';
import type { TopicId } from '../../../src/core/topic.js';
import type { ReplyContent } from '../../../src/core/transport.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SHARED_SPEC = `${REPO}../shared/reference/business-messaging-api_v23.0.yaml`;
const SPEC = existsSync(SHARED_SPEC) ? SHARED_SPEC : `${REPO}test/fixtures/meta/business-messaging-api_v23.0.yaml`;

interface Interactive {
  readonly type: string;
  readonly body: { readonly text: string };
  readonly action: { readonly button?: string; readonly sections: ReadonlyArray<{ readonly title?: string; readonly rows: ReadonlyArray<{ readonly id: string; readonly title: string; readonly description?: string }> }> };
}
const bodyOf = (content: ReplyContent) => graphMessageBody({ channel: 'whatsapp', to: '+393331234567' as E164, recipientKey: 'citizen', content }) as { interactive: Interactive };
const fifteen = Array.from({ length: 15 }, (_, i) => ({ id: `t${i + 1}` as TopicId, label: `Argomento ${i + 1}`, description: `Tutto su ${i + 1}` }));

describe('graphMessageBody: interactive lists and reply buttons', () => {
  it("builds a list in Graph's words", () => {
    const body = bodyOf({ kind: 'list', body: 'Scegli', button: 'Argomenti', footer: 'Comune', sections: [{ title: 'Temi', rows: [{ id: 'topic:a', title: 'A', description: 'Tutto su A' }, { id: 'topic:b', title: 'B' }] }] });
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+393331234567',
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Scegli' },
        footer: { text: 'Comune' },
        action: { button: 'Argomenti', sections: [{ title: 'Temi', rows: [{ id: 'topic:a', title: 'A', description: 'Tutto su A' }, { id: 'topic:b', title: 'B' }] }] },
      },
    });
  });

  it("keeps Meta's limits whatever it is given: texts cut with an ellipsis, 10 rows over all sections, ids once", () => {
    const rows = Array.from({ length: 8 }, (_, k) => ({ id: `r${k}`, title: `Riga ${k} ${'x'.repeat(30)}`, description: 'd'.repeat(80) }));
    const body = bodyOf({ kind: 'list', body: 'b'.repeat(1100), button: 'Scegli tra gli argomenti', sections: [{ title: 'Prima sezione dei temi, lunga', rows }, { title: 'Due', rows: [rows[0] as never, ...rows.map((r) => ({ ...r, id: `${r.id}b` }))] }] });
    const { interactive } = body;
    expect(interactive.body.text).toHaveLength(1024);
    expect(interactive.action.button).toBe('Scegli tra gli argo…');
    const all = interactive.action.sections.flatMap((s) => s.rows);
    expect(all).toHaveLength(10);
    expect(new Set(all.map((r) => r.id)).size).toBe(10);
    expect(interactive.action.sections[0]?.title).toHaveLength(24);
    for (const r of all) {
      expect(r.title.length).toBeLessThanOrEqual(24);
      expect(r.description).toHaveLength(72);
    }
  });

  it('builds at most three reply buttons, titles cut to 20', () => {
    const buttons = [1, 2, 3, 4].map((k) => ({ id: `b${k}`, title: `Pulsante numero ${k} troppo lungo` }));
    const { interactive } = bodyOf({ kind: 'buttons', body: 'Fatto.', buttons });
    expect(interactive).toEqual({
      type: 'button',
      body: { text: 'Fatto.' },
      action: { buttons: [1, 2, 3].map((k) => ({ type: 'reply', reply: { id: `b${k}`, title: `Pulsante numero ${k} t…` } })) },
    });
  });
});

describe.skipIf(!existsSync(SPEC))("canale's interactive answers against Meta's InteractiveObject (OpenAPI v23.0)", () => {
  const doc = parse(readFileSync(SPEC, 'utf8'), { maxAliasCount: -1 }) as { components: { schemas: Record<string, unknown> } };
  const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/')) as Record<string, unknown>;
  const ajv = new Ajv2020Module.default({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile({ $defs: defs, $ref: '#/$defs/InteractiveObject' });

  it.each<[string, ReplyContent]>([
    ['the first page of 15 topics', topicMenu(fifteen, ['t2' as TopicId])],
    ['the second page', topicMenu(fifteen, [], 2)],
    ["a stranger's list", topicMenu(fifteen.slice(0, 5), [], 1, { notice: { version: '1', url: 'https://comune.example.it/privacy' } })],
    ['the answer to a tap', toggleAnswer(fifteen, ['t1' as TopicId], 'Fatto.')],
    ['the answer to a tap that leaves the last topic', toggleAnswer(fifteen, [], 'Fatto.')],
  ])('%s is valid', (_label, content) => {
    const valid = validate(bodyOf(content).interactive);
    expect(valid ? [] : validate.errors).toEqual([]);
  });
});
