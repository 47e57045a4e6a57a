/** What the room needs of one browser's socket; the WebSocket adapter implements it. */
export interface Connection {
  send(message: Outgoing): void;
  /** Bytes queued and not yet written to the network. */
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
}

/**
 * One serialised message on its way out. A relayed event is one of these however many sockets get
 * it, so what a socket makes of the text to put it on the wire is made by the first of them and
 * shared by the rest: a room of thousands encodes an event once, not once per follower.
 */
export class Outgoing {
  private wire: Buffer | undefined;

  constructor(readonly text: string) {}

  encoded(encode: (text: string) => Buffer): Buffer {
    this.wire ??= encode(this.text);
    return this.wire;
  }
}
