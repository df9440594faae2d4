/**
 * The server-sent events of a running `netfence serve` (`/api/events`), read as they arrive: a test waits for
 * the next event it expects, never for a time.
 */

export interface EventStream {
  /**
   * Reads until `needle` matches the text not yet consumed, then drops that text up to the end of the match and
   * returns the match: each call waits for an event after the last one matched. Fails when the stream ends first.
   */
  next: (needle: RegExp) => Promise<string>;
  /** Stops reading and closes the connection (safe to call more than once). */
  close: () => Promise<void>;
}

/** Opens `origin`'s event stream (`http://127.0.0.1:PORT`). */
export async function eventStream(origin: string): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(`${origin}/api/events`, { signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    next: async (needle) => {
      for (;;) {
        const m = needle.exec(text);
        if (m !== null) {
          text = text.slice(m.index + m[0].length);
          return m[0];
        }
        const { value, done } = (await reader.read()) as { value: Uint8Array | undefined; done: boolean };
        if (done) throw new Error(`events ended before ${String(needle)}; unread:\n${text}`);
        text += decoder.decode(value, { stream: true });
      }
    },
    close: async () => {
      await reader.cancel().catch(() => undefined);
      controller.abort();
    },
  };
}
