/**
 * One attached media stream, after its hello and reply: datagrams out as
 * frames, frames in as datagrams. Sending never waits: when the stream is
 * slow (more than `maxQueueBytes` wait to be written) the datagram is
 * dropped, as a congested UDP path would drop it. Media adapts
 * to loss; a queue would only add delay and memory.
 */
import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import { closeStream, Violation } from '../../wire/index.js'
import { frame, FrameReader } from './wire.js'

/** how the stream ended: `clean` when the far side closed it on purpose (its tunnel closed) */
export interface LinkEnd {
  clean: boolean
  violation?: Violation
  reason?: string
}

export interface LinkEvents {
  datagram: (datagram: Uint8Array) => void
  end: (how: LinkEnd) => void
}

/** bytes waiting to be written to a stream before datagrams are dropped: ~0.2 s of a 2.5 Mbit/s video */
export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024

export class Link {
  private ended = false
  private readonly reader = new FrameReader()
  private readonly onMessage = (evt: StreamMessageEvent): void => {
    if (this.ended) return
    try {
      this.reader.push(evt.data, this.events.datagram)
    } catch (err) {
      const violation = err instanceof Violation ? err : new Violation((err as Error).message)
      this.finish({ clean: false, violation, reason: violation.message })
      this.stream.abort(violation)
    }
  }

  private readonly onRemoteCloseWrite = (): void => {
    this.finish({ clean: true })
    void closeStream(this.stream)
  }

  private readonly onClose = (evt: StreamCloseEvent): void => {
    this.finish({ clean: evt.error == null, reason: evt.error?.message })
  }

  constructor (readonly stream: Stream, private readonly events: LinkEvents, private readonly maxQueueBytes = DEFAULT_MAX_QUEUE_BYTES) {
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('remoteCloseWrite', this.onRemoteCloseWrite)
    stream.addEventListener('close', this.onClose)
    // it may have ended before we listened
    if (stream.status !== 'open') queueMicrotask(() => { this.finish({ clean: stream.status === 'closed' }) })
  }

  get open (): boolean { return !this.ended }

  /** false: dropped (the stream is slow or gone) */
  send (datagram: Uint8Array): boolean {
    const s = this.stream
    // While the stream waits for 'drain' (the TCP socket's buffer passed Node's 16 KiB mark, or
    // the muxer's window is spent) what we send waits in its write buffer: bounded here. Dropping
    // at the first sign of backpressure instead lost ~5% of an 8 Mbit/s call on a busy machine.
    if (this.ended || s.status !== 'open' || s.writeBufferLength + datagram.byteLength > this.maxQueueBytes) return false
    try {
      s.send(frame(datagram))
      return true
    } catch {
      // closed for writing between the check and the send
      return false
    }
  }

  /** Graceful: the far side sees a clean end and does not try to re-attach. */
  close (): void {
    this.finish({ clean: true })
    void closeStream(this.stream)
  }

  /** The far side sees an error and re-attaches if it can. */
  abort (reason: string): void {
    this.finish({ clean: false, reason })
    if (this.stream.status === 'open' || this.stream.status === 'closing') this.stream.abort(new Error(reason))
  }

  private finish (how: LinkEnd): void {
    if (this.ended) return
    this.ended = true
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('remoteCloseWrite', this.onRemoteCloseWrite)
    this.stream.removeEventListener('close', this.onClose)
    this.events.end(how)
  }
}
