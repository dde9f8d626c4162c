/**
 * Streaming multipart/form-data framing (RFC 2046 §5.1, RFC 7578): splits a body into parts as its chunks
 * arrive, and hands each part's bytes on as subarrays of those chunks, never copied. Uploads are mostly file
 * bytes, so the cost that matters is the delimiter search: it is the native `Buffer#indexOf`, once per chunk.
 */
import { AttError } from '@att/store-core';
import { describePart, malformedBody, type PartInfo } from './multipart-headers.js';

export interface PartHandler {
  /** A part's headers were read; its bytes follow. Throwing stops the parse (the error leaves `write`). */
  partStart(info: PartInfo): void;
  /** Some of the part's bytes; valid as long as the chunk they came in (they are not copied). */
  partData(bytes: Buffer): void;
  /** The part's last byte was handed on. */
  partEnd(): void;
}

export interface MultipartLimits {
  /** Parts (files, fields and skipped parts together) before the body is refused. */
  maxParts: number;
  /** Longest header block of one part, in bytes. */
  maxHeaderBytes?: number;
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

// Where the parser is: before the first delimiter, just after a delimiter, in a header block, in a part's body,
// or after the closing delimiter (epilogue, ignored).
const PREAMBLE = 0;
const AFTER_DELIMITER = 1;
const HEADERS = 2;
const BODY = 3;
const EPILOGUE = 4;

export class MultipartParser {
  readonly #delimiter: Buffer;
  readonly #handler: PartHandler;
  readonly #maxParts: number;
  readonly #maxHeaderBytes: number;
  #state = PREAMBLE;
  /**
   * The end of the last chunk when it may be the start of a delimiter: always a prefix of it, so it holds one CR
   * (its first byte; boundaries cannot contain CR) and never more than the delimiter's length. It starts as the
   * CRLF the first delimiter line lacks, so the body's first line matches like every later delimiter.
   */
  #carry: Buffer | undefined = CRLF;
  /** After a delimiter: 0 nothing yet, 1 seen '-', 2 seen CR. */
  #tail = 0;
  /** A header block split across chunks, behind a CRLF (so an empty block ends at offset 0 too). */
  #head: Buffer | undefined;
  #parts = 0;

  constructor(boundary: string, handler: PartHandler, limits: MultipartLimits) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.#handler = handler;
    this.#maxParts = limits.maxParts;
    this.#maxHeaderBytes = limits.maxHeaderBytes ?? 16 * 1024;
  }

  /** True once the closing delimiter was read: whatever follows is epilogue. */
  get done(): boolean {
    return this.#state === EPILOGUE;
  }

