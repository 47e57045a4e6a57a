import { useEffect, useRef, useState } from 'preact/hooks';
import { addMacro, type Macro } from './macros.js';

/** The saved replies and pages, one click (or Alt+number) away, and the form to add more. */
export function MacrosMenu({
  macros,
  change,
  run,
  canOpen,
  currentUrl,
}: {
  macros: readonly Macro[];
  change: (macros: Macro[]) => void;
  run: (macro: Macro) => void;
  /** Why saved pages cannot be opened now, or null when they can. */
  canOpen: string | null;
  currentUrl: string | null;
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState('');
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>('button, input')?.focus();
  }, [open]);

  const saveDraft = () => {
    if (!draft.trim()) return;
    change(addMacro(macros, { kind: 'text', value: draft }));
    setDraft('');
  };

  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };

  return (
    <div class="macros">
      <button
        type="button"
        ref={toggle}
        data-testid="macros-toggle"
        aria-expanded={open}
        aria-controls="macros-panel"
        title="Saved replies and pages (Alt+1 … Alt+9)"
        onClick={() => setOpen(!open)}
      >
        Saved
      </button>
      {open && (
        <div
          id="macros-panel"
          class="macros-panel"
          role="dialog"
          aria-label="Saved replies and pages"
          ref={panel}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
        >
          <p class="hint">
            {macros.length === 0
              ? 'Nothing saved yet: add a reply you use often, or this page.'
              : 'Click one to use it, or press Alt and its number.'}
          </p>
          <ol data-testid="macros-list">
            {macros.map((m, i) => (
              <li key={`${m.kind}:${m.value}`}>
                <button
                  type="button"
                  class="macro"
                  data-testid="macro-item"
                  data-kind={m.kind}
                  disabled={m.kind === 'url' && canOpen !== null}
                  title={
                    m.kind === 'url' ? (canOpen ?? `Lead everyone to ${m.value}`) : 'Put into the message'
                  }
                  onClick={() => {
                    run(m);
                    close();
                  }}
                >
                  {i < 9 && <kbd aria-label={`Alt+${i + 1}`}>{i + 1}</kbd>}
                  <span>{m.kind === 'url' ? `↗ ${m.value}` : m.value}</span>
                </button>
                <button
                  type="button"
                  class="remove"
                  aria-label={`Remove “${m.value}”`}
                  onClick={() => change(macros.filter((x) => x !== m))}
                >
                  ×
                </button>
              </li>
            ))}
          </ol>
          {/* Not a form: this sits inside the chat's form, and forms do not nest. */}
          <div class="macro-add">
            <input
              data-testid="macro-new"
              aria-label="New saved reply"
              placeholder="A reply you use often"
              value={draft}
              onInput={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key !== 'Enter') return;
                e.preventDefault();
                saveDraft();
              }}
            />
            <button type="button" data-testid="macro-add" onClick={saveDraft}>
              Save reply
            </button>
          </div>
          {currentUrl && (
            <button
              type="button"
              data-testid="macro-save-page"
              onClick={() => change(addMacro(macros, { kind: 'url', value: currentUrl }))}
            >
              Save this page
            </button>
          )}
        </div>
      )}
    </div>
  );
}
