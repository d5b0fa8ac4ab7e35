'use strict';
// Hostile calls on the RAW native binding (node-gyp-build, no lib/), driven by test/hostile.test.ts.
//
//   node --expose-gc test/hostile/raw-cases.cjs list            -> one JSON line: { count, groups }
//   node --expose-gc test/hostile/raw-cases.cjs run FROM TO     -> runs cases [FROM, TO)
//
// Protocol on stdout (fs.writeSync, so every line is out before the next call is made):
//   CASE <id> <name>        just before case <id> runs: a crash (signal, abort, ASan report) is attributable
//   PASS <id> <outcome>     the outcome matched the expectation (outcome: "throw TypeError ERR_...", "return", ...)
//   FAIL <id> <outcome> | <why>
//   DONE <from> <to>        every case ran; exit code 0
// Cases are generated deterministically, so a case id means the same call in every process.
const fs = require('node:fs');
const path = require('node:path');
const ref = require('./reference.cjs');

const root = path.join(__dirname, '..', '..');
const b = require('node-gyp-build')(root);

const INT64_MAX = (1n << 63n) - 1n;

// ---------------------------------------------------------------------------------------------------
// Expectations

const throws = (name, ...codes) => ({ kind: 'throw', name, codes });
const rejects = (name, ...codes) => ({ kind: 'reject', name, codes });
const returns = (check) => ({ kind: 'return', check });
const resolves = (check) => ({ kind: 'resolve', check });
/** Either a coded RangeError (any of `codes`), or success with `check` passing. */
const rangeOrOk = (codes, check, isAsync) => ({
  kind: 'any',
  options: [throws('RangeError', ...codes), isAsync ? resolves(check) : returns(check)],
});

/** Success, for the sync or the async form. */
const ok = (isAsync, check) => (isAsync ? resolves(check) : returns(check));

const cases = [];
const groups = {};
let currentGroup = '';

function group(name, fn) {
  currentGroup = name;
  const from = cases.length;
  fn();
  groups[name] = [from, cases.length];
}

/** `call` makes fresh arguments and calls the binding; it returns what the binding returned. */
function add(name, call, expect) {
  cases.push({ name: `${currentGroup}/${name}`, call, expect });
}

// ---------------------------------------------------------------------------------------------------
// Valid baselines. Pool: 2 planes of 5x6, kernel 3x2, stride 2x1, padding 1x1, dilation 1x2.

const G0 = { planes: 2, H: 5, W: 6, kH: 3, kW: 2, sH: 2, sW: 1, pH: 1, pW: 1, dH: 1, dW: 2 };
G0.OH = ref.outSize(G0.H, G0.kH, G0.sH, G0.pH, G0.dH);
G0.OW = ref.outSize(G0.W, G0.kW, G0.sW, G0.pW, G0.dW);
const IN0 = G0.planes * G0.H * G0.W;
const OUT0 = G0.planes * G0.OH * G0.OW;

const poolPlan = (g) =>
  new Float64Array([g.planes, g.H, g.W, g.OH, g.OW, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW]);

// Unpool: 2 planes of 2x3 scattered into 4x5.
const U0 = { planes: 2, IH: 2, IW: 3, OH: 4, OW: 5 };
const UIN0 = U0.planes * U0.IH * U0.IW;
const UOUT0 = U0.planes * U0.OH * U0.OW;
const unpoolPlan = (u) => new Float64Array([u.planes, u.IH, u.IW, u.OH, u.OW]);
const UIDX0 = [19, 0, 7, 3, 12, 18, 5, 6, 0, 19, 11, 2]; // plane-local, all < 20

const F = { f32: Float32Array, f64: Float64Array };
const I = { i32: Int32Array, i64: BigInt64Array };

function poolInput(dtype = 'f32', seed = 1, length = IN0) {
  return ref.fillAdversarial(new F[dtype](length), seed);
}

function unpoolInput(dtype = 'f32', length = UIN0) {
  const a = new F[dtype](length);
  for (let i = 0; i < length; i++) a[i] = i + 1;
  return a;
}

function unpoolIndices(kind = 'i32', values = UIDX0) {
  return kind === 'i64' ? BigInt64Array.from(values, BigInt) : Int32Array.from(values);
}

/** Checks a pooling result against the reference (values bit for bit; indices exactly). */
function poolCheck(input, output, indices, g) {
  return () => {
    const want = ref.referencePool(input, g);
    const at = ref.firstBitDifference(output, want.output);
    if (at >= 0) return `output[${at}] differs from the reference`;
    if (indices) {
      // Windows with no tap in bounds report the first tap's position; compare those only while exact.
      const mask = Uint8Array.from(want.picked, (p, i) => (p || Number.isSafeInteger(want.indices[i]) ? 1 : 0));
      const bad = ref.firstIndexDifference(indices, want.indices, mask);
      if (bad >= 0) return `indices[${bad}] = ${indices[bad]}, expected ${want.indices[bad]}`;
    }
    return null;
  };
}

function unpoolCheck(input, indices, output, u) {
  return () => {
    const want = ref.referenceUnpool(input, indices, u.planes, u.IH * u.IW, u.OH * u.OW);
    const at = ref.firstBitDifference(output, want);
    return at >= 0 ? `output[${at}] differs from the reference` : null;
  };
}

/** Checks that every element of `array` still holds `value` (buffers a failed call must not touch). */
function untouched(array, value, label) {
  for (let i = 0; i < array.length; i++) {
    if (!Object.is(array[i], value)) return `${label}[${i}] was written (${array[i]})`;
  }
  return null;
}

const OPS = [
  { name: 'maxPool2d', kind: 'pool', isAsync: false },
  { name: 'maxPool2dAsync', kind: 'pool', isAsync: true },
  { name: 'maxUnpool2d', kind: 'unpool', isAsync: false },
  { name: 'maxUnpool2dAsync', kind: 'unpool', isAsync: true },
];

/** Fresh valid arguments for an op, plus the check of a successful call. */
function validArgs(op, dtype = 'f32', idx = 'i32') {
  if (op.kind === 'pool') {
    const input = poolInput(dtype);
    const output = new F[dtype](OUT0);
    const indices = idx ? new I[idx](OUT0) : null;
    return { args: [input, output, indices, poolPlan(G0), 0], check: poolCheck(input, output, indices, G0) };
  }
  const input = unpoolInput(dtype);
  const indices = unpoolIndices(idx || 'i32');
  const output = new F[dtype](UOUT0).fill(9);
  return { args: [input, indices, output, unpoolPlan(U0), 0], check: unpoolCheck(input, indices, output, U0) };
}

const fn = (op) => b[op.name];
const call = (op, args) => fn(op)(...args);

// binding.d.ts grew two optional arguments (dtype, channels: 5 to 7 arguments) and integer / 16-bit value
// arrays. A build that has them accepts a 7-argument call; the cases below adapt to either surface.
const EXTENDED = (() => {
  const { args } = validArgs(OPS[0]);
  try {
    b.maxPool2d(...args, undefined, 0);
    return true;
  } catch (e) {
    return e.code !== 'ERR_MAXPOOL2D_ARG_COUNT';
  }
})();
// The pool ops also take an eighth, `freshOutput` (a boolean hint).
const maxArgs = (op) => (EXTENDED ? (op.kind === 'pool' ? 8 : 7) : 5);
const OPTIONAL_DEFAULTS = [undefined, 0, false]; // dtype, channels, freshOutput

// ---------------------------------------------------------------------------------------------------
// Hostile values for an argument slot. Factories, so every case gets fresh objects.

const revokedProxy = (n) => {
  const { proxy, revoke } = Proxy.revocable(new Float32Array(n), {});
  revoke();
  return proxy;
};