  /** Parses the next chunk of the body; throws an AttError (INVALID_REQUEST) on a malformed body. */
  write(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#state === PREAMBLE || this.#state === BODY) pos = this.#scan(chunk, pos);
      else if (this.#state === AFTER_DELIMITER) pos = this.#afterDelimiter(chunk, pos);
      else if (this.#state === HEADERS) pos = this.#headers(chunk, pos);
      else return;
    }
  }

  /** The body ended: anything but a closing delimiter before this point is a truncated body. */
  end(): void {
    if (this.#state !== EPILOGUE) throw malformedBody('the body ends before its closing delimiter');
  }

  /** Body or preamble bytes up to the next delimiter; returns where reading goes on. */
  #scan(chunk: Buffer, pos: number): number {
    const delimiter = this.#delimiter;
    const carry = this.#carry;
    if (carry !== undefined) {
      this.#carry = undefined;
      const need = delimiter.length - carry.length;
      const have = Math.min(need, chunk.length - pos);
      if (delimiter.compare(chunk, pos, pos + have, carry.length, carry.length + have) === 0) {
        if (have < need) {
          this.#carry = Buffer.concat([carry, chunk.subarray(pos)]);
          return chunk.length;
        }
        this.#delimiterFound();
        return pos + need;
      }
      // Not a delimiter after all, and none can start later inside the carry: its only CR is its first byte.
      this.#emit(carry);
    }
    const at = chunk.indexOf(delimiter, pos);
    if (at >= 0) {
      if (at > pos) this.#emit(chunk.subarray(pos, at));
      this.#delimiterFound();
      return at + delimiter.length;
    }
    // Hold back the chunk's end only if it could be the start of a delimiter.
    let keep = chunk.length;
    for (let cr = chunk.indexOf(CR, Math.max(pos, chunk.length - delimiter.length + 1)); cr >= 0; ) {
      if (delimiter.compare(chunk, cr, chunk.length, 0, chunk.length - cr) === 0) {
        keep = cr;
        break;
      }
      cr = chunk.indexOf(CR, cr + 1);
    }
    // A chunk that is all body (the usual case) goes on as it is: a subarray would be one more object to collect.
    if (keep > pos) this.#emit(pos === 0 && keep === chunk.length ? chunk : chunk.subarray(pos, keep));
    if (keep < chunk.length) this.#carry = chunk.subarray(keep);
    return chunk.length;
  }

  #emit(bytes: Buffer): void {
    if (this.#state === BODY) this.#handler.partData(bytes);
  }

  #delimiterFound(): void {
    if (this.#state === BODY) this.#handler.partEnd();
    this.#state = AFTER_DELIMITER;
    this.#tail = 0;
  }

  /** `--` closes the body, CRLF opens a part's headers; spaces and tabs (transport padding) may come first. */
  #afterDelimiter(chunk: Buffer, pos: number): number {
    for (; pos < chunk.length; pos++) {
      const byte = chunk[pos];
      if (this.#tail === 1) {
        if (byte !== DASH) throw malformedBody('a delimiter is followed by neither "--" nor CRLF');
        this.#state = EPILOGUE;
        return chunk.length;
      }
      if (this.#tail === 2) {
        if (byte !== LF) throw malformedBody('bare CR after a delimiter');
        if (++this.#parts > this.#maxParts) {
          throw new AttError('INVALID_REQUEST', 'too many parts in multipart request');
        }
        this.#state = HEADERS;
        return pos + 1;
      }
      if (byte === DASH) this.#tail = 1;
      else if (byte === CR) this.#tail = 2;
      else if (byte !== 0x20 && byte !== 0x09) throw malformedBody('a delimiter is followed by neither "--" nor CRLF');
    }
    return pos;
  }

  /** The header block ends at the first empty line; a block longer than the bound is refused, not buffered. */
  #headers(chunk: Buffer, pos: number): number {
    const max = this.#maxHeaderBytes;
    if (this.#head === undefined) {
      // Usually the whole block is in this chunk: it is read in place.
      if (chunk[pos] === CR && chunk[pos + 1] === LF) return this.#startBody(EMPTY, pos + 2);
      const end = chunk.indexOf(HEADER_END, pos);
      if (end >= 0 && end - pos <= max) return this.#startBody(chunk.subarray(pos, end), end + 4);
      if (end >= 0 || chunk.length - pos > max + 3) throw headerTooLarge(max);
      this.#head = Buffer.concat([CRLF, chunk.subarray(pos)]);
      return chunk.length;
    }
    // Split across chunks: the block so far (bounded) joined with just enough of this chunk to finish it.
    const before = this.#head.length;
    const head = Buffer.concat([this.#head, chunk.subarray(pos, pos + max + 6 - before)]);
    const end = head.indexOf(HEADER_END, Math.max(0, before - 3));
    if (end >= 0) {
      this.#head = undefined;
      return this.#startBody(end === 0 ? EMPTY : head.subarray(2, end), pos + end + 4 - before);
    }
    if (head.length >= max + 6) throw headerTooLarge(max);
    this.#head = head;
    return chunk.length;
  }

  #startBody(block: Buffer, next: number): number {
    this.#handler.partStart(describePart(block));
    this.#state = BODY;
    return next;
  }
}

function headerTooLarge(max: number): AttError {
  return malformedBody(`a part header block is longer than ${max} bytes`);
}
