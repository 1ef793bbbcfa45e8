/**
 * Call registries between sides whose wire is a test double: every message
 * goes through the protobuf encoding and the checks of call-service.ts, a
 * side can be cut off, and the test can speak as any peer. A media opener
 * double records what was opened and lets the test decide when it is ready.
 */
import { MemoryDatastore } from 'datastore-core'
import type { Call, CallSignalEvent } from '../../../../shared/api/index.js'
import { WgtError } from '../../../../shared/errors.js'
import { EventHub } from '../../../../shared/rpc.js'
import { ContactBook } from '../../guard/contact-book.js'
import { Guard } from '../../guard/guard.js'
import { PolicyBook } from '../../guard/policy-book.js'
import { ReputationBook } from '../../guard/reputation.js'
import { CallMessage, checkMessage, toWire, type CheckedMessage, type Reply } from '../call-service.js'
import { Calls, type CallSender, type CallsInit } from '../calls.js'
import { CallStore } from '../store.js'
import type { MediaTunnel, TunnelOptions } from '../tunnel-types.js'

export const PEER_A = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
export const PEER_B = '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'
export const PEER_C = '12D3KooWCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC'

export class Wire {
  readonly sides = new Map<string, Side>()
  readonly down = new Set<string>()
  readonly sent: Array<{ from: string, to: string, message: CheckedMessage }> = []

  sender (self: string): CallSender {
    return {
      receiver: null,
      send: async (to: string, message: CheckedMessage) => {
        // a tick, as a network takes: what the sender does meanwhile happens first
        await new Promise(resolve => setImmediate(resolve))
        if (this.down.has(to) || this.down.has(self)) throw new WgtError('PEER_UNREACHABLE', `${to} is unreachable`)
        this.sent.push({ from: self, to, message })
        return await this.deliver(self, to, message)
      }
    }
  }

  async deliver (from: string, to: string, message: CheckedMessage): Promise<Reply> {
    const side = this.sides.get(to)
    if (side == null) throw new WgtError('PEER_UNREACHABLE', `no peer ${to}`)
    return await side.calls.receive(from, checkMessage(CallMessage.decode(CallMessage.encode(toWire(message)))))
  }
}

export interface FakeTunnel extends MediaTunnel {
  opts: TunnelOptions
  route: 'libp2p' | 'relay' | null
  closed: boolean
  /** the other side's ICE credentials the calls gave it, newest last */
  ice: Array<{ ufrag: string, pwd: string }>
  resolve: (route: 'libp2p' | 'relay') => void
  reject: (err: Error) => void
}

export class FakeMedia {
  readonly opened: FakeTunnel[] = []
  private port = 40000

  readonly open = (opts: TunnelOptions): MediaTunnel => {
    let resolve!: (route: 'libp2p' | 'relay') => void
    let reject!: (err: Error) => void
    const ready = new Promise<'libp2p' | 'relay'>((res, rej) => { resolve = res; reject = rej })
    ready.catch(() => {})
    const t: FakeTunnel = {
      opts,
      port: this.port++,
      ready,
      route: null,
      closed: false,
      ice: [],
      resolve: route => { t.route = route; resolve(route) },
      reject,
      stats: () => ({ bytesIn: 0, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, dropped: 0 }),
      expectIce: ice => { t.ice.push(ice) },
      close: () => { t.closed = true }
    }
    this.opened.push(t)
    return t
  }
}

export interface Side {
  id: string
  calls: Calls
  store: CallStore
  guard: Guard
  events: EventHub
  states: Call[]
  signals: CallSignalEvent[]
  datastore: MemoryDatastore
  media: FakeMedia
  /** the newest state of a call, as the events told it */
  latest: (id: string) => Call | undefined
  /** until an event shows the call matching `pred` */
  until: (pred: (c: Call) => boolean, what?: string, timeoutMs?: number) => Promise<Call>
}

export interface SideOptions extends Partial<Omit<CallsInit, 'selfId' | 'store' | 'service' | 'guard' | 'events'>> {
  datastore?: MemoryDatastore
  contacts?: string[]
  /** no media opener at all (openTunnel: null) */
  noMedia?: boolean
}

export async function side (wire: Wire, id: string, opts: SideOptions = {}): Promise<Side> {
  const datastore = opts.datastore ?? new MemoryDatastore()
  const contacts = new ContactBook(datastore)
  const policies = new PolicyBook(datastore)
  const reputation = new ReputationBook({}, datastore)
  await Promise.all([contacts.load(), policies.load(), reputation.load()])
  for (const c of opts.contacts ?? []) await contacts.set(c, { trust: 'contact' })
  const guard = new Guard(reputation, contacts, policies)
  const store = new CallStore(datastore, opts.now)
  await store.load()
  const events = new EventHub()
  const media = new FakeMedia()
  const calls = new Calls({ ...opts, selfId: id, store, service: wire.sender(id), guard, events, openTunnel: opts.noMedia === true ? null : opts.openTunnel ?? media.open })
  calls.start()
  const states: Call[] = []
  const signals: CallSignalEvent[] = []
  const waiters = new Set<() => void>()
  events.on('call:state', c => { states.push(c); for (const w of waiters) w() })
  events.on('call:signal', s => { signals.push(s) })
  const s: Side = {
    id,
    calls,
    store,
    guard,
    events,
    states,
    signals,
    datastore,
    media,
    latest: callId => states.filter(c => c.id === callId).at(-1),
    until: async (pred, what = 'a call state', timeoutMs = 10_000) => {
      const found = (): Call | undefined => states.find(pred)
      if (found() != null) return found() as Call
      return await new Promise<Call>((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for ${what} at ${id}`)) }, timeoutMs)
        const check = (): void => {
          const c = found()
          if (c == null) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(c)
        }
        waiters.add(check)
      })
    }
  }
  wire.sides.set(id, s)
  return s
}

export const QUALITY = { at: 1, path: 'direct', rttMs: 12, sendKbps: 900, recvKbps: 1100, fps: 30, width: 640, height: 480, lossPct: 0, jitterMs: 3 } as const
