/** What the room needs of one browser's socket; the WebSocket adapter implements it. */
export interface Connection {
  send(text: string): void;
  /** Bytes queued and not yet written to the network. */
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
}
