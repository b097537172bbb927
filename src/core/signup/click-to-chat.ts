/**
 * WhatsApp's click-to-chat link (https://faq.whatsapp.com/5913398998672934): `https://wa.me/<number>?text=<text>`,
 * the number in international form without `+`, spaces or leading zeros, the text URL-encoded. Opening it on a phone
 * opens a chat with the city with the text ready to send: the citizen still taps send, so the message is their own.
 */
export function clickToChatUrl(number: string, text?: string): string {
  const digits = number.replace(/\D/g, '');
  if (!/^[1-9]\d{6,14}$/.test(digits)) throw new RangeError(`not an international phone number: ${number}`);
  return `https://wa.me/${digits}${text === undefined || text === '' ? '' : `?text=${encodeURIComponent(text)}`}`;
}
