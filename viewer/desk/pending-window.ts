/**
 * A window for an address the server has yet to give (a session's viewer after accepting or
 * watching). It is opened at once, while the click still counts as the person's gesture, so popup
 * blockers let it through; `go` sends it on, `cancel` closes it when the call failed. Where no
 * window could be opened, `go` uses this one.
 */
export function pendingWindow(): { go(url: string): void; cancel(): void } {
  const win = window.open('', '_blank');
  return {
    go(url) {
      if (win) win.location.href = url;
      else location.assign(url);
    },
    cancel() {
      win?.close();
    },
  };
}
