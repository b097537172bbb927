// Writes a db.json of N realistic subscribers in canale's format (one record per line, version 2, as the release before
// issue 17 wrote it: without its index), streaming.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const FIRST = ['Maria', 'Giuseppe', 'Anna', 'Giovanni', 'Francesca', 'Luca', 'Chiara', 'Niccolò', 'Sofia', 'Andrea', 'Martina', 'Matteo', 'Giulia', 'Lorenzo', 'Alessandra', 'Gabriele'];
const LAST = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca', 'Mancini', 'Costa', 'Giordano', 'Rizzo', 'Lombardi', 'Moretti'];
const TOPICS = ['scuola', 'cantieri', 'raccolta-differenziata', 'mobilita', 'eventi', 'sociale', 'emergenze'];
const MUNICIPI = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII', 'XIII', 'XIV', 'XV'];

export const DEFAULT_TOPICS_JSON = [
  { id: 'scuola', label: 'Scuola' },
  { id: 'cantieri', label: 'Cantieri' },
  { id: 'raccolta-differenziata', label: 'Raccolta differenziata' },
  { id: 'mobilita', label: 'Mobilità' },
  { id: 'eventi', label: 'Eventi' },
  { id: 'sociale', label: 'Sociale' },
  { id: 'emergenze', label: 'Emergenze' },
];

/** A deterministic subscriber number i: about 2/3 with a phone, 2/3 with an e-mail, 1–3 topics. */
export function subscriber(i) {
  const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`;
  const hasPhone = i % 3 !== 2;
  const hasEmail = i % 3 !== 0;
  const topics = [TOPICS[i % 7], TOPICS[(i * 3 + 1) % 7], TOPICS[(i * 5 + 2) % 7]].slice(0, 1 + (i % 3));
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return {
    id: `sub_${i.toString(32).padStart(10, '0')}`,
    name,
    ...(hasPhone ? { phone: `+393${String(300000000 + i).padStart(9, '0')}` } : {}),
    ...(hasEmail ? { email: `${name.toLowerCase().replace(/[^a-z]/g, '.')}.${i}@example.it` } : {}),
    topics: [...new Set(topics)],
    channel: hasPhone ? 'whatsapp' : 'email',
    status: i % 50 === 0 ? 'unsubscribed' : 'active',
    attributes: { municipio: MUNICIPI[i % MUNICIPI.length], cap: String(100 + (i % 200)).padStart(5, '0') },
    consent: { source: 'import:iscritti.csv#0123456789ab', at },
    createdAt: at,
    updatedAt: at,
  };
}

export async function generateStore(path, count) {
  const out = createWriteStream(path, { mode: 0o600 });
  const write = async (text) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`{"version":2,\n"topics":[\n${DEFAULT_TOPICS_JSON.map((t) => JSON.stringify(t)).join(',\n')}\n],\n"subscribers":[`);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += `${i === 0 ? '\n' : ',\n'}${JSON.stringify(subscriber(i))}`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(`${chunk}\n],\n"templates":[]}\n`);
  out.end();
  await once(out, 'finish');
}
