/**
 * Runs tasks that share a key one after another, in arrival order; tasks with different keys
 * run side by side. Two events for one issue arriving together (`opened` and a quick `edited`)
 * would otherwise both find no bot comment and both post one.
 */
export class SerialByKey {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    // Forget the key once its last task is done, so the map holds only busy issues.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
