/**
 * The copy of a streamed body kept for followers and the archive, up to `limit` bytes. While the
 * bytes match `previous` (the copy kept for the same URL before), none are copied: a body that turns
 * out the same is `previous` itself, which is then known to be archived without being compared or
 * hashed again.
 */
export class BodyCopy {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private previous: Buffer | undefined,
    private readonly limit: number,
  ) {}

  add(chunk: Buffer): void {
    const start = this.size;
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.chunks = [];
      this.previous = undefined;
      return;
    }
    const previous = this.previous;
    if (previous) {
      if (this.size <= previous.length && chunk.equals(previous.subarray(start, this.size))) return;
      // The first byte that differs: what matched so far is copied after all.
      if (start > 0) this.chunks.push(previous.subarray(0, start));
      this.previous = undefined;
    }
    this.chunks.push(chunk);
  }

  /** The whole body, or undefined when it was larger than the limit. */
  body(): Buffer | undefined {
    if (this.size > this.limit) return undefined;
    const previous = this.previous;
    if (previous)
      return previous.length === this.size ? previous : Buffer.from(previous.subarray(0, this.size));
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
  }
}
