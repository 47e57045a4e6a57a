import { Player } from './player.js';
import type { RecordedEvent } from './timeline.js';

/**
 * One player per tab, all on the session's server-time axis, of which one is shown. A tab's player
 * is made the first time the tab is shown; the others stay paused where they were and are moved to
 * the shown time when they are shown again, so only one page plays at a time.
 */
export class Players {
  private readonly players = new Map<string, { player: Player; root: HTMLElement }>();
  private shown: { tab: string; player: Player } | null = null;
  private speed = 1;
  private skipInactive = false;

  constructor(
    private readonly stage: HTMLElement,
    private readonly span: { start: number; end: number },
    private readonly recording: (tab: string) => readonly RecordedEvent[],
    private readonly onEnd: () => void,
  ) {}

  /** The tab shown now. */
  get tab(): string | null {
    return this.shown?.tab ?? null;
  }

  /** Shows `tab`'s page as it was at `time`, then plays on from there or stays paused. */
  show(tab: string, time: number, play: boolean): void {
    if (this.shown?.tab !== tab) {
      this.shown?.player.pause();
      for (const [id, p] of this.players) this.reveal(p.root, id === tab);
      const player = this.players.get(tab)?.player ?? this.make(tab);
      this.shown = { tab, player };
    }
    this.shown.player.seek(time, play);
  }

  /** The server time shown now. */
  now(): number {
    return this.shown?.player.now() ?? this.span.start;
  }

  pause(): void {
    this.shown?.player.pause();
  }

  /** A later page of a tab's recording. */
  add(tab: string, events: readonly RecordedEvent[]): void {
    this.players.get(tab)?.player.add(events);
  }

  configure(speed: number, skipInactive: boolean): void {
    this.speed = speed;
    this.skipInactive = skipInactive;
    for (const { player } of this.players.values()) player.configure(speed, skipInactive);
  }

  node(id: number): Node | null {
    return this.shown?.player.node(id) ?? null;
  }

  placement(): { box: DOMRect; scale: number } {
    return this.shown?.player.placement() ?? { box: this.stage.getBoundingClientRect(), scale: 1 };
  }

  destroy(): void {
    for (const { player, root } of this.players.values()) {
      player.destroy();
      root.remove();
    }
    this.players.clear();
    this.shown = null;
  }

  private make(tab: string): Player {
    const root = document.createElement('div');
    root.className = 'replay-page';
    root.dataset.tab = tab;
    this.reveal(root, true);
    this.stage.append(root);
    const player = new Player(root, this.span, this.recording(tab), () => {
      if (this.shown?.player === player) this.onEnd();
    });
    player.configure(this.speed, this.skipInactive);
    this.players.set(tab, { player, root });
    return player;
  }

  /** Only the shown page is visible, and it is the one tests and tools find as the stage. */
  private reveal(root: HTMLElement, shown: boolean): void {
    root.hidden = !shown;
    if (shown) root.dataset.testid = 'replay-stage';
    else delete root.dataset.testid;
  }
}
