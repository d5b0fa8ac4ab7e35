/**
 * Typed errors with Node-style `code`s. Every message names the parameter and the bad value.
 */

/** Error codes this package raises. */
export type ErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_OUT_OF_RANGE'
  | 'ERR_MAXPOOL2D_OUTPUT_TOO_SMALL'
  | 'ERR_MAXPOOL2D_BUFFER_LENGTH'
  | 'ERR_MAXPOOL2D_SHAPE_MISMATCH'
  | 'ERR_MAXPOOL2D_INVALID_INDEX'
  | 'ERR_MAXPOOL2D_OUTPUT_SIZE'
  | 'ERR_MAXPOOL2D_ALIASING'
  | 'ERR_MAXPOOL2D_ARG_COUNT'
  | 'ERR_MAXPOOL2D_INTERNAL';

/** A `TypeError` carrying a `code`. */
export class MaxPoolTypeError extends TypeError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'TypeError';
  }
}

/** A `RangeError` carrying a `code`. */
export class MaxPoolRangeError extends RangeError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'RangeError';
  }
}

/** Renders a value for an error message: short, unambiguous, never throws. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) {
    const items = value.slice(0, 6).map(describe).join(', ');
    return `[${items}${value.length > 6 ? ', …' : ''}]`;
  }
  if (ArrayBuffer.isView(value)) {
    const length = (value as { length?: number }).length;
    return `${value.constructor.name}(${length ?? value.byteLength})`;
  }
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return typeof value;
}

export function typeError(name: string, expected: string, value: unknown): MaxPoolTypeError {
  return new MaxPoolTypeError('ERR_INVALID_ARG_TYPE', `${name} must be ${expected}, but got ${describe(value)}`);
}

export function rangeError(name: string, expected: string, value: unknown, code: ErrorCode = 'ERR_OUT_OF_RANGE') {
  return new MaxPoolRangeError(code, `${name} must be ${expected}, but got ${describe(value)}`);
}
