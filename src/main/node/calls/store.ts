/**
 * Calls kept in the datastore: the record of each call (the newest
 * MAX_KEPT_CALLS, so a flood of rings cannot grow the store), and the call
 * settings. Strangers' requests nobody answered are kept apart, the newest
 * MAX_KEPT_REQUESTS of them: fresh PeerIds cost nothing, and a swarm of them
 * must not push the user's own calls out of the record. A call that was not
 * over when the node stopped cannot go on (its media and its peer's state
 * are gone), so on load it is recorded as ended 'failed', saying so, and
 * kept aside for the registry to tell the peers (takeInterrupted). Reads are synchronous (loaded at open); every
 * change is written before it is announced.
 */
import { Key, type Datastore } from 'interface-datastore'
import type { Call, CallSettings, IceServer } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { getOrNull } from '../net/datastore-reads.js'

export const MAX_KEPT_CALLS = 200
/** ended requests from strangers (never answered) kept at most, within MAX_KEPT_CALLS */
export const MAX_KEPT_REQUESTS = 20
const RECORDS = '/wgt/calls/record/'
const SETTINGS = new Key('/wgt/calls/settings')
const STATES = new Set(['ringing', 'connecting', 'active', 'ended'])
const ID = /^[0-9a-f]{32}$/
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export const DEFAULT_CALL_SETTINGS: Readonly<CallSettings> = Object.freeze({ iceServers: [], mediaPath: 'auto' })

export class CallStore {
  private readonly calls = new Map<string, Call>()
  private settings: CallSettings = { ...DEFAULT_CALL_SETTINGS }
  /** calls load() found going on (the node stopped without ending them), newest first */
  private interrupted: Call[] = []

  constructor (private readonly datastore: Datastore, private readonly now: () => number = Date.now) {}

  async load (): Promise<void> {
    const found: Call[] = []
    try {
      for await (const { value } of this.datastore.query({ prefix: RECORDS })) {
        const c = parse<Call>(value)
        if (c != null && typeof c.id === 'string' && ID.test(c.id) && typeof c.peerId === 'string' && STATES.has(c.state) && Number.isFinite(c.startedAt)) found.push(c)
      }
      this.settings = checkSettings(parse<Partial<CallSettings>>(await getOrNull(this.datastore, SETTINGS)))
    } catch (err) {
      throw WgtError.from(err, 'UNAVAILABLE')
    }
    found.sort((a, b) => b.startedAt - a.startedAt)
    // (every request counts here: one that was ringing is an ended request once marked failed)
    const excess = new Set(found.filter(isRequest).slice(MAX_KEPT_REQUESTS))
    const kept = new Set(found.filter(c => !excess.has(c)).slice(0, MAX_KEPT_CALLS))
    for (const c of found) {
      if (!kept.has(c)) {
        await this.datastore.delete(new Key(RECORDS + c.id))
        continue
      }
      this.calls.set(c.id, c)
      if (c.state !== 'ended') {
        this.interrupted.push(c)
        await this.save({ ...c, state: 'ended', endedAt: this.now(), endReason: 'failed', endedBy: null, error: 'the node stopped during the call', tunnel: null })
      }
    }
  }

  /** The calls the last load found going on, as they stood, newest first; once. */
  takeInterrupted (): Call[] {
    return this.interrupted.splice(0)
  }


  get (id: string): Call | undefined {
    return this.calls.get(id)
  }

  /** newest first (the same order every time, even for calls started in the same millisecond) */
  all (): Call[] {
    return [...this.calls.values()].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : 1))
  }

  /**
   * Write the call; past MAX_KEPT_REQUESTS ended requests the oldest of them goes, and past
   * MAX_KEPT_CALLS the oldest ended call.
   */
  async save (call: Call): Promise<void> {
    await this.datastore.put(new Key(RECORDS + call.id), encoder.encode(JSON.stringify(call)))
    this.calls.set(call.id, call)
    if (isRequest(call) && call.state === 'ended') {
      const requests = this.all().filter(c => isRequest(c) && c.state === 'ended')
      if (requests.length > MAX_KEPT_REQUESTS) await this.forget(requests[requests.length - 1])
    }
    if (this.calls.size <= MAX_KEPT_CALLS) return
    const oldest = this.all().reverse().find(c => c.state === 'ended')
    if (oldest != null) await this.forget(oldest)
  }

  private async forget (call: Call): Promise<void> {
    this.calls.delete(call.id)
    await this.datastore.delete(new Key(RECORDS + call.id))
  }

  getSettings (): CallSettings {
    return { ...this.settings, iceServers: this.settings.iceServers.map(s => ({ ...s })) }
  }

  async updateSettings (patch: Partial<CallSettings>): Promise<CallSettings> {
    const next = checkSettings({ ...this.settings, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) })
    await this.datastore.put(SETTINGS, encoder.encode(JSON.stringify(next)))
    this.settings = next
    return this.getSettings()
  }
}

/** a stranger's call held as a request and never answered (answering it clears `request`) */
function isRequest (c: Call): boolean {
  return c.request && !c.outgoing
}

function parse<T> (bytes: Uint8Array | null): T | null {
  if (bytes == null) return null
  try {
    return JSON.parse(decoder.decode(bytes)) as T
  } catch {
    return null
  }
}

/** A stored value of the wrong shape is ignored: the default applies. */
function checkSettings (s: Partial<CallSettings> | null): CallSettings {
  const mediaPath = s?.mediaPath === 'libp2p' || s?.mediaPath === 'direct' || s?.mediaPath === 'auto' ? s.mediaPath : DEFAULT_CALL_SETTINGS.mediaPath
  const iceServers = Array.isArray(s?.iceServers)
    ? s.iceServers.filter((x): x is IceServer => typeof x?.urls === 'string').slice(0, 8).map(x => ({
      urls: x.urls,
      ...(typeof x.username === 'string' ? { username: x.username } : {}),
      ...(typeof x.credential === 'string' ? { credential: x.credential } : {})
    }))
    : []
  return { iceServers, mediaPath }
}