const HOSTILE = [
  ['undefined', () => undefined],
  ['true', () => true],
  ['string', () => 'abc'],
  ['empty-string', () => ''],
  ['numeric-string', () => '16'],
  ['bigint', () => 1n],
  ['huge-bigint', () => 2n ** 200n],
  ['symbol', () => Symbol('x')],
  ['well-known-symbol', () => Symbol.iterator],
  ['arrow-function', () => () => 0],
  ['class', () => class {}],
  ['typed-array-constructor', () => Float32Array],
  ['empty-array', () => []],
  ['plain-array', (n) => Array.from({ length: n }, (_, i) => i)],
  ['sparse-array', (n) => new Array(n)],
  ['empty-object', () => ({})],
  ['array-like', (n) => ({ length: n, 0: 1, 1: 2 })],
  [
    'typed-array-like',
    (n) => {
      const t = new Float32Array(n);
      return { buffer: t.buffer, byteOffset: 0, byteLength: t.byteLength, length: n, BYTES_PER_ELEMENT: 4 };
    },
  ],
  ['float32-prototype-object', () => Object.create(Float32Array.prototype)],
  ['proxy-of-float32', (n) => new Proxy(new Float32Array(n), {})],
  ['revoked-proxy', revokedProxy],
  ['array-buffer', (n) => new ArrayBuffer(n * 8)],
  ['shared-array-buffer', (n) => new SharedArrayBuffer(n * 8)],
  ['data-view', (n) => new DataView(new ArrayBuffer(n * 8))],
  ['uint8', (n) => new Uint8Array(n)],
  ['uint8-clamped', (n) => new Uint8ClampedArray(n)],
  ['int8', (n) => new Int8Array(n)],
  ['int16', (n) => new Int16Array(n)],
  ['uint16', (n) => new Uint16Array(n)],
  ['uint32', (n) => new Uint32Array(n)],
  ['biguint64', (n) => new BigUint64Array(n)],
  ['node-buffer', (n) => Buffer.alloc(n)],
  ['number-object', () => new Number(0)],
  ['string-object', () => new String('x')],
  ['date', () => new Date(0)],
  ['map', () => new Map()],
  ['promise', (n) => Promise.resolve(new Float32Array(n))],
  ['error', () => new Error('x')],
  ['global-this', () => globalThis],
  ['frozen-object', () => Object.freeze({ length: 1 })],
  ['to-primitive-object', () => ({ [Symbol.toPrimitive]: () => 0, valueOf: () => 0 })],
];

// Numbers (and -0) are valid kinds only for `threads`; elsewhere they are hostile too.
const NUMBERS = [
  ['zero', 0, 'ok'],
  ['minus-zero', -0, 'ok'],
  ['one', 1, 'ok'],
  ['max-threads', 1024, 'ok'],
  ['too-many-threads', 1025, 'range'],
  ['minus-one', -1, 'range'],
  ['fraction', 1.5, 'range'],
  ['nan', Number.NaN, 'range'],
  ['infinity', Number.POSITIVE_INFINITY, 'range'],
  ['minus-infinity', Number.NEGATIVE_INFINITY, 'range'],
  ['two-pow-31', 2 ** 31, 'range'],
  ['two-pow-53', 2 ** 53, 'range'],
  ['1e300', 1e300, 'range'],
  ['min-value', Number.MIN_VALUE, 'range'],
  ['max-value', Number.MAX_VALUE, 'range'],
];

const BAD_FIELD_VALUES = [
  ['nan', Number.NaN],
  ['infinity', Number.POSITIVE_INFINITY],
  ['minus-infinity', Number.NEGATIVE_INFINITY],
  ['minus-one', -1],
  ['minus-half', -0.5],
  ['half', 0.5],
  ['one-and-half', 1.5],
  ['two-pow-53-plus-2', 2 ** 53 + 2],
  ['two-pow-60', 2 ** 60],
  ['two-pow-64', 2 ** 64],
  ['1e300', 1e300],
  ['minus-1e300', -1e300],
  ['max-value', Number.MAX_VALUE],
  ['min-value', Number.MIN_VALUE],
  ['minus-two-pow-53', -(2 ** 53)],
  ['minus-two-pow-63', -(2 ** 63)],
];

const POOL_FIELDS = ['planes', 'H', 'W', 'OH', 'OW', 'kH', 'kW', 'sH', 'sW', 'pH', 'pW', 'dH', 'dW'];
const AT_LEAST_ONE = new Set(['kH', 'kW', 'sH', 'sW', 'dH', 'dW']);
const UNPOOL_FIELDS = ['planes', 'IH', 'IW', 'OH', 'OW'];

const SLOT_NAMES = {
  pool: ['input', 'output', 'indices', 'plan', 'threads'],
  unpool: ['input', 'indices', 'output', 'plan', 'threads'],
};

// ---------------------------------------------------------------------------------------------------
// The 64-bit plan arithmetic of native/plan.cc, in BigInt, to predict what a plan should do.

function mulChecked(a, b) {
  const r = a * b;
  return r > INT64_MAX ? null : r;
}
function addChecked(a, b) {
  const r = a + b;
  return r > INT64_MAX ? null : r;
}
function reachOf(out, stride, kernel, dilation) {
  const starts = mulChecked(out > 0n ? out - 1n : 0n, stride);
  const span = mulChecked(kernel - 1n, dilation);
  if (starts === null || span === null) return null;
  const r = addChecked(starts, span);
  return r === null ? null : addChecked(r, dilation + 1n);
}
/** 'overflow' when the plan must be refused with ERR_OUT_OF_RANGE, else { input, output } lengths. */
function predictPool(g) {
  const v = Object.fromEntries(POOL_FIELDS.map((k) => [k, BigInt(g[k])]));
  const inPlane = mulChecked(v.H, v.W);
  const input = inPlane === null ? null : mulChecked(v.planes, inPlane);
  if (input === null) return 'overflow';
  const outPlane = mulChecked(v.OH, v.OW);
  const output = outPlane === null ? null : mulChecked(v.planes, outPlane);
  if (output === null) return 'overflow';
  const rh = reachOf(v.OH, v.sH, v.kH, v.dH);
  const rw = reachOf(v.OW, v.sW, v.kW, v.dW);
  if (rh === null || rw === null) return 'overflow';
  const r1 = mulChecked(rh, v.W > 0n ? v.W : 1n);
  const r = r1 === null ? null : addChecked(r1, rw);
  if (r === null || r > 1n << 62n) return 'overflow';
  return { input, output, inPlane };
}

// ---------------------------------------------------------------------------------------------------
// Groups

group('arity', () => {
  for (const op of OPS) {
    for (const n of [0, 1, 2, 3, 4, 6, 7, 8, 12]) {
      const valid = n >= 5 && n <= maxArgs(op);
      add(
        `${op.name}/${n}-args`,
        () => {
          const v = validArgs(op);
          while (v.args.length < n) v.args.push(v.args.length < 8 ? OPTIONAL_DEFAULTS[v.args.length - 5] : 0);
          const r = call(op, v.args.slice(0, n));
          return op.isAsync ? r.then(() => v.check) : v.check;
        },
        valid ? ok(op.isAsync, (check) => check()) : throws('TypeError', 'ERR_MAXPOOL2D_ARG_COUNT'),
      );
    }
    add(`${op.name}/as-constructor-no-args`, () => Reflect.construct(fn(op), []), throws('TypeError'));
    add(
      `${op.name}/as-constructor-valid-args`,
      () => {
        const { args } = validArgs(op);
        const result = Reflect.construct(fn(op), args);
        return op.isAsync ? Promise.resolve(result).then(() => undefined) : undefined;
      },
      op.isAsync ? resolves(() => null) : returns(() => null),
    );
    add(
      `${op.name}/this-null`,
      () => {
        const v = validArgs(op);
        const r = fn(op).apply(null, v.args);
        return op.isAsync ? r.then(() => v.check) : v.check;
      },
      ok(op.isAsync, (check) => check()),
    );
    add(
      `${op.name}/this-primitive`,
      () => {
        const v = validArgs(op);
        const r = fn(op).apply(42, v.args);
        return op.isAsync ? r.then(() => v.check) : v.check;
      },
      ok(op.isAsync, (check) => check()),
    );
  }
  for (const [name, n] of [
    ['isa', 1],
    ['supportedIsas', 1],
    ['getNumThreads', 1],
    ['mallocTuning', 1],
    ['setIsa', 0],
    ['setIsa', 2],
    ['setNumThreads', 0],
    ['setNumThreads', 2],
  ]) {
    add(`${name}/${n}-args`, () => b[name](...Array(n).fill('scalar')), throws('TypeError', 'ERR_MAXPOOL2D_ARG_COUNT'));
  }
});

