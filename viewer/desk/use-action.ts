import { useState } from 'preact/hooks';

/**
 * One button's call to the server: busy while it runs, its failure as a message to show. `run`
 * answers whether it succeeded, so a form can go on (clear itself, move focus) only then.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
