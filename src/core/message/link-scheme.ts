/** Schemes a link or image in an e-mail never has: they run code or carry content instead of pointing somewhere. */
const UNSAFE_SCHEME = /^(?:javascript|vbscript|data):/;

const NAMED: Readonly<Record<string, string>> = { tab: '\t', newline: '\n', colon: ':', nbsp: ' ', amp: '&', sol: '/', lpar: '(', rpar: ')' };

/** Control characters, blanks and invisible format characters: a lenient reader skips them inside a scheme. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const INVISIBLE = /[\u0000-\u0020\u007f-\u00a0\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g;

function fromCodePoint(code: number): string {
  return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}

/** Decodes numeric character references (with or without `;`, as browsers read them) and the named ones that matter. */
function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]{1,8});?/gi, (_m, hex: string) => fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d{1,10});?/g, (_m, dec: string) => fromCodePoint(Number(dec)))
    .replace(/&([a-z]+);/gi, (m, name: string) => NAMED[name.toLowerCase()] ?? m);
}

/** Decodes `%XX` sequences one by one, leaving a malformed one as it is. */
function decodePercents(text: string): string {
  return text.replace(/%[0-9a-f]{2}/gi, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
}

/**
 * Whether a URL would be a `javascript:`, `vbscript:` or `data:` link once a browser or mail client reads it. Read
 * the way the most lenient reader would: character references and `%XX` decoded (again, until nothing changes),
 * every control character, blank and invisible format character removed wherever it is (browsers drop tabs and line
 * breaks inside a scheme, `java&#x09;script:` is `javascript:`), case ignored, and any other `&name;` left dropped.
 * Errs on the side of refusing: a link that is only odd, not dangerous, at worst shows as text.
 */
export function isUnsafeUrl(url: string): boolean {
  let text = url;
  for (let round = 0; round < 5; round++) {
    const next = decodePercents(decodeEntities(text));
    if (next === text) break;
    text = next;
  }
  const squeezed = text.replace(/&[a-z0-9]+;?/gi, '').replace(INVISIBLE, '').toLowerCase();
  return UNSAFE_SCHEME.test(squeezed);
}
