/** The end of a one-step form: its submit button (showing progress) and the error, if any. */
export function FormFooter(props: {
  label: string;
  busyLabel: string;
  busy: boolean;
  disabled?: boolean;
  testid: string;
  error: string | null;
}) {
  return (
    <>
      <button
        class="primary"
        type="submit"
        disabled={props.busy || props.disabled}
        data-testid={props.testid}
      >
        {props.busy ? props.busyLabel : props.label}
      </button>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
    </>
  );
}
