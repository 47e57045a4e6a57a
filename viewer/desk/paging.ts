import { Notifier } from '../notify.js';

const SPEAK_KEY = 'tandem:desk-speak';
/** While an offer is open the tone comes back this often, so a step away from the desk still hears it. */
const RING_EVERY_MS = 5000;

/**
 * Pages an agent about an offer (or an invitation into a colleague's session) in three ways, each of which the agent can turn off: a tone (the
 * viewer's notifier), a desktop notification (once the agent allowed them) and a spoken sentence.
 */
export class Pager {
  private readonly notifier = new Notifier();
  private ring: number | undefined;
  private shown: Notification | null = null;

  get muted(): boolean {
    return this.notifier.muted;
  }

  setMuted(muted: boolean): void {
    this.notifier.setMuted(muted);
  }

  get speaks(): boolean {
    return localStorage.getItem(SPEAK_KEY) !== '0' && 'speechSynthesis' in window;
  }

  setSpeaks(on: boolean): void {
    localStorage.setItem(SPEAK_KEY, on ? '1' : '0');
  }

  /** `default` until the agent answers the browser's question; `unsupported` where there is none. */
  get notifications(): NotificationPermission | 'unsupported' {
    return 'Notification' in window ? Notification.permission : 'unsupported';
  }

  async askForNotifications(): Promise<void> {
    if ('Notification' in window) await Notification.requestPermission();
  }

  /** `tag` names what is paged about, so its desktop notification replaces an older one for it. */
  start(tag: string, text: string): void {
    this.stop();
    this.notifier.page(text);
    this.ring = window.setInterval(() => this.notifier.page(text), RING_EVERY_MS);
    if (this.notifications === 'granted') {
      this.shown = new Notification('A visitor is waiting', {
        body: text,
        tag: `tandem-${tag}`,
        requireInteraction: true,
      });
      this.shown.onclick = () => {
        window.focus();
        this.shown?.close();
      };
    }
    if (this.speaks) speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  }

  stop(): void {
    clearInterval(this.ring);
    this.ring = undefined;
    this.shown?.close();
    this.shown = null;
    if ('speechSynthesis' in window) speechSynthesis.cancel();
  }
}
