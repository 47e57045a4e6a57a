/**
 * Getting a person's attention while the viewer is in the background: a count and a flashing title,
 * a short tone and, for those who turn it on, the alert spoken by the browser's speech synthesis.
 * The tone obeys the browser's autoplay rules: the audio context is created on the person's first
 * interaction with the viewer and simply stays silent before that.
 */
const MUTE_KEY = 'tandem:muted';
const SPEAK_KEY = 'tandem:speak';

export class Notifier {
  private unseen = 0;
  private flash: number | undefined;
  private readonly title = document.title;
  private audio: AudioContext | null = null;

  constructor() {
    const unlock = () => {
      this.audio ??= typeof AudioContext === 'function' ? new AudioContext() : null;
    };
    addEventListener('pointerdown', unlock, { once: true, capture: true });
    addEventListener('keydown', unlock, { once: true, capture: true });
    const back = () => {
      if (!this.inBackground()) this.clear();
    };
    addEventListener('focus', back);
    document.addEventListener('visibilitychange', back);
  }

  get muted(): boolean {
    return localStorage.getItem(MUTE_KEY) === '1';
  }

  setMuted(muted: boolean): void {
    localStorage.setItem(MUTE_KEY, muted ? '1' : '0');
  }

  /** Whether this browser can speak at all (speech synthesis is missing in some). */
  get canSpeak(): boolean {
    return typeof speechSynthesis === 'object';
  }

  get speaking(): boolean {
    return this.canSpeak && localStorage.getItem(SPEAK_KEY) === '1';
  }

  setSpeaking(on: boolean): void {
    localStorage.setItem(SPEAK_KEY, on ? '1' : '0');
  }

  /**
   * Something wants attention; nothing happens while the person is looking at the viewer. `summary`
   * goes into the title, `spoken` (short, with no one's message text) is what is read aloud.
   */
  alert(summary: string, spoken: string): void {
    if (!this.inBackground()) return;
    this.unseen++;
    this.startFlashing(summary);
    if (this.speaking) speechSynthesis.speak(new SpeechSynthesisUtterance(spoken));
    if (!this.muted) this.tone();
  }

  /**
   * Someone is waiting for this person (an agent paged with a visitor): the tone sounds even while
   * they look at the screen, because the page may be one of many windows on it.
   */
  page(summary: string): void {
    if (this.inBackground()) {
      this.unseen++;
      this.startFlashing(summary);
    }
    if (!this.muted) this.tone();
  }

  private inBackground(): boolean {
    return document.visibilityState === 'hidden' || !document.hasFocus();
  }

  private startFlashing(summary: string): void {
    clearInterval(this.flash);
    let on = false;
    const show = () => {
      on = !on;
      document.title = on ? `(${this.unseen}) ${summary}` : `(${this.unseen}) ${this.title}`;
    };
    show();
    this.flash = window.setInterval(show, 1000);
  }

  private clear(): void {
    clearInterval(this.flash);
    this.flash = undefined;
    this.unseen = 0;
    document.title = this.title;
  }

  private tone(): void {
    const ctx = this.audio;
    if (ctx?.state !== 'running') return;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
  }
}
