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
}

export function backendCases(): BackendCase[] {
  const cases: BackendCase[] = [
    {
      label: 'js',
      use() {
        setActiveBackend('js');
        return () => setActiveBackend('default');
      },
    },
  ];
  const binding: NativeBinding | null = nativeBinding();
  if (binding && process.env.MAXPOOL2D_TEST_JS_ONLY !== '1') {
    for (const isa of binding.supportedIsas()) {
      cases.push({
        label: `native-${isa}`,
        use() {
          const previousIsa = binding.isa();
          setActiveBackend('native');
          binding.setIsa(isa);
          return () => {
            binding.setIsa(previousIsa);
            setActiveBackend('default');
          };
        },
      });
    }
  }
  return cases;
}
