/**
 * What the reload tests hold of the page: its requests for the model numbered as it sends them, and a note of
 * each answer once the page's code has read it. The server's answers are then held by the test (page.route on
 * `/api/model?call=N`) and given in the order the test decides, never by timing.
 */
import type { Page } from 'playwright-core';

/** Tests' view of the page: how many answers to /api/model its code has read, by the number of the call. */
interface AnswersWin {
  __modelAnswers?: number[];
}

/**
 * From the next page load on, the page asks for `/api/model?call=N` (1: the page's load, then one per reload),
 * and notes N once its code has read the answer (or handled the request's failure): a note seen by the test comes after the code that runs on
 * the answer (the rest of reload() runs in the same task, before any other).
 */
export async function numberModelRequests(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = globalThis as unknown as AnswersWin & { fetch: typeof fetch };
    const original = w.fetch.bind(globalThis);
    let calls = 0;
    w.__modelAnswers = [];
    w.fetch = async (input, init) => {
      if (input !== '/api/model') return original(input, init);
      const call = ++calls;
      let res: Response;
      try {
        res = await original(`/api/model?call=${call}`, init);
      } catch (error) {
        // A failed request is noted a task later, once the page's code has handled the failure (in microtasks).
        setTimeout(() => w.__modelAnswers!.push(call), 0);
        throw error;
      }
      const text = res.text.bind(res);
      Object.defineProperty(res, 'text', {
        value: async () => {
          const body = await text();
          w.__modelAnswers!.push(call);
          return body;
        },
      });
      return res;
    };
  });
}

/** Waits until the page's code has read `n` answers to its requests for the model (failures included). */
export async function modelAnswersRead(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (k) => ((globalThis as unknown as AnswersWin).__modelAnswers ?? []).length === k,
    n,
  );
}

/** The test's stand-in for the page's EventSource: `__emit` dispatches one server event to the page. */
interface EventsWin {
  __emit?: (type: string, data: unknown) => void;
}

/**
 * From the next page load on, the page's EventSource is the test's: it never connects, and `emitEvent` gives
 * it the server's events (`hello`, `model`, `problem`, or `error` for a lost connection) when the test decides.
 */
export async function driveEvents(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = globalThis as unknown as EventsWin & { EventSource: unknown };
    const listeners = new Map<string, ((e: { data: string }) => void)[]>();
    w.EventSource = class {
      addEventListener(type: string, listener: (e: { data: string }) => void): void {
        listeners.set(type, [...(listeners.get(type) ?? []), listener]);
      }
    };
    w.__emit = (type, data) => {
      for (const l of listeners.get(type) ?? []) l({ data: JSON.stringify(data) });
    };
  });
}

/** Gives the page one server event (after driveEvents); its handlers have run when this returns. */
export async function emitEvent(page: Page, type: string, data: unknown = null): Promise<void> {
  await page.evaluate(([t, d]) => (globalThis as unknown as EventsWin).__emit!(t as string, d), [type, data]);
}
