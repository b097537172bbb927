/** A DNS label (RFC 1035 §2.3.1, as DKIM selectors and domain parts are): letters, digits, inner hyphens, 63 at most. */
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** Why `value` cannot be a DKIM selector (one or more dot-separated labels) or signing domain, or undefined when it can. */
export function dnsNameProblem(what: 'selector' | 'domain', value: string): string | undefined {
  const labels = value.split('.');
  if (what === 'domain' && (labels.length < 2 || value.length > 253)) return `a domain name such as comune.example.it`;
  if (!labels.every((l) => LABEL.test(l))) return `${what === 'domain' ? 'a domain name' : 'a selector'} made of DNS labels (letters, digits and hyphens, dot-separated), such as ${what === 'domain' ? 'comune.example.it' : 'canale2026'}`;
  return undefined;
}
