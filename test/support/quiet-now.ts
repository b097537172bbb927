/** Quiet hours from an hour before to two hours after now on Europe/Rome's wall clock, so they hold for a whole test. */
export function quietAroundNow(): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', hourCycle: 'h23' }).formatToParts(new Date());
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const at = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
  return `${at(hour - 1)}-${at(hour + 2)}`;
}
