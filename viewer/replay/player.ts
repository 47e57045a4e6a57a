import { Replayer } from '@rrweb/replay';
import type { RecordedEvent } from './timeline.js';

type ReplayEvent = Parameters<Replayer['addEvent']>[0];

/** rrweb's custom event type: ignored by the replayer except for being on its timeline. */
const RRWEB_CUSTOM = 5;
/**
 * rrweb applies only the events strictly before a seek position; the state at a time includes what
 * happened at that very millisecond.
 */
const INCLUSIVE = 0.5;

const edge = (timestamp: number, tag: string) => ({
  type: RRWEB_CUSTOM,
  timestamp,
  data: { tag, payload: null },
});

/**
 * rrweb's Replayer, paced (not live, so the page's scripts never run and events keep their timing)
 * and addressed in server time. The session's start and end are placed on its timeline as custom
 * events, so playback spans the whole session even where nothing was recorded.
 */
export class Player {
  private readonly replayer: Replayer;
  private readonly origin: number;
  private readonly observer: ResizeObserver;
  private scale = 1;
  private destroyed = false;

  constructor(
    private readonly root: HTMLElement,
    span: { start: number; end: number },
    events: readonly RecordedEvent[],
    onEnd: () => void,
  ) {
    this.origin = Math.min(span.start, events[0]?.timestamp ?? span.start);
    const end = Math.max(span.end, events.at(-1)?.timestamp ?? span.end, this.origin);
    this.replayer = new Replayer(
      [edge(this.origin, 'tandem-start'), ...events, edge(end, 'tandem-end')] as ReplayEvent[],
      {
        root,
        mouseTail: false,
        UNSAFE_replayCanvas: false,
        showWarning: false,
        triggerFocus: false,
        insertStyleRules: ['[data-tandem-private]{-webkit-text-security:disc}'],
      },
    );
    this.replayer.iframe.setAttribute('title', 'Replayed page');
    this.replayer.on('finish', onEnd);
    this.replayer.on('resize', () => this.fit());
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(root);
  }

  /** The server time shown now. */
  now(): number {
    return this.origin + this.replayer.getCurrentTime() - INCLUSIVE;
  }

  /** Shows the page as it was at `time`, then plays on from there or stays paused. */
  seek(time: number, play: boolean): void {
    const offset = Math.max(0, time - this.origin) + INCLUSIVE;
    if (play) this.replayer.play(offset);
    else this.replayer.pause(offset);
  }

  pause(): void {
    this.replayer.pause();
  }

  /** Events from a later page; rrweb places them by time and casts those already due. */
  add(events: readonly RecordedEvent[]): void {
    for (const e of events) this.replayer.addEvent(e as ReplayEvent);
    const first = events[0];
    // rrweb casts events from before where it (re)started at once, but into its virtual DOM, which
    // only a seek writes to the page: once it has them, seek to where it is.
    if (first && first.timestamp < this.replayer.service.state.context.baselineTime) {
      setTimeout(() => {
        if (!this.destroyed) this.seek(this.now(), this.replayer.service.state.matches('playing'));
      }, 0);
    }
  }

  configure(speed: number, skipInactive: boolean): void {
    this.replayer.setConfig({ speed, skipInactive });
  }

  node(id: number): Node | null {
    return this.replayer.getMirror().getNode(id);
  }

  /** Where the replayed page is on screen, and how much it is scaled down. */
  placement(): { box: DOMRect; scale: number } {
    return { box: this.replayer.iframe.getBoundingClientRect(), scale: this.scale };
  }

  destroy(): void {
    this.destroyed = true;
    this.observer.disconnect();
    this.replayer.destroy();
  }

  /** Scales the recorded viewport down to the stage and centres it. */
  private fit(): void {
    const w = this.replayer.iframe.offsetWidth || 1;
    const h = this.replayer.iframe.offsetHeight || 1;
    this.scale = Math.min(1, this.root.clientWidth / w, this.root.clientHeight / h);
    const left = Math.max(0, (this.root.clientWidth - w * this.scale) / 2);
    this.replayer.wrapper.style.transform = `translateX(${left}px) scale(${this.scale})`;
  }
}
