import { useState } from 'preact/hooks';

/** Removes a participant for good, on a second click: the first only asks. */
export function RemoveButton({
  name,
  remove,
  testid,
}: {
  name: string;
  remove: () => void;
  testid?: string;
}) {
  const [confirming, setConfirming] = useState(false);
  return (
    <button
      type="button"
      class={confirming ? 'danger' : undefined}
      data-testid={testid}
      aria-label={confirming ? `Remove for good? ${name}` : `Remove ${name}`}
      onClick={() => {
        if (!confirming) return setConfirming(true);
        setConfirming(false);
        remove();
      }}
      onBlur={() => setConfirming(false)}
    >
      {confirming ? 'Remove for good?' : 'Remove'}
    </button>
  );
}
