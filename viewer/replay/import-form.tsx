import { useRef, useState } from 'preact/hooks';
import { ApiError, importSession } from './api.js';

type Progress =
  | { kind: 'idle' }
  | { kind: 'sending'; fraction: number }
  | { kind: 'done'; id: string; events: number }
  | { kind: 'failed'; message: string };

/** Brings an exported session (a `.ndjson` file) into this tenant's archive. */
export function ImportForm({ imported, expired }: { imported: () => void; expired: () => void }) {
  const [progress, setProgress] = useState<Progress>({ kind: 'idle' });
  const file = useRef<HTMLInputElement>(null);
  const sending = progress.kind === 'sending';

  const submit = async (e: Event) => {
    e.preventDefault();
    const chosen = file.current?.files?.[0];
    if (!chosen) {
      setProgress({ kind: 'failed', message: 'Choose an exported session file first.' });
      return;
    }
    setProgress({ kind: 'sending', fraction: 0 });
    try {
      const done = await importSession(chosen, (fraction) => setProgress({ kind: 'sending', fraction }));
      setProgress({ kind: 'done', ...done });
      if (file.current) file.current.value = '';
      imported();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return expired();
      const reason = (err as Error).message.replace(/\.$/, '');
      setProgress({ kind: 'failed', message: `The file was not imported: ${reason}.` });
    }
  };

  return (
    <section class="import" aria-labelledby="import-title">
      <h2 id="import-title">Import a session</h2>
      <form onSubmit={submit}>
        <label>
          Exported session file
          <input
            ref={file}
            type="file"
            accept=".ndjson,application/x-ndjson"
            data-testid="archive-import-file"
          />
        </label>
        <button type="submit" disabled={sending} data-testid="archive-import-submit">
          {sending ? 'Importing…' : 'Import'}
        </button>
      </form>
      <div role="status" class="status-line">
        {progress.kind === 'sending' && (
          <>
            <progress value={progress.fraction} max={1} aria-label="Upload progress" />{' '}
            {progress.fraction < 1 ? 'Sending the file…' : 'Checking the session…'}
          </>
        )}
        {progress.kind === 'done' && (
          <>
            Imported {progress.events} events.{' '}
            <a href={`/archive/${encodeURIComponent(progress.id)}`}>Replay the imported session</a>
          </>
        )}
      </div>
      {progress.kind === 'failed' && (
        <p class="error" role="alert" data-testid="archive-import-error">
          {progress.message}
        </p>
      )}
    </section>
  );
}
