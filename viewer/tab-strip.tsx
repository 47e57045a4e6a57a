import type { TabInfo } from '../session/protocol.js';

interface Props {
  tabs: TabInfo[];
  /** The tab this viewer shows. */
  viewed: string;
  /** The tab those in control look at. */
  active: string | null;
  onView: (tab: string) => void;
  /** Offered when this person may send the shown page into a new tab. */
  onOpen?: () => void;
  canClose?: (tab: TabInfo) => boolean;
  onClose?: (tab: string) => void;
}

/** What a tab is called in the strip: its page's title, else its host, else its place. */
export function tabLabel(tab: TabInfo, index: number): string {
  if (tab.title.trim()) return tab.title.trim();
  if (tab.url) return new URL(tab.url).host;
  return `Tab ${index + 1}`;
}

/**
 * The session's tabs. The one shown here is selected; the one those in control look at is marked, and
 * choosing it again follows them.
 */
export function TabStrip({ tabs, viewed, active, canClose, onView, onOpen, onClose }: Props) {
  if (tabs.length < 2 && !onOpen) return null;
  return (
    <fieldset class="tabs" aria-label="Tabs" data-testid="tab-strip">
      {tabs.map((t, i) => {
        const label = tabLabel(t, i);
        return (
          <span class="tab" key={t.id}>
            <button
              type="button"
              data-testid="tab"
              data-tab={t.id}
              data-active={t.id === active ? 'true' : undefined}
              aria-current={t.id === viewed ? 'true' : undefined}
              title={t.id === active ? `${label} (where the leader is)` : (t.url ?? label)}
              onClick={() => onView(t.id)}
            >
              {t.id === active && tabs.length > 1 && <span aria-hidden="true">● </span>}
              {label}
            </button>
            {tabs.length > 1 && onClose && canClose?.(t) && (
              <button
                type="button"
                class="close"
                data-testid="tab-close"
                aria-label={`Close ${label}`}
                onClick={() => onClose(t.id)}
              >
                ×
              </button>
            )}
          </span>
        );
      })}
      {onOpen && (
        <button
          type="button"
          data-testid="tab-new"
          aria-label="Open this page in a new tab"
          title="Open this page in a new tab"
          onClick={onOpen}
        >
          +
        </button>
      )}
    </fieldset>
  );
}
