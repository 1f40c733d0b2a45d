// Waiting for a state in tests: poll, no sleeps standing in for the wait.

/** Waits, polling every 50 ms, until `predicate` holds; fails naming `what` after `ms`. */
export async function until(what: string, predicate: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
