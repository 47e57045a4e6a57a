import type { TabInfo } from '../session/protocol.js';

/** Pages visited in this session, newest first; the person in control can lead everyone back to one. */
export function HistoryPanel({
  tab,
  canLead,
  lead,
  close,
}: {
  tab: TabInfo;
  canLead: boolean;
  lead: (url: string) => void;
  close: () => void;
}) {
  const pages = [...tab.visited].reverse();
  return (
    <aside
      class="panel"
      data-testid="history-panel"
      aria-label="Pages visited in this session"
      onKeyDown={(e) => e.key === 'Escape' && close()}
    >
      <header>
        <h2>History</h2>
        <button type="button" onClick={close} aria-label="Close history">
          ×
        </button>
      </header>
      {pages.length === 0 && <p class="empty">No pages yet.</p>}
      <ol>
        {pages.map((p) => (
          <li key={`${p.at}-${p.url}`}>
            <button
              type="button"
              data-testid="history-item"
              disabled={!canLead || p.url === tab.url}
              title={canLead ? `Lead everyone to ${p.url}` : 'Only the person in control can lead'}
              onClick={() => lead(p.url)}
            >
              <span class="title">{p.title || p.url}</span>
              <span class="url">{p.url}</span>
            </button>
          </li>
        ))}
      </ol>
    </aside>
  );
}
