/**
 * User modules a worker holds by SHA-256, so a job's module crosses the
 * network once per worker rather than with every task (the requester sends
 * it when the worker answers NEED_MODULE). Bounded in bytes, least recently
 * used first out; a module larger than the whole cache is used and not kept.
 */
export class ModuleCache {
  /** Map order is use order: the first key is the least recently used */
  private readonly modules = new Map<string, Uint8Array>()
  private bytes = 0

  constructor (private readonly maxBytes: number) {}

  get (sha256: string): Uint8Array | null {
    const m = this.modules.get(sha256)
    if (m == null) return null
    this.modules.delete(sha256)
    this.modules.set(sha256, m)
    return m
  }

  /** `sha256` must have been checked against the bytes */
  put (sha256: string, module: Uint8Array): void {
    if (module.byteLength > this.maxBytes || this.modules.has(sha256)) return
    // a copy: the bytes may be a view into a larger network buffer we must not keep alive
    this.modules.set(sha256, Uint8Array.from(module))
    this.bytes += module.byteLength
    for (const [key, m] of this.modules) {
      if (this.bytes <= this.maxBytes) break
      this.modules.delete(key)
      this.bytes -= m.byteLength
    }
  }

  get size (): number { return this.modules.size }
  get heldBytes (): number { return this.bytes }
}
