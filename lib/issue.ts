/**
 * Issuing async calls without holding the event loop.
 *
 * An async call does its JS-thread part when it is issued: checking the arguments against the plan, pinning the
 * caller's buffers and allocating fresh outputs (which can set off V8's garbage collection). A burst of calls made
 * in one go (a server handed 200 requests at once, `Promise.all` over a batch) would do all of that in one
 * event-loop turn: 200 calls on the ResNet stem shape held it for 13-32 ms. So issuing runs for at most
 * `ISSUE_BUDGET_MS` per turn, measured from the turn's first issue; the calls beyond it wait, in order, for the
 * next turns (`setImmediate`, so timers and I/O run in between). Nothing finishes later for it: the addon's pool
 * runs only a few kernels at a time, and one turn issues far more work than they finish in it.
 *
 * A call that waits is checked against its `AbortSignal` again when its turn comes: aborted meanwhile, it
 * rejects with the `AbortError` and never starts.
 */
import { checkSignal } from './abort';

/** Milliseconds of issuing per event-loop turn. */
export const ISSUE_BUDGET_MS = 1;

const waiting: ((() => void) | undefined)[] = []; // slots before `head` are spent
let head = 0; // waiting[head] is the next to issue
let windowStart = -1; // performance.now() at this turn's first issue; -1 until there is one
let turnScheduled = false;

function scheduleTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  setImmediate(nextTurn);
}

/** A new turn: the window reopens and the waiting calls are issued while it lasts. */
function nextTurn(): void {
  turnScheduled = false;
  windowStart = -1;
  while (head < waiting.length && withinBudget()) {
    const start = waiting[head];
    waiting[head++] = undefined; // let the closure go
    start?.();
  }
  if (head === waiting.length) {
    waiting.length = 0;
    head = 0;
  } else {
    scheduleTurn();
  }
}

function withinBudget(): boolean {
  const now = performance.now();
  if (windowStart < 0) {
    windowStart = now;
    scheduleTurn(); // closes this turn's window
  }
  return now - windowStart < ISSUE_BUDGET_MS;
}

/**
 * Starts `start` now if this turn's issuing budget allows and no earlier call is waiting, else in a later turn.
 * Never throws: a synchronous error from `start` (or an abort while waiting) becomes the rejection.
 */
export function issue<T>(signal: AbortSignal | undefined, start: () => Promise<T>): Promise<T> {
  if (head === waiting.length && withinBudget()) {
    try {
      return start();
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise<T>((resolve, reject) => {
    waiting.push(() => {
      try {
        checkSignal(signal);
        start().then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    });
    scheduleTurn();
  });
}