group('types', () => {
  for (const op of OPS) {
    for (let slot = 0; slot < 5; slot++) {
      const slotName = SLOT_NAMES[op.kind][slot];
      const values = [...HOSTILE, ['null', () => null]];
      for (const [label, make] of values) {
        // null is how pool says "no indices": a valid call, not a hostile one.
        const valid = op.kind === 'pool' && slot === 2 && label === 'null';
        // A null output asks an async call to allocate it: valid too, checked on what the Promise returns.
        const outputSlot = op.kind === 'pool' ? 1 : 2;
        if (op.isAsync && slot === outputSlot && label === 'null') {
          add(
            `${op.name}/${slotName}=null-allocates`,
            () => {
              const v = validArgs(op);
              v.args[slot] = null;
              return call(op, v.args).then((result) =>
                op.kind === 'pool'
                  ? poolCheck(v.args[0], result[0], result[1], G0)
                  : unpoolCheck(v.args[0], v.args[1], result, U0),
              );
            },
            ok(true, (check) => check()),
          );
          continue;
        }
        add(
          `${op.name}/${slotName}=${label}`,
          () => {
            const v = validArgs(op);
            const n = slot < 4 && v.args[slot] ? v.args[slot].length : IN0;
            v.args[slot] = make(n);
            if (!valid) return call(op, v.args);
            const check = poolCheck(v.args[0], v.args[1], null, G0);
            const r = call(op, v.args);
            return op.isAsync ? r.then(() => check) : check;
          },
          valid ? ok(op.isAsync, (check) => check()) : throws('TypeError', 'ERR_INVALID_ARG_TYPE'),
        );
      }
      if (slot === 4) {
        for (const [label, value, outcome] of NUMBERS) {
          add(
            `${op.name}/threads=${label}`,
            () => {
              const v = validArgs(op);
              v.args[4] = value;
              const r = call(op, v.args);
              return op.isAsync ? r.then(() => v.check) : v.check;
            },
            outcome === 'ok' ? ok(op.isAsync, (check) => check()) : throws('RangeError', 'ERR_OUT_OF_RANGE'),
          );
        }
      } else {
        for (const [label, value] of NUMBERS) {
          add(
            `${op.name}/${slotName}=number-${label}`,
            () => {
              const v = validArgs(op);
              v.args[slot] = value;
              return call(op, v.args);
            },
            throws('TypeError', 'ERR_INVALID_ARG_TYPE'),
          );
        }
      }
    }
  }
});

group('kinds', () => {
  // Typed arrays of a kind the slot does not take (including valid kinds of other slots).
  const KINDS = {
    Float32Array: (n) => new Float32Array(n),
    Float64Array: (n) => new Float64Array(n),
    Int32Array: (n) => new Int32Array(n),
    BigInt64Array: (n) => new BigInt64Array(n),
    Uint32Array: (n) => new Uint32Array(n),
    BigUint64Array: (n) => new BigUint64Array(n),
  };
  for (const op of OPS) {
    for (const dtype of ['f32', 'f64']) {
      const floatName = dtype === 'f32' ? 'Float32Array' : 'Float64Array';
      for (let slot = 0; slot < 4; slot++) {
        const slotName = SLOT_NAMES[op.kind][slot];
        const isIndices = slotName === 'indices';
        const isPlan = slotName === 'plan';
        for (const [kind, make] of Object.entries(KINDS)) {
          const valid =
            (isIndices && (kind === 'Int32Array' || kind === 'BigInt64Array')) ||
            (isPlan && kind === 'Float64Array') ||
            (!isIndices && !isPlan && kind === floatName);
          if (valid) continue;
          add(
            `${op.name}/${dtype}/${slotName}=${kind}`,
            () => {
              const v = validArgs(op, dtype);
              v.args[slot] = make(v.args[slot].length);
              return call(op, v.args);
            },
            throws('TypeError', 'ERR_INVALID_ARG_TYPE'),
          );
        }
      }
    }
  }
});

group('lengths', () => {
  for (const op of OPS) {
    for (const dtype of ['f32', 'f64']) {
      for (const idx of ['i32', 'i64']) {
        for (let slot = 0; slot < 4; slot++) {
          const slotName = SLOT_NAMES[op.kind][slot];
          const { args } = validArgs(op, dtype, idx);
          const n = args[slot].length;
          if (slotName !== 'indices' && idx === 'i64') continue; // only once per value slot
          for (const length of new Set([0, 1, n - 1, n + 1, 2 * n, 4096])) {
            add(
              `${op.name}/${dtype}/${idx}/${slotName}.length=${length}`,
              () => {
                const v = validArgs(op, dtype, idx);
                v.args[slot] = new v.args[slot].constructor(length);
                return call(op, v.args);
              },
              throws('RangeError', 'ERR_MAXPOOL2D_BUFFER_LENGTH'),
            );
          }
        }
      }
    }
    // A plan of the other op's length.
    add(
      `${op.name}/plan-of-other-op`,
      () => {
        const v = validArgs(op);
        v.args[3] = op.kind === 'pool' ? unpoolPlan(U0) : poolPlan(G0);
        return call(op, v.args);
      },
      throws('RangeError', 'ERR_MAXPOOL2D_BUFFER_LENGTH'),
    );
  }
});

group('dtype-mix', () => {
  for (const op of OPS) {
    for (const [a, c] of [
      ['f32', 'f64'],
      ['f64', 'f32'],
    ]) {
      add(
        `${op.name}/${a}-input-${c}-output`,
        () => {
          const v = validArgs(op, a);
          const outSlot = op.kind === 'pool' ? 1 : 2;
          v.args[outSlot] = new F[c](v.args[outSlot].length);
          return call(op, v.args);
        },
        throws('TypeError', 'ERR_INVALID_ARG_TYPE'),
      );
    }
  }
});

group('plan-fields', () => {
  for (const op of OPS) {
    const fields = op.kind === 'pool' ? POOL_FIELDS : UNPOOL_FIELDS;
    fields.forEach((field, i) => {
      const bad = [...BAD_FIELD_VALUES];
      if (AT_LEAST_ONE.has(field)) bad.push(['zero', 0]);
      for (const [label, value] of bad) {
        add(
          `${op.name}/${field}=${label}`,
          () => {
            const v = validArgs(op);
            v.args[3][i] = value;
            return call(op, v.args);
          },
          throws('RangeError', 'ERR_OUT_OF_RANGE'),
        );
      }
      // Large integers that are valid fields: refused by the size / reach checks or by a length mismatch,
      // or (padding, which no length depends on) run with every window outside the input.
      for (const value of [2 ** 31, 2 ** 32, 2 ** 53]) {
        add(
          `${op.name}/${field}=${value}`,
          () => {
            const v = validArgs(op);
            v.args[3][i] = value;
            const r = call(op, v.args);
            const g = { ...G0, [field]: value };
            const check = op.kind === 'pool' ? poolCheck(v.args[0], v.args[1], v.args[2], g) : v.check;
            return op.isAsync ? r.then(() => check) : check;
          },
          rangeOrOk(['ERR_OUT_OF_RANGE', 'ERR_MAXPOOL2D_BUFFER_LENGTH'], (check) => check(), op.isAsync),
        );
      }
    });
  }
});

