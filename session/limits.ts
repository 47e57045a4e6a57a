/** Protocol limits shared by the server and the browser bundles (kept free of zod so the viewer stays small). */
export const MAX_CHAT_LENGTH = 4000;
/** A private line goes to at most this many others. */
export const MAX_CHAT_RECIPIENTS = 50;
/** Largest frame accepted on /ws; a bigger one closes the socket with 1009 (message too big). */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** Frames of anything but recorder output are small; this bounds them well before MAX_FRAME_BYTES. */
export const MAX_CONTROL_FRAME_BYTES = 64 * 1024;

/** The close code a removed participant's sockets get: the viewer must not reconnect. */
export const REMOVED_CLOSE_CODE = 4403;

/** A free-hand stroke keeps at most this many points; a longer one is thinned, not cut off. */
export const MAX_STROKE_POINTS = 400;
/** Stroke points are page pixels from their anchor element's corner, at most this far either way. */
export const MAX_STROKE_OFFSET = 20_000;
/** Strokes kept per author on a page; a new one beyond this replaces that author's oldest. */
export const MAX_STROKES_PER_AUTHOR = 20;
/** The close code of every socket of a help-desk session that has ended: nobody reconnects. */
export const ENDED_CLOSE_CODE = 4410;
