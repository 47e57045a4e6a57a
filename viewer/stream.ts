import type { ServerMessage } from '../session/protocol.js';

export type StreamListener = (msg: ServerMessage) => void;

const RRWEB_META = 4;

/**
 * Fan-out of raw server messages to the parts of the viewer that handle high-volume traffic. A part
 * that mounts late (the mirror appears only after the welcome) is first given what it needs to catch
 * up: the last welcome and each tab's recording since its last full snapshot (a follower switching
 * tabs mounts a new mirror, which needs the whole of that tab's).
 */
export class Stream {
  private readonly listeners = new Set<StreamListener>();
  private welcome: ServerMessage | null = null;
  private readonly recording = new Map<string, ServerMessage[]>();

  subscribe(listener: StreamListener): () => void {
    if (this.welcome) listener(this.welcome);
    for (const tab of this.recording.values()) for (const m of tab) listener(m);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(msg: ServerMessage): void {
    if (msg.type === 'welcome') {
      this.welcome = msg;
      this.recording.clear();
    } else if (msg.type === 'rec') {
      if (msg.events.some((e) => (e as { type?: number }).type === RRWEB_META))
        this.recording.set(msg.tab, []);
      this.keep(msg.tab, msg);
    } else if (msg.type === 'location') {
      this.keep(msg.tab, msg);
    } else if (msg.type === 'tab.closed') {
      this.recording.delete(msg.tab);
    }
    for (const l of this.listeners) l(msg);
  }

  private keep(tab: string, msg: ServerMessage): void {
    const kept = this.recording.get(tab);
    if (kept) kept.push(msg);
    else this.recording.set(tab, [msg]);
  }
}
