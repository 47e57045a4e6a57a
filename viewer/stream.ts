import type { ServerMessage } from '../session/protocol.js';

export type StreamListener = (msg: ServerMessage) => void;

const RRWEB_META = 4;

/**
 * Fan-out of raw server messages to the parts of the viewer that handle high-volume traffic. A part
 * that mounts late (the mirror appears only after the welcome) is first given what it needs to catch
 * up: the last welcome and the recording since the last full snapshot.
 */
export class Stream {
  private readonly listeners = new Set<StreamListener>();
  private welcome: ServerMessage | null = null;
  private recording: ServerMessage[] = [];

  subscribe(listener: StreamListener): () => void {
    if (this.welcome) listener(this.welcome);
    for (const m of this.recording) listener(m);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(msg: ServerMessage): void {
    if (msg.type === 'welcome') {
      this.welcome = msg;
      this.recording = [];
    } else if (msg.type === 'rec') {
      if (msg.events.some((e) => (e as { type?: number }).type === RRWEB_META)) this.recording = [];
      this.recording.push(msg);
    } else if (msg.type === 'location') {
      this.recording.push(msg);
    }
    for (const l of this.listeners) l(msg);
  }
}
