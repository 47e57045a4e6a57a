/** FIN, opcode and payload length (RFC 6455 §5.2), before the masking key a client frame adds. */
export function frameHeaderLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 0x10000 ? 4 : 10;
}

/** Writes a final frame's header at the start of `frame`; the length takes 7, 7+16 or 7+64 bits. */
export function writeFrameHeader(
  frame: Buffer,
  opcode: number,
  payloadLength: number,
  masked: boolean,
): void {
  const mask = masked ? 0x80 : 0;
  frame[0] = 0x80 | opcode;
  if (payloadLength < 126) {
    frame[1] = mask | payloadLength;
  } else if (payloadLength < 0x10000) {
    frame[1] = mask | 126;
    frame.writeUInt16BE(payloadLength, 2);
  } else {
    frame[1] = mask | 127;
    frame.writeUInt32BE(Math.floor(payloadLength / 2 ** 32), 2);
    frame.writeUInt32BE(payloadLength >>> 0, 6);
  }
}

/** A whole text message as a server puts it on the wire: one final, unmasked frame. */
export function serverTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = frameHeaderLength(length);
  const frame = Buffer.allocUnsafe(header + length);
  writeFrameHeader(frame, 0x1, length, false);
  frame.write(text, header, 'utf8');
  return frame;
}
