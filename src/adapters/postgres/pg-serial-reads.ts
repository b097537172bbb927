/**
 * One read at a time of what other machines keep appending to (a campaign's dropped list, the opt-out feed): a
 * wake-up (a NOTIFY, a poll) during a read makes one more read right after it, however many came meanwhile; a read
 * that fails waits for the next wake-up. Once closed no read starts.
 */
export class SerialReads {
  private reading: Promise<void> | undefined;
  private isAgain = false;
  private isClosed = false;

  constructor(private readonly read: () => Promise<void>) {}

  /** Reads now, or once more right after the read under way. */
  wake(): void {
    if (this.isClosed) return;
    if (this.reading !== undefined) {
      this.isAgain = true;
      return;
    }
    this.follow(this.read());
  }

  /** Takes `read`, already started, as the read under way. */
  follow(read: Promise<void>): void {
    this.reading = read
      .catch(() => undefined)
      .finally(() => {
        this.reading = undefined;
        if (this.isAgain) {
          this.isAgain = false;
          this.wake();
        }
      });
  }

  /** No read starts from now (at once, before it resolves); resolves when the one under way has ended. */
  async close(): Promise<void> {
    this.isClosed = true;
    await this.reading;
  }
}
