/**
 * User modules a worker holds by SHA-256, so a job's module crosses the
 * network once per worker rather than with every task (the requester sends
 * it when the worker answers NEED_MODULE). Bounded in bytes, least recently
 * used first out; a module larger than the whole cache is used and not kept.
 *
 * A module is found only for a requester that sent it (review L7): were the
 * cache shared, NEED_MODULE would tell anyone whether some other requester
 * ran a module of a hash they know on this worker. The bytes themselves are
 * kept once, whoever sent them; a second requester of the same module
 * uploads it once more, which is rare and costs only bandwidth.
 */
/** (requester, module) pairs kept; each costs a map entry, its bytes are shared */
const MAX_PAIRS = 4096

export class ModuleCache {
  /** `${requester} ${sha256}` → sha256; Map order is use order: the first key is the least recently used */
  private readonly pairs = new Map<string, string>()
  /** the bytes, once per module, and how many pairs refer to them */
  private readonly modules = new Map<string, { bytes: Uint8Array, refs: number }>()
  private bytes = 0

  constructor (private readonly maxBytes: number) {}

  get (requester: string, sha256: string): Uint8Array | null {
    const key = `${requester} ${sha256}`
    if (!this.pairs.has(key)) return null
    this.pairs.delete(key)
    this.pairs.set(key, sha256)
    return this.modules.get(sha256)?.bytes ?? null
  }

  /** `sha256` must have been checked against the bytes */
  put (requester: string, sha256: string, module: Uint8Array): void {
    const key = `${requester} ${sha256}`
    if (module.byteLength > this.maxBytes || this.pairs.has(key)) return
    const held = this.modules.get(sha256)
    if (held != null) {
      held.refs++
    } else {
      // a copy: the bytes may be a view into a larger network buffer we must not keep alive
      this.modules.set(sha256, { bytes: Uint8Array.from(module), refs: 1 })
      this.bytes += module.byteLength
    }
    this.pairs.set(key, sha256)
    for (const [k, sha] of this.pairs) {
      if (this.bytes <= this.maxBytes && this.pairs.size <= MAX_PAIRS) break
      this.drop(k, sha)
    }
  }

  private drop (key: string, sha256: string): void {
    this.pairs.delete(key)
    const m = this.modules.get(sha256)
    if (m == null) return
    if (--m.refs > 0) return
    this.modules.delete(sha256)
    this.bytes -= m.bytes.byteLength
  }

  /** modules held (each once, whoever sent it) */
  get size (): number { return this.modules.size }
  get heldBytes (): number { return this.bytes }
}
