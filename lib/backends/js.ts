/** The pure TypeScript backend: the fallback when no native binary loads, and the reference for it. */
import type { Backend } from './backend';
import { poolJsAsync, unpoolJsAsync } from './js-async';
import { poolJs } from './js-pool';
import { unpoolJs } from './js-unpool';

export const jsBackend: Backend = {
  name: 'js',
  pool: (plan, input, output, indices, _threads, dtype) => poolJs(plan, input, output, indices, 0, plan.planes, dtype),
  unpool: (plan, input, indices, output) => unpoolJs(plan, input, indices, output),
  poolAsync: (plan, input, output, indices, _threads, dtype) => poolJsAsync(plan, input, output, indices, dtype),
  unpoolAsync: (plan, input, indices, output) => unpoolJsAsync(plan, input, indices, output),
};
