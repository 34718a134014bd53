// Values written straight into a slot's buffer and read back in the same order: the
// packed store's encoding (packed-slot.ts). Writing allocates nothing: no JSON text, no
// string per field. JSON.stringify of an exchange allocated 3.5 KB per request for a
// 1 KB result, and under load that allocation cost more in young-generation collections
// than the stringify itself.
//
// Layout: a string is its UTF-8 byte length (uint32, or ABSENT) and its bytes; a number
// is a presence byte and a float64; a flag is one byte (0, 1, or absent).
/** A string, list or body that is not there, where its length would be. */
export const ABSENT = 0xffffffff
const NO_FLAG = 2

export class SlotWriter {
  private offset = 0

  constructor (private bytes: Buffer) {}

  /** The buffer written into: a larger one once the values outgrew the first. */
  get buffer (): Buffer {
    return this.bytes
  }

  text (value: string | undefined): void {
    if (value === undefined) return this.uint32(ABSENT)
    this.ensure(4 + value.length * 3) // UTF-8 takes at most 3 bytes per UTF-16 unit
    const written = this.bytes.write(value, this.offset + 4)
    this.bytes.writeUInt32LE(written, this.offset)
    this.offset += 4 + written
  }

  number (value: number | undefined): void {
    this.ensure(9)
    this.bytes[this.offset] = value === undefined ? 0 : 1
    if (value !== undefined) this.bytes.writeDoubleLE(value, this.offset + 1)
    this.offset += 9
  }

  flag (value: boolean | undefined): void {
    this.ensure(1)
    this.bytes[this.offset++] = value === undefined ? NO_FLAG : value ? 1 : 0
  }

  uint32 (value: number): void {
    this.ensure(4)
    this.bytes.writeUInt32LE(value, this.offset)
    this.offset += 4
  }

  /** Room for a count written once known (patchUint32). */
  placeholder (): number {
    this.uint32(0)
    return this.offset - 4
  }

  patchUint32 (at: number, value: number): void {
    this.bytes.writeUInt32LE(value, at)
  }

  raw (value: Buffer): void {
    this.ensure(value.length)
    value.copy(this.bytes, this.offset)
    this.offset += value.length
  }

  private ensure (size: number): void {
    if (this.offset + size <= this.bytes.length) return
    let next = this.bytes.length * 2
    while (next < this.offset + size) next *= 2
    const grown = Buffer.allocUnsafeSlow(next)
    this.bytes.copy(grown, 0, 0, this.offset)
    this.bytes = grown
  }
}

export class SlotReader {
  private offset = 0

  constructor (private readonly bytes: Buffer) {}

  text (): string | undefined {
    const length = this.uint32()
    if (length === ABSENT) return undefined
    this.offset += length
    return this.bytes.toString('utf8', this.offset - length, this.offset)
  }

  number (): number | undefined {
    const present = this.bytes[this.offset] === 1
    this.offset += 9
    return present ? this.bytes.readDoubleLE(this.offset - 8) : undefined
  }

  flag (): boolean | undefined {
    const value = this.bytes[this.offset++]
    return value === NO_FLAG ? undefined : value === 1
  }

  uint32 (): number {
    this.offset += 4
    return this.bytes.readUInt32LE(this.offset - 4)
  }

  /** A copy: the slot is written over by a later exchange while a view or replay may hold it. */
  raw (length: number): Buffer {
    this.offset += length
    return Buffer.from(this.bytes.subarray(this.offset - length, this.offset))
  }
}
