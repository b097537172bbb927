import { cutToLimit, INTERACTIVE_LIMITS as L } from '../../../core/interactive-limits.js';
import type { ButtonsContent, ListContent } from '../../../core/transport.js';

const footerOf = (footer: string | undefined) => (footer === undefined || footer === '' ? {} : { footer: { text: cutToLimit(footer, L.footer) } });

/**
 * The `interactive` object of a list message (reference: InteractiveObject, ActionObject, SectionObject), within
 * Meta's limits: texts cut with an ellipsis, at most 10 sections and 10 rows over all of them (the later ones
 * dropped), a row id seen twice dropped, and section titles only when there are several (then each has one).
 */
export function listInteractive(content: ListContent): Record<string, unknown> {
  let room: number = L.rows;
  const ids = new Set<string>();
  const sections = content.sections.slice(0, L.sections).flatMap((section, k) => {
    const rows = section.rows.filter((r) => r.id !== '' && r.id.length <= L.rowId && !ids.has(r.id) && ids.add(r.id)).slice(0, room);
    room -= rows.length;
    if (rows.length === 0) return [];
    const title = cutToLimit(section.title ?? `${k + 1}`, L.sectionTitle);
    return [
      {
        title,
        rows: rows.map((r) => ({ id: r.id, title: cutToLimit(r.title, L.rowTitle), ...(r.description === undefined || r.description === '' ? {} : { description: cutToLimit(r.description, L.rowDescription) }) })),
      },
    ];
  });
  const titled = sections.length > 1 || content.sections[0]?.title !== undefined ? sections : sections.map(({ rows }) => ({ rows }));
  return {
    type: 'list',
    body: { text: cutToLimit(content.body, L.body) },
    ...footerOf(content.footer),
    action: { button: cutToLimit(content.button, L.listButton), sections: titled },
  };
}

/** The `interactive` object of reply buttons: at most 3, each id once, titles cut to 20. */
export function buttonsInteractive(content: ButtonsContent): Record<string, unknown> {
  const ids = new Set<string>();
  const buttons = content.buttons.filter((b) => b.id !== '' && b.id.length <= L.buttonId && !ids.has(b.id) && ids.add(b.id)).slice(0, L.buttons);
  return {
    type: 'button',
    body: { text: cutToLimit(content.body, L.body) },
    ...footerOf(content.footer),
    action: { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: cutToLimit(b.title, L.buttonTitle) } })) },
  };
}
