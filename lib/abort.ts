/** AbortSignal handling for the async forms. */
import { typeError } from './errors';

/** Options of the async forms: everything the sync form takes, plus an `AbortSignal`. */
export interface AsyncOptions {
  /** Rejects with an `AbortError` if aborted before the work starts. */
  signal?: AbortSignal;
}

/** The DOMException Node's own APIs reject with when aborted; the signal's reason is its `cause`. */
function abortError(signal: AbortSignal): Error {
  const error = new DOMException('The operation was aborted', 'AbortError');
  if (signal.reason !== undefined) Object.defineProperty(error, 'cause', { value: signal.reason });
  return error;
}

/** Throws a TypeError for a non-signal, an AbortError for an aborted one. */
export function checkSignal(signal: unknown): void {
  if (signal === undefined || signal === null) return;
  if (!(signal instanceof AbortSignal)) throw typeError('signal', 'an AbortSignal', signal);
  if (signal.aborted) throw abortError(signal);
}
