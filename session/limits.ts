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
/** The close code of every socket of a help-desk session that has ended: nobody reconnects. */
export const ENDED_CLOSE_CODE = 4410;
