/** Small Italian pages for the e-mail link (the preference page is preferences-page.ts): no JavaScript, no outside resources, readable by screen readers. */

export const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A page of canale's own: Italian, no JavaScript, no outside resources; `css` adds to its few rules. */
export function page(city: string, title: string, body: string, css = ''): string {
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escape(title)} — ${escape(city)}</title>
<style>body{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}button{font:inherit;padding:.6rem 1.2rem;border:2px solid #06c;background:#06c;color:#fff;border-radius:.3rem;cursor:pointer}button:focus{outline:3px solid #fa0;outline-offset:2px}label{display:block;margin:1rem 0}${css}</style>
</head>
<body>
<main>
<h1>${escape(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export function donePage(city: string, topicLabel: string | undefined): string {
  const what = topicLabel === undefined ? 'altri messaggi' : `altri messaggi su «${escape(topicLabel)}»`;
  return page(city, 'Iscrizione annullata', `<p role="status">Fatto: non riceverai ${what} da ${escape(city)}.</p>`);
}

export function invalidPage(city: string): string {
  return page(city, 'Link non valido', '<p role="alert">Questo link non è valido o è stato modificato. Usa il link nell’ultima e-mail ricevuta.</p>');
}

export function expiredPage(city: string): string {
  return page(city, 'Link scaduto', `<p role="alert">Questo link è scaduto. Usa il link nell’ultima e-mail ricevuta da ${escape(city)}, oppure rispondi a quella e-mail per annullare l’iscrizione.</p>`);
}

export function gonePage(city: string): string {
  return page(city, 'Nessuna iscrizione', '<p role="status">Non risulta più nessuna iscrizione per questo link: non riceverai altri messaggi.</p>');
}