group('int64-overflow', () => {
  const next = ref.rng(42);
  const VALUES = [0, 1, 2, 3, 7, 2 ** 20, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53];
  const pick = () => VALUES[Math.floor(next() * VALUES.length)];
  // Products of sizes: every field large in turn, with zero planes so lengths can match.
  const fixed = [
    { planes: 2 ** 53, H: 2 ** 53, W: 1 },
    { planes: 2 ** 32, H: 2 ** 32, W: 1 },
    { planes: 1, H: 2 ** 32, W: 2 ** 32 },
    { planes: 2 ** 21, H: 2 ** 21, W: 2 ** 21 },
    { planes: 3, H: 2 ** 31, W: 2 ** 31 },
    { planes: 0, H: 2 ** 53, W: 2 ** 53 },
    { planes: 0, OH: 2 ** 53, OW: 2 ** 53 },
    { planes: 2 ** 40, OH: 2 ** 20, OW: 2 ** 4 },
    { planes: 0, OH: 2 ** 40, sH: 2 ** 40 },
    { planes: 0, kW: 2 ** 53, dW: 2 ** 53 },
    { planes: 0, H: 0, W: 2 ** 53, OH: 2 ** 53 },
    { planes: 0, OW: 2 ** 53, sW: 2 ** 10 },
    { planes: 0, kH: 2 ** 32, dH: 2 ** 31 },
    { planes: 0, H: 2 ** 31, W: 2 ** 31, OH: 2 ** 31, sH: 1 },
  ];
  const geometries = fixed.map((f) => ({ ...G0, ...f }));
  for (let i = 0; i < 100; i++) {
    const g = { ...G0, planes: next() < 0.7 ? 0 : pick() };
    for (const f of ['H', 'W', 'OH', 'OW', 'kH', 'kW', 'sH', 'sW', 'dH', 'dW']) {
      if (next() < 0.45) g[f] = Math.max(AT_LEAST_ONE.has(f) ? 1 : 0, pick());
    }
    geometries.push(g);
  }
  geometries.forEach((g, i) => {
    const predicted = predictPool(g);
    for (const op of OPS.filter((o) => o.kind === 'pool')) {
      add(
        `${op.name}/${i}/${POOL_FIELDS.map((k) => g[k]).join(',')}`,
        () => {
          // Buffers sized as the plan asks when that is small, else tiny (then a length error is expected).
          const small = predicted !== 'overflow' && predicted.input <= 4096n && predicted.output <= 4096n;
          const input = poolInput('f32', 3, small ? Number(predicted.input) : 4);
          const output = new Float32Array(small ? Number(predicted.output) : 4);
          const indices = new BigInt64Array(output.length);
          const r = call(op, [input, output, indices, poolPlan(g), 0]);
          const check = poolCheck(input, output, indices, g);
          return op.isAsync ? r.then(() => check) : check;
        },
        predicted === 'overflow'
          ? throws('RangeError', 'ERR_OUT_OF_RANGE')
          : predicted.input <= 4096n && predicted.output <= 4096n
            ? ok(op.isAsync, (check) => check())
            : throws('RangeError', 'ERR_MAXPOOL2D_BUFFER_LENGTH'),
      );
    }
  });
  const unpoolFixed = [
    [2 ** 53, 2 ** 53, 2, 4, 4],
    [1, 2 ** 32, 2 ** 32, 1, 1],
    [0, 2 ** 53, 2 ** 53, 1, 1],
    [0, 1, 1, 2 ** 53, 2 ** 53],
    [2 ** 21, 1, 1, 2 ** 21, 2 ** 21],
    [2 ** 32, 2 ** 32, 1, 0, 0],
  ];
  unpoolFixed.forEach((p, i) => {
    for (const op of OPS.filter((o) => o.kind === 'unpool')) {
      add(
        `${op.name}/${i}/${p.join(',')}`,
        () => call(op, [new Float32Array(4), new BigInt64Array(4), new Float32Array(16), new Float64Array(p), 0]),
        throws('RangeError', 'ERR_OUT_OF_RANGE'),
      );
    }
  });
});

group('geometry', () => {
  // Plans no PyTorch call would produce (padding past half the kernel, output sizes larger than the rule
  // gives, windows wholly outside the input) with buffers sized to match: the binding accepts them, so the
  // kernels must clip every window and stay inside the buffers.
  const next = ref.rng(7);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const isas = b.supportedIsas();
  for (let i = 0; i < 160; i++) {
    const g = {
      planes: int(1, 3),
      H: int(1, 9),
      W: int(1, 19),
      kH: int(1, 5),
      kW: int(1, 5),
      sH: int(1, 4),
      sW: int(1, 4),
      pH: int(0, 7),
      pW: int(0, 7),
      dH: int(1, 4),
      dW: int(1, 4),
      OH: 0,
      OW: 0,
    };
    g.OH = next() < 0.5 ? Math.max(0, ref.outSize(g.H, g.kH, g.sH, g.pH, g.dH)) : int(0, 12);
    g.OW = next() < 0.5 ? Math.max(0, ref.outSize(g.W, g.kW, g.sW, g.pW, g.dW)) : int(0, 24);
    const dtype = next() < 0.5 ? 'f32' : 'f64';
    const idx = ['i32', 'i64', null][int(0, 2)];
    const isa = isas[i % isas.length];
    const threads = int(0, 4);
    for (const op of OPS.filter((o) => o.kind === 'pool')) {
      add(
        `${op.name}/${isa}/${dtype}/${idx}/${POOL_FIELDS.map((k) => g[k]).join(',')}/t${threads}`,
        () => {
          const input = poolInput(dtype, i, g.planes * g.H * g.W);
          const output = new F[dtype](g.planes * g.OH * g.OW);
          const indices = idx ? new I[idx](output.length) : null;
          const previous = b.isa();
          b.setIsa(isa);
          try {
            const r = call(op, [input, output, indices, poolPlan(g), threads]);
            const check = poolCheck(input, output, indices, g);
            return op.isAsync ? r.then(() => check) : check;
          } finally {
            b.setIsa(previous);
          }
        },
        ok(op.isAsync, (check) => check()),
      );
    }
  }
});

// Views into one larger buffer: sentinels around them must survive.
function guardedView(ctor, length, offset, fill, shared = false) {
  const total = length + offset + 5;
  const buffer = shared
    ? new SharedArrayBuffer(total * ctor.BYTES_PER_ELEMENT)
    : new ArrayBuffer(total * ctor.BYTES_PER_ELEMENT);
  const whole = new ctor(buffer);
  whole.fill(typeof fill === 'bigint' ? fill : fill);
  return { whole, view: whole.subarray(offset, offset + length), offset, length, fill };
}

function guardsIntact(g, label) {
  for (let i = 0; i < g.whole.length; i++) {
    if (i >= g.offset && i < g.offset + g.length) continue;
    if (!Object.is(g.whole[i], g.fill)) return `${label}: guard element ${i} was written`;
  }
  return null;
}

function viewCases(shared) {
  for (const op of OPS) {
    for (const dtype of ['f32', 'f64']) {
      for (const idx of op.kind === 'pool' ? ['i32', 'i64', null] : ['i32', 'i64']) {
        for (const offset of [1, 3, 8]) {
          add(
            `${op.name}/${dtype}/${idx}/offset-${offset}`,
            () => {
              const guards = [];
              let args;
              let check;
              if (op.kind === 'pool') {
                const input = guardedView(F[dtype], IN0, offset, 7, shared);
                input.view.set(poolInput(dtype, offset));
                const output = guardedView(F[dtype], OUT0, offset + 1, 5, shared);
                const indices = idx ? guardedView(I[idx], OUT0, offset, idx === 'i64' ? 3n : 3, shared) : null;
                guards.push([input, 'input'], [output, 'output']);
                if (indices) guards.push([indices, 'indices']);
                args = [input.view, output.view, indices ? indices.view : null, poolPlan(G0), 2];
                check = poolCheck(input.view, output.view, indices ? indices.view : null, G0);
              } else {
                const input = guardedView(F[dtype], UIN0, offset, 7, shared);
                input.view.set(unpoolInput(dtype));
                const indices = guardedView(I[idx], UIN0, offset, idx === 'i64' ? 3n : 3, shared);
                indices.view.set(unpoolIndices(idx));
                const output = guardedView(F[dtype], UOUT0, offset + 2, 5, shared);
                guards.push([input, 'input'], [indices, 'indices'], [output, 'output']);
                args = [input.view, indices.view, output.view, unpoolPlan(U0), 2];
                check = unpoolCheck(input.view, indices.view, output.view, U0);
              }
              const all = () => {
                for (const [g, label] of guards) {
                  const e = guardsIntact(g, label);
                  if (e) return e;
                }
                return check();
              };
              const r = call(op, args);
              return op.isAsync ? r.then(() => all) : all;
            },
            ok(op.isAsync, (check) => check()),
          );
        }
      }
    }
  }
}

