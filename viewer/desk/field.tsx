import type { ComponentChildren } from 'preact';

/** A labelled input with an optional hint under it, tied to the control for screen readers. */
export function Field(props: { label: string; hint?: string; id: string; children: ComponentChildren }) {
  return (
    <label class="field" for={props.id}>
      {props.label}
      {props.children}
      {props.hint && <small id={`${props.id}-hint`}>{props.hint}</small>}
    </label>
  );
}

/** A form's failure, announced when it appears. */
export function ErrorLine({ error }: { error: string | null }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

/** A table that may scroll sideways on a phone: a named region that takes focus so keys can scroll it. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section class="table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
