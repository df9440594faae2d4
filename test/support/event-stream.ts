/**
 * The server-sent events of a running `netfence serve` (`/api/events`), read as they arrive: a test waits for
 * the next event it expects, never for a time.
 */

/** One server-sent event as `next` matches it: `event: NAME\ndata: JSON\n\n`. */
export const ANY_EVENT = /event: [^\n]*\ndata: [^\n]*\n\n/;

export interface NextOptions {
  /**
   * A last resort by the clock, for a wait on a server that may never send the event while it keeps working
   * (an in-process server, whose CPU time is the test's own): fails after this many ms, saying so. Default: none.
   */
  lastResortMs?: number;
  /** What a failure adds to its message (e.g. the server's stderr). */
  detail?: () => string;
}

export interface EventStream {
  /** The response's headers. */
  headers: Headers;
  /**
   * Reads until `needle` matches the text not yet consumed, then drops that text up to the end of the match and
   * returns the match: each call waits for an event after the last one matched. Fails when the stream ends first.
   */
  next: (needle: RegExp, options?: NextOptions) => Promise<string>;
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
    headers: response.headers,
    next: async (needle, options = {}) => {
      const failure = (why: string): Error =>
        new Error(`${why}; unread:\n${text}${options.detail === undefined ? '' : `\n${options.detail()}`}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const { lastResortMs } = options;
      const lastResort =
        lastResortMs === undefined
          ? undefined
          : new Promise<never>((_, reject) => {
              timer = setTimeout(
                () =>
                  reject(
                    failure(`no ${String(needle)} at the last resort of ${lastResortMs} ms by the clock`),
                  ),
                lastResortMs,
              );
            });
      try {
        for (;;) {
          const m = needle.exec(text);
          if (m !== null) {
            text = text.slice(m.index + m[0].length);
            return m[0];
          }
          const read = reader.read() as Promise<{ value: Uint8Array | undefined; done: boolean }>;
          const { value, done } = await (lastResort === undefined ? read : Promise.race([read, lastResort]));
          if (done) throw failure(`events ended before ${String(needle)}`);
          text += decoder.decode(value, { stream: true });
        }
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      await reader.cancel().catch(() => undefined);
      controller.abort();
    },
  };
}