group('offset-views', () => viewCases(false));
group('shared-array-buffer', () => viewCases(true));

group('aliasing', () => {
  // Views of one buffer (plain or shared) that overlap: refused before anything is written.
  for (const shared of [false, true]) {
    const B = shared ? SharedArrayBuffer : ArrayBuffer;
    const tag = shared ? 'sab' : 'ab';
    for (const op of OPS) {
      if (op.kind === 'pool') {
        // [what overlaps, input byte offset, output byte offset, indices byte offset (or null), indices kind]
        const layouts = [
          ['input-output-first-byte', 0, (IN0 - 1) * 4, null, null],
          ['input-output-same-start', 0, 0, null, null],
          ['output-inside-input', 0, 8, null, null],
          ['output-before-input', 16, 0, null, null],
          ['input-indices-i32', 0, IN0 * 4, (IN0 - 2) * 4, 'i32'],
          ['input-indices-i64', 0, IN0 * 4, 8, 'i64'],
          ['output-indices-i32', 0, IN0 * 4, (IN0 + OUT0 - 1) * 4, 'i32'],
          ['output-indices-i64', 0, IN0 * 4, (IN0 + 4) * 4, 'i64'],
          ['all-three', 0, 4, 8, 'i32'],
        ];
        for (const [label, inAt, outAt, idxAt, idxKind] of layouts) {
          add(
            `${op.name}/${tag}/${label}`,
            () => {
              const buffer = new B(4096);
              const input = new Float32Array(buffer, inAt, IN0);
              input.set(poolInput('f32'));
              const snapshot = input.slice();
              const output = new Float32Array(buffer, outAt, OUT0);
              const indices = idxKind ? new I[idxKind](buffer, idxAt, OUT0) : null;
              try {
                return call(op, [input, output, indices, poolPlan(G0), 0]);
              } finally {
                if (ref.firstBitDifference(input, snapshot) >= 0) fs.writeSync(1, 'NOTE input was modified\n');
              }
            },
            throws('RangeError', 'ERR_MAXPOOL2D_ALIASING'),
          );
        }
        // The same array as input and output (a plan where both lengths are equal).
        add(
          `${op.name}/${tag}/same-array-in-and-out`,
          () => {
            const g = { planes: 1, H: 4, W: 4, OH: 4, OW: 4, kH: 1, kW: 1, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1 };
            const x = new Float32Array(new B(64));
            return call(op, [x, x, null, poolPlan(g), 0]);
          },
          throws('RangeError', 'ERR_MAXPOOL2D_ALIASING'),
        );
        // Touching but disjoint views, and a plan that shares memory with the output (it is copied first).
        add(
          `${op.name}/${tag}/adjacent-views-and-plan-in-output`,
          () => {
            const buffer = new B(8192);
            const input = new Float64Array(buffer, 0, IN0);
            input.set(poolInput('f64', 9));
            const output = new Float64Array(buffer, IN0 * 8, OUT0);
            const indices = new BigInt64Array(buffer, (IN0 + OUT0) * 8, OUT0);
            const plan = new Float64Array(buffer, IN0 * 8, 13); // the output's first 13 elements
            plan.set(poolPlan(G0));
            const r = call(op, [input, output, indices, plan, 0]);
            const check = poolCheck(input, output, indices, G0);
            return op.isAsync ? r.then(() => check) : check;
          },
          ok(op.isAsync, (check) => check()),
        );
      } else {
        const layouts = [
          ['input-output', 0, 4, UIN0 * 4 - 4, 'i32'],
          ['indices-output-i32', 0, UIN0 * 4, UIN0 * 8 - 4, 'i32'],
          ['indices-output-i64', 0, UIN0 * 4, UIN0 * 4 + 8, 'i64'],
          ['output-covers-all', 8, 64, 0, 'i32'],
        ];
        for (const [label, inAt, idxAt, outAt, idxKind] of layouts) {
          add(
            `${op.name}/${tag}/${label}`,
            () => {
              const buffer = new B(4096);
              const input = new Float32Array(buffer, inAt, UIN0);
              input.set(unpoolInput('f32'));
              const indices = new I[idxKind](buffer, idxAt, UIN0);
              indices.set(unpoolIndices(idxKind));
              const output = new Float32Array(buffer, outAt, UOUT0);
              return call(op, [input, indices, output, unpoolPlan(U0), 0]);
            },
            throws('RangeError', 'ERR_MAXPOOL2D_ALIASING'),
          );
        }
        add(
          `${op.name}/${tag}/same-array-in-and-out`,
          () => {
            const x = new Float32Array(new B(16));
            return call(op, [x, new Int32Array(4), x, unpoolPlan({ planes: 1, IH: 2, IW: 2, OH: 2, OW: 2 }), 0]);
          },
          throws('RangeError', 'ERR_MAXPOOL2D_ALIASING'),
        );
        // Input and indices may share memory: both are only read.
        add(
          `${op.name}/${tag}/input-is-indices-bytes`,
          () => {
            const buffer = new B(UIN0 * 4 + 8 + UOUT0 * 4);
            const indices = new Int32Array(buffer, 0, UIN0);
            indices.set(UIDX0);
            const input = new Float32Array(buffer, 0, UIN0); // denormals: the indices' bits
            const output = new Float32Array(buffer, UIN0 * 4 + 8, UOUT0);
            const r = call(op, [input, indices, output, unpoolPlan(U0), 0]);
            const check = unpoolCheck(input, indices, output, U0);
            return op.isAsync ? r.then(() => check) : check;
          },
          ok(op.isAsync, (check) => check()),
        );
      }
    }
  }
});

group('detached', () => {
  const detach = (a) => {
    structuredClone(a.buffer, { transfer: [a.buffer] });
    return a;
  };
  for (const op of OPS) {
    for (let slot = 0; slot < 4; slot++) {
      const slotName = SLOT_NAMES[op.kind][slot];
      add(
        `${op.name}/${slotName}-detached`,
        () => {
          const v = validArgs(op);
          detach(v.args[slot]);
          return call(op, v.args);
        },
        throws('RangeError', 'ERR_MAXPOOL2D_BUFFER_LENGTH'),
      );
      // A detached view of a plan-sized... no: zero-planes plans take empty buffers, detached ones included.
      if (slotName !== 'plan') {
        add(
          `${op.name}/${slotName}-detached-zero-planes`,
          () => {
            const v = validArgs(op);
            const plan = op.kind === 'pool' ? poolPlan({ ...G0, planes: 0 }) : unpoolPlan({ ...U0, planes: 0 });
            const empty = v.args.slice(0, 3).map((a) => (a ? new a.constructor(0) : a));
            empty[slot] = detach(v.args[slot]);
            const r = call(op, [...empty, plan, 0]);
            return op.isAsync ? r.then(() => () => null) : () => null;
          },
          ok(op.isAsync, (check) => check()),
        );
      }
    }
    add(
      `${op.name}/all-detached`,
      () => {
        const v = validArgs(op);
        for (const a of v.args.slice(0, 4)) if (a) detach(a);
        return call(op, v.args);
      },
      throws('RangeError', 'ERR_MAXPOOL2D_BUFFER_LENGTH'),
    );
  }
});

