import type { RelayedMessage } from '../session/protocol.js';

export interface ChatLine {
  seq: number;
  at: number;
  from: string;
  text: string;
  /** A private line's recipients (the sender sees it too); absent for everyone. */
  to?: string[];
  /** A question (the sender's) that a host showed to everyone. */
  question?: true;
}

/** A relayed chat message as the live viewer and the replay keep it. */
export function chatLineOf(msg: Extract<RelayedMessage, { type: 'chat' }>): ChatLine {
  return {
    seq: msg.seq,
    at: msg.at,
    from: msg.from,
    text: msg.text,
    ...(msg.to ? { to: msg.to } : {}),
    ...(msg.question ? { question: true as const } : {}),
  };
}
