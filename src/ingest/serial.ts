/**
 * Runs jobs one after another, in the order given, counting the items still waiting: the change
 * hub and the MQTT notifier hand batches on this way, and look at `backlog` to see how far behind
 * they are. A failing job is reported and does not stop the ones after it.
 */
export class SerialQueue {
  /** Items of the jobs added but not finished yet. */
  backlog = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (err: unknown) => void) {}

  add(items: number, job: () => Promise<void> | void): void {
    this.backlog += items;
    this.tail = this.tail
      .then(job)
      .catch(this.onError)
      .finally(() => {
        this.backlog -= items;
      });
  }

  /** Settles when every job added so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