group('unpool-indices', () => {
  const limit = U0.OH * U0.OW; // 20 per plane
  const BAD = [
    ['minus-one', -1n],
    ['limit', BigInt(limit)],
    ['limit-plus-one', BigInt(limit) + 1n],
    ['int32-min', -(2n ** 31n)],
    ['int32-max', 2n ** 31n - 1n],
    ['two-pow-31', 2n ** 31n],
    ['two-pow-32', 2n ** 32n],
    ['two-pow-32-plus-one', 2n ** 32n + 1n], // 1 if anything truncates to 32 bits
    ['minus-two-pow-32', -(2n ** 32n)], // 0 if truncated
    ['int64-max', INT64_MAX],
    ['int64-min', -(2n ** 63n)],
    ['plane-size-times-planes', BigInt(UOUT0)],
  ];
  for (const op of OPS.filter((o) => o.kind === 'unpool')) {
    for (const kind of ['i32', 'i64']) {
      for (const [label, value] of BAD) {
        if (kind === 'i32' && (value > 2n ** 31n - 1n || value < -(2n ** 31n))) continue;
        for (const position of [0, 5, 6, UIN0 - 1]) {
          add(
            `${op.name}/${kind}/${label}@${position}`,
            () => {
              const indices = unpoolIndices(kind);
              indices[position] = kind === 'i64' ? value : Number(value);
              const output = new Float32Array(UOUT0).fill(7);
              // The error must name the first bad index, and the output must be left as it was.
              const vet = (e) => {
                const problem =
                  untouched(output, 7, 'output') ||
                  (String(e?.message).startsWith(`indices[${position}] = ${value} `)
                    ? null
                    : `message does not name indices[${position}] = ${value}: ${e?.message}`);
                throw problem ? new Error(problem) : e;
              };
              const args = [unpoolInput('f32'), indices, output, unpoolPlan(U0), 2];
              if (op.isAsync) return call(op, args).then(() => () => 'resolved', vet);
              try {
                call(op, args);
              } catch (e) {
                vet(e);
              }
              return () => 'returned';
            },
            op.isAsync
              ? rejects('RangeError', 'ERR_MAXPOOL2D_INVALID_INDEX')
              : throws('RangeError', 'ERR_MAXPOOL2D_INVALID_INDEX'),
          );
        }
      }
      // Several bad indices: the error names the first; an empty output plane refuses any index.
      add(
        `${op.name}/${kind}/empty-output-plane`,
        () =>
          call(op, [
            new Float32Array(2),
            new I[kind](2),
            new Float32Array(0),
            unpoolPlan({ planes: 1, IH: 1, IW: 2, OH: 0, OW: 5 }),
            0,
          ]),
        op.isAsync
          ? rejects('RangeError', 'ERR_MAXPOOL2D_INVALID_INDEX')
          : throws('RangeError', 'ERR_MAXPOOL2D_INVALID_INDEX'),
      );
    }
  }
});

group('int32-planes', () => {
  const base = { ...G0, planes: 0 };
  const poolPlanes = [
    [2 ** 16, 2 ** 15, true], // 2^31 elements
    [2 ** 16, 2 ** 15 + 1, true],
    [2 ** 20, 2 ** 20, true],
    [2 ** 31, 2 ** 21, true],
    [2 ** 16, 2 ** 15 - 1, false], // 2^31 - 2^16: fits
  ];
  for (const op of OPS.filter((o) => o.kind === 'pool')) {
    for (const [H, W, refused] of poolPlanes) {
      for (const idx of ['i32', 'i64']) {
        add(
          `${op.name}/${idx}/${H}x${W}`,
          () => {
            const r = call(op, [
              new Float32Array(0),
              new Float32Array(0),
              new I[idx](0),
              poolPlan({ ...base, H, W, OH: 2, OW: 2 }),
              0,
            ]);
            return op.isAsync ? r.then(() => () => null) : () => null;
          },
          refused && idx === 'i32' ? throws('RangeError', 'ERR_OUT_OF_RANGE') : ok(op.isAsync, (check) => check()),
        );
      }
    }
  }
  const unpoolPlanes = [
    [2 ** 16, 2 ** 15, false], // 2^31 elements: indices up to 2^31 - 1 fit
    [2 ** 16, 2 ** 15 + 1, true],
    [2 ** 32, 2, true],
    [2 ** 26, 2 ** 26, true],
  ];
  for (const op of OPS.filter((o) => o.kind === 'unpool')) {
    for (const [OH, OW, refused] of unpoolPlanes) {
      for (const idx of ['i32', 'i64']) {
        add(
          `${op.name}/${idx}/${OH}x${OW}`,
          () => {
            const r = call(op, [
              new Float32Array(0),
              new I[idx](0),
              new Float32Array(0),
              unpoolPlan({ planes: 0, IH: 2, IW: 2, OH, OW }),
              0,
            ]);
            return op.isAsync ? r.then(() => () => null) : () => null;
          },
          refused && idx === 'i32' ? throws('RangeError', 'ERR_OUT_OF_RANGE') : ok(op.isAsync, (check) => check()),
        );
      }
    }
  }
});

group('controls', () => {
  for (const [label, make] of [...HOSTILE, ['null', () => null]]) {
    // Any string is the right kind for setIsa: the unknown names are RangeErrors.
    const isString = typeof make(16) === 'string';
    add(
      `setIsa(${label})`,
      () => b.setIsa(make(16)),
      isString ? throws('RangeError', 'ERR_OUT_OF_RANGE') : throws('TypeError', 'ERR_INVALID_ARG_TYPE'),
    );
    add(`setNumThreads(${label})`, () => b.setNumThreads(make(16)), throws('TypeError', 'ERR_INVALID_ARG_TYPE'));
  }
  add('setIsa(number)', () => b.setIsa(3), throws('TypeError', 'ERR_INVALID_ARG_TYPE'));
  for (const name of ['', 'bogus', 'AVX2', 'scalar\0', 'avx512 ', 'x'.repeat(100000)]) {
    add(`setIsa(${JSON.stringify(name.slice(0, 12))})`, () => b.setIsa(name), throws('RangeError', 'ERR_OUT_OF_RANGE'));
  }
  for (const [label, value, outcome] of NUMBERS) {
    const valid = outcome === 'ok' && value >= 1;
    add(
      `setNumThreads(${label})`,
      () => {
        const before = b.getNumThreads();
        try {
          b.setNumThreads(value);
          const got = b.getNumThreads();
          return () => (got === value ? null : `getNumThreads() = ${got}`);
        } finally {
          b.setNumThreads(before);
        }
      },
      valid ? returns((check) => check()) : throws('RangeError', 'ERR_OUT_OF_RANGE'),
    );
  }
});

// The optional dtype / channels arguments and the integer and 16-bit value arrays (binding.d.ts), on builds
// that have them. Hostile values must end in a coded TypeError / RangeError; valid NHWC and integer calls
// must give the reference's results.
const coded = (isAsync) => ({
  kind: 'any',
  options: [throws('TypeError'), throws('RangeError')].map((o) => ({ ...o, needsCode: true })),
  isAsync,
});

/** NHWC <-> NCHW for [N, H, W, C] buffers (planes = N * C). */
function toNchw(a, N, C, H, W) {
  const out = new a.constructor(a.length);
  for (let n = 0; n < N; n++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let c = 0; c < C; c++) out[((n * C + c) * H + h) * W + w] = a[((n * H + h) * W + w) * C + c];
  return out;
}

function nhwcPoolCheck(input, output, indices, g, N, C) {
  return () => {
    const want = ref.referencePool(toNchw(input, N, C, g.H, g.W), g);
    const gotValues = toNchw(output, N, C, g.OH, g.OW);
    const at = ref.firstBitDifference(gotValues, want.output);
    if (at >= 0) return `output (as NCHW) [${at}] differs from the reference`;
    if (indices) {
      const gotIndices = toNchw(indices, N, C, g.OH, g.OW);
      const bad = ref.firstIndexDifference(gotIndices, want.indices, want.picked);
      if (bad >= 0) return `indices (as NCHW) [${bad}] = ${gotIndices[bad]}, expected ${want.indices[bad]}`;
    }
    return null;
  };
}

