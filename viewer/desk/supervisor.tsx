import { useState } from 'preact/hooks';
import { type Alert, type Board, bargeIn, getBoard, type Me, watchSession } from './api.js';
import { ErrorLine, TableWrap } from './field.js';
import { describeDetail, formatDuration, STATE_LABELS } from './format.js';
import { useLive, useNow } from './live.js';
import { pendingWindow } from './pending-window.js';
import { useAction } from './use-action.js';

/** `/desk/supervisor`: every agent's state and sessions, the queue and alerts, live. */
export function SupervisorMonitor({ me }: { me: Me }) {
  const now = useNow();
  const [board, setBoard] = useState<Board | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const action = useAction();
  const mode = useLive(
    '',
    (frame) => {
      if (frame.type === 'board') setBoard((frame as unknown as { board: Board }).board);
    },
    async () => setBoard(await getBoard()),
  );

  /**
   * Watching opens the session's viewer in a new window as a hidden monitor. Barging in makes that
   * monitor visible; without a watch window open yet, it opens one first.
   */
  const open = (sessionId: string, barge: boolean, watching: boolean) => {
    setNote(null);
    if (watching && barge) {
      void action.run(async () => {
        await bargeIn(sessionId);
        setNote('You are now visible to everyone in the session, in your watch window.');
      });
      return;
    }
    const win = pendingWindow();
    void action
      .run(async () => {
        const { viewerUrl } = await watchSession(sessionId);
        if (barge) await bargeIn(sessionId);
        win.go(viewerUrl);
      })
      .then((ok) => {
        if (!ok) win.cancel();
      });
  };

  if (!board) {
    return (
      <p role="status" aria-busy="true">
        Loading the board…
      </p>
    );
  }
  const longest = board.queue.reduce((m, q) => Math.min(m, q.waitingSince), now);
  const sessionOf = new Map(board.sessions.map((s) => [s.id, s]));
  return (
    <>
      <p class="empty" data-testid="live-mode">
        {mode === 'live' ? 'Live' : 'Updating every 5 seconds'}
      </p>
      <section class="card" aria-labelledby="queue-title">
        <h2 id="queue-title">Queue</h2>
        <p>
          <span class="stat">
            <strong data-testid="queue-length">{board.queue.length}</strong> waiting
          </span>
          <span class="stat">
            <strong data-testid="longest-wait">
              {board.queue.length ? formatDuration(now - longest) : '—'}
            </strong>
            longest wait
          </span>
        </p>
        {board.queue.length > 0 && (
          <ul>
            {board.queue.map((q) => (
              <li key={q.id}>
                {q.name ?? 'Visitor'}, waiting {formatDuration(now - q.waitingSince)}
                {q.skill && ` · ${q.skill}`}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="card" aria-labelledby="agents-title">
        <h2 id="agents-title">Agents</h2>
        <ErrorLine error={action.error} />
        {note && <p role="status">{note}</p>}
        {board.agents.length === 0 ? (
          <p class="empty">No agents yet. An administrator adds them under Users.</p>
        ) : (
          <TableWrap label="Agents">
            <table class="list" data-testid="board-agents">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">State</th>
                  <th scope="col">Time in state</th>
                  <th scope="col">Sessions</th>
                </tr>
              </thead>
              <tbody>
                {board.agents.map((a) => (
                  <tr key={a.id} data-testid="board-agent" data-agent={a.name}>
                    <th scope="row">{a.name}</th>
                    <td>
                      <span class={`state-badge nowrap state-${a.state}`} data-testid="agent-state">
                        {STATE_LABELS[a.state]}
                      </span>
                    </td>
                    <td class="nowrap">{formatDuration(now - a.since)}</td>
                    <td>
                      {a.sessions.length === 0 && <span class="empty">none</span>}
                      {a.sessions.map((id, i) => {
                        const s = sessionOf.get(id);
                        const label = s?.channel ?? `Session ${i + 1}`;
                        const watching = s?.monitors.includes(me.user.id) ?? false;
                        return (
                          <div class="actions" key={id} data-testid="board-session">
                            <span>
                              {label}
                              {watching && ' (watching)'}
                            </span>
                            <button
                              type="button"
                              disabled={action.busy}
                              onClick={() => open(id, false, watching)}
                              data-testid="watch"
                              aria-label={`Watch silently: ${a.name}, ${label}`}
                            >
                              Watch silently
                            </button>
                            <button
                              type="button"
                              disabled={action.busy}
                              onClick={() => open(id, true, watching)}
                              data-testid="barge"
                              aria-label={`Barge in: ${a.name}, ${label}`}
                            >
                              Barge in
                            </button>
                          </div>
                        );
                      })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        <p class="empty">
          While watching, whisper to the agent from the session’s chat: choose “Only” and the agent’s name in
          its “Send to” list; the visitor does not see it.
        </p>
      </section>

      <section class="card" aria-labelledby="alerts-title">
        <h2 id="alerts-title">Alerts</h2>
        <AlertList alerts={board.alerts} />
      </section>
    </>
  );
}

const ALERT_TEXT: Record<string, string> = {
  origin: 'A page not on the allowed list tried to open the desk',
  'multiple-sessions': 'An agent is in more than one session',
  'wait-over-target': 'A visitor waited longer than the target',
  lockout: 'A sign-in was locked after repeated wrong passwords',
};

/** Alerts as sentences, newest first; their details as the server recorded them. */
export function AlertList({ alerts }: { alerts: Alert[] }) {
  if (alerts.length === 0) return <p class="empty">No alerts.</p>;
  return (
    <ul data-testid="alerts">
      {[...alerts]
        .sort((a, b) => b.at - a.at)
        .map((a, i) => (
          <li key={`${a.at}-${i}`} data-kind={a.kind}>
            <time dateTime={new Date(a.at).toISOString()}>{new Date(a.at).toLocaleString()}</time> —{' '}
            {ALERT_TEXT[a.kind] ?? a.kind} <span class="detail">{describeDetail(a.detail)}</span>
          </li>
        ))}
    </ul>
  );
}
