/**
 * Reading a request frame off a task stream under deadlines (review M4): its
 * length prefix must come within a short deadline, and the rest at no less
 * than a floor pace for its declared size (and within the transfer bound).
 * The service takes a task slot only once the prefix is in, so a stream
 * that sends nothing holds no slot, and one that trickles holds it for
 * seconds, not a minute.
 */
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import type { Uint8ArrayList } from 'uint8arraylist'

/** A read that ran past its deadline: before the length prefix ('header'), or after it ('body'). */
export class ReadTimeout extends Error {
  override readonly name = 'ReadTimeout'
  constructor (readonly phase: 'header' | 'body', message: string) { super(message) }
}

export interface FrameDeadlines {
  /** for the length prefix, from the start of the read */
  headerMs: number
  /** for the rest, from when the prefix came, by its declared length */
  bodyMs: (declared: number) => number
  /** runs when the length is known, before the rest is awaited; what it throws ends the read */
  atHeader?: (declared: number) => void
}

export class FrameReader {
  readonly lp: ReturnType<typeof lpStream>
  private onLength: ((declared: number) => void) | null = null

  constructor (stream: Stream, maxBytes: number) {
    this.lp = lpStream(stream, {
      maxDataLength: maxBytes,
      maxBufferSize: maxBytes + 1024,
      // the declared length, as soon as it is in: the slot and the body's deadline hang on it
      lengthDecoder: Object.assign((buf: Uint8ArrayList | Uint8Array) => {
        const n = varint.decode(buf)
        this.onLength?.(n)
        return n
      }, { bytes: 0 })
    })
  }

  async read (d: FrameDeadlines): Promise<Uint8Array> {
    const ctl = new AbortController()
    const state: { timedOut: ReadTimeout | null } = { timedOut: null }
    const expire = (t: ReadTimeout): void => { state.timedOut = t; ctl.abort(t) }
    let timer = setTimeout(() => { expire(new ReadTimeout('header', `no request within ${d.headerMs} ms`)) }, d.headerMs)
    const header = Promise.withResolvers<number>()
    this.onLength = header.resolve
    const reading = this.lp.read({ signal: ctl.signal })
    // when atHeader refuses, nobody awaits the read we abort
    reading.catch(() => {})
    try {
      const declared = await Promise.race([header.promise, reading.then(b => b.byteLength)])
      clearTimeout(timer)
      d.atHeader?.(declared)
      const ms = d.bodyMs(declared)
      timer = setTimeout(() => { expire(new ReadTimeout('body', `a request of ${declared} bytes did not arrive within ${ms} ms`)) }, ms)
      return (await reading).subarray()
    } catch (err) {
      throw state.timedOut ?? err
    } finally {
      clearTimeout(timer)
      this.onLength = null
      ctl.abort()
    }
  }
}