/** Integer arrays: values and indices of windows with a tap in bounds (what an empty window holds is the
 * kernel's business for types without -Infinity). */
function intPoolCheck(input, output, indices, g) {
  return () => {
    const want = ref.referencePool(Float64Array.from(input), g);
    for (let i = 0; i < output.length; i++) {
      if (want.picked[i] && output[i] !== want.output[i])
        return `output[${i}] = ${output[i]}, expected ${want.output[i]}`;
    }
    if (indices) {
      const bad = ref.firstIndexDifference(indices, want.indices, want.picked);
      if (bad >= 0) return `indices[${bad}] = ${indices[bad]}, expected ${want.indices[bad]}`;
    }
    return null;
  };
}

group('extended', () => {
  if (!EXTENDED) return;
  const INT_KINDS = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array };
  for (const op of OPS) {
    // dtype: anything but a string (or undefined) is a TypeError; unknown or mismatched names are refused.
    for (const [label, make] of [...HOSTILE.filter(([l]) => !/string|undefined/.test(l)), ['null', () => null]]) {
      add(
        `${op.name}/dtype=${label}`,
        () => {
          const v = validArgs(op);
          return call(op, [...v.args, make(16), 0]);
        },
        coded(op.isAsync),
      );
    }
    for (const name of [
      '',
      'float',
      'FLOAT32',
      'int64',
      'float32\0',
      'float64',
      'float16',
      'bfloat16',
      'uint16',
      'x'.repeat(5000),
    ]) {
      add(
        `${op.name}/f32-arrays-with-dtype=${JSON.stringify(name.slice(0, 10))}`,
        () => {
          const v = validArgs(op);
          return call(op, [...v.args, name, 0]);
        },
        coded(op.isAsync),
      );
    }
    // channels: must be an integer >= 0 dividing planes.
    for (const [label, make] of [...HOSTILE.filter(([l]) => l !== 'undefined'), ['null', () => null]]) {
      add(
        `${op.name}/channels=${label}`,
        () => {
          const v = validArgs(op);
          return call(op, [...v.args, undefined, make(16)]);
        },
        coded(op.isAsync),
      );
    }
    for (const value of [-1, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 3, 4, 5, 2 ** 31, 2 ** 53, 1e300, -0.5]) {
      add(
        `${op.name}/channels=${value}`,
        () => {
          const v = validArgs(op); // 2 planes: only 0, 1 and 2 divide them
          return call(op, [...v.args, undefined, value]);
        },
        coded(op.isAsync),
      );
    }
    // New value kinds with wrong lengths, overlapping views, detached buffers.
    for (const [dtype, K] of Object.entries(INT_KINDS)) {
      if (op.kind === 'pool') {
        add(
          `${op.name}/${dtype}/short-input`,
          () => call(op, [new K(IN0 - 1), new K(OUT0), null, poolPlan(G0), 0, dtype, 0]),
          throws('RangeError', 'ERR_MAXPOOL2D_BUFFER_LENGTH'),
        );
        add(
          `${op.name}/${dtype}/overlapping`,
          () => {
            const whole = new K(IN0 + OUT0);
            return call(op, [
              whole.subarray(0, IN0),
              whole.subarray(IN0 - 1, IN0 - 1 + OUT0),
              null,
              poolPlan(G0),
              0,
              dtype,
              0,
            ]);
          },
          throws('RangeError', 'ERR_MAXPOOL2D_ALIASING'),
        );
        add(
          `${op.name}/${dtype}/detached-output`,
          () => {
            const output = new K(OUT0);
            structuredClone(output.buffer, { transfer: [output.buffer] });
            return call(op, [new K(IN0), output, null, poolPlan(G0), 0, dtype, 0]);
          },
          throws('RangeError', 'ERR_MAXPOOL2D_BUFFER_LENGTH'),
        );
        add(
          `${op.name}/${dtype}/mixed-with-float32`,
          () => call(op, [new K(IN0), new Float32Array(OUT0), null, poolPlan(G0), 0, undefined, 0]),
          throws('TypeError', 'ERR_INVALID_ARG_TYPE'),
        );
      } else {
        add(
          `${op.name}/${dtype}/short-output`,
          () => call(op, [new K(UIN0), unpoolIndices('i32'), new K(UOUT0 - 1), unpoolPlan(U0), 0, dtype, 0]),
          throws('RangeError', 'ERR_MAXPOOL2D_BUFFER_LENGTH'),
        );
      }
    }
    if (op.kind !== 'pool') continue;
    // Valid calls: integer kinds (NCHW) and NHWC layouts with random geometry, sized to match.
    const next = ref.rng(op.isAsync ? 91 : 19);
    const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
    for (let i = 0; i < 40; i++) {
      const N = int(1, 2);
      const C = int(1, 5);
      const g = {
        planes: N * C,
        H: int(1, 9),
        W: int(1, 21),
        kH: int(1, 4),
        kW: int(1, 4),
        sH: int(1, 3),
        sW: int(1, 3),
      };
      Object.assign(g, {
        pH: int(0, Math.floor(g.kH / 2)),
        pW: int(0, Math.floor(g.kW / 2)),
        dH: int(1, 2),
        dW: int(1, 2),
      });
      g.OH = Math.max(0, ref.outSize(g.H, g.kH, g.sH, g.pH, g.dH));
      g.OW = Math.max(0, ref.outSize(g.W, g.kW, g.sW, g.pW, g.dW));
      const idx = ['i32', 'i64', null][i % 3];
      const F_ = i % 2 ? Float32Array : Float64Array;
      add(
        `${op.name}/nhwc/${F_.name}/${idx}/N${N}C${C}/${POOL_FIELDS.map((k) => g[k]).join(',')}`,
        () => {
          const input = ref.fillAdversarial(new F_(g.planes * g.H * g.W), 500 + i);
          const output = new F_(g.planes * g.OH * g.OW);
          const indices = idx ? new I[idx](output.length) : null;
          const r = call(op, [input, output, indices, poolPlan(g), int(0, 3), undefined, C]);
          const check = nhwcPoolCheck(input, output, indices, g, N, C);
          return op.isAsync ? r.then(() => check) : check;
        },
        ok(op.isAsync, (check) => check()),
      );
      const [dtype, K] = Object.entries(INT_KINDS)[i % 5];
      add(
        `${op.name}/${dtype}/${idx}/${POOL_FIELDS.map((k) => g[k]).join(',')}`,
        () => {
          const input = new K(g.planes * g.H * g.W);
          const rnd = ref.rng(700 + i);
          for (let j = 0; j < input.length; j++) input[j] = Math.floor(rnd() * 256) - 128;
          const output = new K(g.planes * g.OH * g.OW);
          const indices = idx ? new I[idx](output.length) : null;
          const r = call(op, [input, output, indices, poolPlan(g), 0, dtype, 0]);
          const check = intPoolCheck(input, output, indices, g);
          return op.isAsync ? r.then(() => check) : check;
        },
        ok(op.isAsync, (check) => check()),
      );
    }
  }
});

