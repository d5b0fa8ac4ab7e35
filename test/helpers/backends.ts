/**
 * The backends every behavioural test runs on: the JS backend, and the native backend on each ISA this CPU
 * supports (when the addon is loaded).
 */
import type { NativeBinding } from '../../binding';
import { nativeBinding, setActiveBackend } from '../../lib/backend';

export interface BackendCase {
  label: string;
  /** Routes the public API to this backend; returns a function that restores the previous routing. */
  use(): () => void;
  /** Runs `fn` (sync or async) with the API routed to this backend, and restores the routing after. */
  within(fn: () => void | Promise<void>): Promise<void>;
}

function withinOf(use: () => () => void) {
  return async (fn: () => void | Promise<void>) => {
    const restore = use();
    try {
      await fn();
    } finally {
      restore();
    }
  };
}

export function backendCases(): BackendCase[] {
  const useJs = () => {
    setActiveBackend('js');
    return () => {
      setActiveBackend('default');
    };
  };
  const cases: BackendCase[] = [{ label: 'js', use: useJs, within: withinOf(useJs) }];
  const binding: NativeBinding | null = nativeBinding();
  if (binding && process.env.MAXPOOL2D_TEST_JS_ONLY !== '1') {
    for (const isa of binding.supportedIsas()) {
      const use = () => {
        const previousIsa = binding.isa();
        setActiveBackend('native');
        binding.setIsa(isa);
        return () => {
          binding.setIsa(previousIsa);
          setActiveBackend('default');
        };
      };
      cases.push({ label: `native-${isa}`, use, within: withinOf(use) });
    }
  }
  return cases;
}