group('in-flight', () => {
  // Async calls whose buffers the caller detaches, resizes or drops while the kernel runs on another
  // thread. The binding holds the typed arrays, but a transfer moves the backing store out from under
  // them; whatever the Promise does, the process must not crash.
  const BIG = { planes: 8, H: 512, W: 512, kH: 3, kW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, OH: 512, OW: 512 };
  const bigIn = BIG.planes * BIG.H * BIG.W;
  const gc = typeof global.gc === 'function' ? global.gc : () => {};
  // Either outcome is fine once the kernel is done with the memory: the Promise resolves, or it (or the
  // call itself) reports the detached / shrunk buffer with a coded error. A crash is not.
  const survives = {
    kind: 'any',
    options: [resolves((check) => check()), { ...throws(), needsCode: true }],
  };
  const settled = (p) =>
    p.then(
      () => () => null,
      (e) => () => (typeof e?.code === 'string' ? null : `rejected without a code: ${e?.message}`),
    );
  // The binding pins the buffers of an async call (markAsUntransferable): a transfer then clones (Node 20) or
  // throws DataCloneError (Node 21+), and the buffer keeps its memory until the Promise settles.
  const tryTransfer = (buffer) => {
    try {
      structuredClone(buffer, { transfer: [buffer] });
    } catch (e) {
      if (e?.name !== 'DataCloneError') throw e;
    }
  };
  const stillPinned = (p, array) =>
    settled(p).then((check) => () => check() ?? (array.length > 0 ? null : 'a pinned buffer was detached'));
  const poolArgs = (F = Float32Array) => {
    const input = new F(bigIn).fill(1);
    return { input, output: new F(bigIn), indices: new BigInt64Array(bigIn) };
  };
  const unpoolArgs = () => ({
    input: new Float32Array(bigIn).fill(1),
    indices: new Int32Array(bigIn).fill(3),
    output: new Float32Array(bigIn),
  });
  const bigUnpoolPlan = () => unpoolPlan({ planes: 8, IH: 512, IW: 512, OH: 512, OW: 512 });
  for (const target of ['input', 'output', 'indices']) {
    add(
      `maxPool2dAsync/transfer-${target}-then-gc`,
      () => {
        const a = poolArgs();
        const p = b.maxPool2dAsync(a.input, a.output, a.indices, poolPlan(BIG), 2);
        tryTransfer(a[target].buffer); // the clone is garbage at once
        gc();
        gc();
        return stillPinned(p, a[target]);
      },
      survives,
    );
    add(
      `maxUnpool2dAsync/transfer-${target}-then-gc`,
      () => {
        const a = unpoolArgs();
        const p = b.maxUnpool2dAsync(a.input, a.indices, a.output, bigUnpoolPlan(), 2);
        tryTransfer(a[target].buffer);
        gc();
        gc();
        return stillPinned(p, a[target]);
      },
      survives,
    );
    // A length-tracking view of a resizable ArrayBuffer, shrunk while the kernel runs: V8 decommits the
    // pages past the new length.
    add(
      `maxPool2dAsync/shrink-${target}`,
      () => {
        const a = poolArgs();
        const victim = a[target];
        const buffer = new ArrayBuffer(victim.byteLength, { maxByteLength: victim.byteLength });
        a[target] = new victim.constructor(buffer);
        a[target].set(victim);
        const p = b.maxPool2dAsync(a.input, a.output, a.indices, poolPlan(BIG), 2);
        buffer.resize(16);
        return settled(p);
      },
      survives,
    );
    add(
      `maxUnpool2dAsync/shrink-${target}`,
      () => {
        const a = unpoolArgs();
        const victim = a[target];
        const buffer = new ArrayBuffer(victim.byteLength, { maxByteLength: victim.byteLength });
        a[target] = new victim.constructor(buffer);
        a[target].set(victim);
        const p = b.maxUnpool2dAsync(a.input, a.indices, a.output, bigUnpoolPlan(), 2);
        buffer.resize(0);
        return settled(p);
      },
      survives,
    );
  }
  // Resizable buffers that stay put are just buffers.
  add(
    'maxPool2dAsync/resizable-untouched',
    () => {
      const g = G0;
      const input = new Float32Array(new ArrayBuffer(IN0 * 4, { maxByteLength: IN0 * 8 }));
      input.set(poolInput('f32'));
      const output = new Float32Array(new ArrayBuffer(OUT0 * 4, { maxByteLength: OUT0 * 8 }));
      const indices = new Int32Array(new ArrayBuffer(OUT0 * 4, { maxByteLength: OUT0 * 8 }));
      const check = poolCheck(input, output, indices, g);
      return b.maxPool2dAsync(input, output, indices, poolPlan(g), 0).then(() => check);
    },
    resolves((check) => check()),
  );
  add(
    'maxPool2dAsync/drop-everything-then-gc',
    () => {
      const p = b.maxPool2dAsync(
        new Float32Array(bigIn).fill(2),
        new Float32Array(bigIn),
        new Int32Array(bigIn),
        poolPlan(BIG),
        2,
      );
      gc();
      gc();
      return p.then(() => () => null);
    },
    resolves((check) => check()),
  );
  add(
    'many-async-at-once-with-gc',
    () => {
      const ps = [];
      for (let i = 0; i < 64; i++) {
        const v = validArgs(OPS[i % 2 ? 1 : 3], i % 3 ? 'f32' : 'f64', i % 4 ? 'i32' : 'i64');
        ps.push(call(OPS[i % 2 ? 1 : 3], v.args).then(() => v.check));
        if (i % 8 === 0) gc();
      }
      return Promise.all(ps).then((checks) => () => {
        for (const c of checks) {
          const e = c();
          if (e) return e;
        }
        return null;
      });
    },
    resolves((check) => check()),
  );
});

// ---------------------------------------------------------------------------------------------------
// Runner

function describeError(e) {
  if (e === null || typeof e !== 'object') return `non-error ${String(e)}`;
  return `${e.name} ${e.code ?? '-'}`;
}

function matches(expect, outcome) {
  if (expect.kind === 'any') return expect.options.some((o) => matches(o, outcome));
  if (expect.kind !== outcome.kind) return false;
  if (expect.kind === 'throw' || expect.kind === 'reject') {
    const e = outcome.error;
    if (!(e instanceof Error)) return false;
    if (expect.name && e.name !== expect.name) return false;
    if (expect.codes.length > 0 && !expect.codes.includes(e.code)) return false;
    if (expect.needsCode && typeof e.code !== 'string') return false;
    return true;
  }
  return true;
}

function checkOf(expect, outcome) {
  if (expect.kind === 'any') {
    const o = expect.options.find((x) => matches(x, outcome));
    return o ? checkOf(o, outcome) : null;
  }
  return expect.check;
}

async function runCase(id) {
  const c = cases[id];
  fs.writeSync(1, `CASE ${id} ${c.name}\n`);
  let outcome;
  try {
    const value = c.call();
    if (value && typeof value.then === 'function') {
      try {
        outcome = { kind: 'resolve', value: await value };
      } catch (error) {
        outcome = { kind: 'reject', error };
      }
    } else {
      outcome = { kind: 'return', value };
    }
  } catch (error) {
    outcome = { kind: 'throw', error };
  }
  const label =
    outcome.kind === 'throw' || outcome.kind === 'reject'
      ? `${outcome.kind} ${describeError(outcome.error)}`
      : outcome.kind;
  let why = null;
  if (!matches(c.expect, outcome)) {
    why = `unexpected outcome${outcome.error ? `: ${outcome.error.message}` : ''}`;
  } else {
    const check = checkOf(c.expect, outcome);
    if (check) {
      try {
        why = check(outcome.value);
      } catch (e) {
        why = `check threw: ${e?.message}`;
      }
    }
  }
  fs.writeSync(1, why ? `FAIL ${id} ${label} | ${String(why).replace(/\n/g, ' ')}\n` : `PASS ${id} ${label}\n`);
}

async function main() {
  const [mode, fromText, toText] = process.argv.slice(2);
  if (mode === 'list') {
    fs.writeSync(1, `${JSON.stringify({ count: cases.length, groups, names: cases.map((c) => c.name) })}\n`);
    return;
  }
  if (mode !== 'run') throw new Error('usage: raw-cases.cjs list | run FROM TO');
  const from = Number(fromText);
  const to = Math.min(Number(toText), cases.length);
  process.on('unhandledRejection', (e) => {
    fs.writeSync(1, `UNHANDLED ${describeError(e)}\n`);
  });
  for (let id = from; id < to; id++) await runCase(id);
  fs.writeSync(1, `DONE ${from} ${to}\n`);
}

main().catch((e) => {
  fs.writeSync(2, `runner error: ${e?.stack}\n`);
  process.exitCode = 3;
});
