/**
 * Bundled into a Chromium page by test/e2e/call-session.test.ts (no node,
 * no app build): CallSession as it is, and the call UI over a store and an
 * API faked in the page, whose "peer" is a second CallSession in the same
 * page. Both sessions use Chromium's fake camera and microphone.
 */
import { createRoot } from 'react-dom/client'
import type { Call, CallSettings, CallSignal, WgtApi } from '../../shared/api/index.js'
import { EventHub } from '../../shared/rpc.js'
import { ALWAYS_READY, AppContext } from '../src/app/context.js'
import { createWgtStore } from '../src/app/slices.js'
import { CallOverlay } from '../src/calls/CallOverlay.js'
import { CallSettingsSection } from '../src/calls/CallSettingsSection.js'
import { ChatView } from '../src/chat/ChatView.js'
import { ContactsTable } from '../src/guard/ContactLists.js'
import { conv, msg } from './chat-fixtures.js'
import { CallSession, type CallSignalling, type MediaSource } from '../src/calls/session.js'

export const PEER_A = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
export const PEER_B = '12D3KooWBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'

const hex = (n: number): string => n.toString(16).padStart(32, '0')

export function newCall (over: Partial<Call>): Call {
  return {
    id: hex(1), peerId: PEER_B, outgoing: true, video: true, state: 'ringing', request: false, startedAt: Date.now(),
    answeredAt: null, endedAt: null, endReason: null, endedBy: null, error: null, tunnel: null, quality: null, ...over
  }
}

/**
 * Two sides of one call wired through the page, as two nodes would carry
 * it: a signal sent on one side arrives on the other, a hang-up ends it on both.
 */
export function pair (o: { video: boolean, settings?: Partial<CallSettings>, connectTimeoutMs?: number, calleeVideo?: boolean, callerHasNoCamera?: boolean }) {
  const settings: CallSettings = { iceServers: [], mediaPath: 'auto', ...o.settings }
  const id = hex(Math.floor(Math.random() * 2 ** 40))
  const reports: Record<'a' | 'b', number> = { a: 0, b: 0 }
  const signals: Record<'a' | 'b', CallSignal[]> = { a: [], b: [] }
  // each side's fake node reaches the other session, made just below
  const sides = {} as { a: CallSession, b: CallSession }
  const end = (by: 'a' | 'b'): void => {
    const endedAt = Date.now()
    sides.a.update({ ...sides.a.call, state: 'ended', endReason: 'hangup', endedBy: by === 'a' ? 'local' : 'remote', endedAt })
    sides.b.update({ ...sides.b.call, state: 'ended', endReason: 'hangup', endedBy: by === 'b' ? 'local' : 'remote', endedAt })
  }
  const api = (self: 'a' | 'b'): CallSignalling => ({
    sendCallSignal: async (_id, signal) => {
      signals[self].push(signal)
      const other = self === 'a' ? sides.b : sides.a
      setTimeout(() => { other.signal(signal) }, 0)
    },
    hangupCall: async () => { setTimeout(() => { end(self) }, 0); return sides[self].call },
    reportCallQuality: async () => { reports[self]++ }
  })
  // a machine without a camera, as getUserMedia tells it
  const noCamera: MediaSource = {
    getUserMedia: async (c) => {
      if (c.video != null && c.video !== false) throw new DOMException('Requested device not found', 'NotFoundError')
      return await navigator.mediaDevices.getUserMedia(c)
    },
    getDisplayMedia: async (c) => await navigator.mediaDevices.getDisplayMedia(c),
    enumerateDevices: async () => await navigator.mediaDevices.enumerateDevices()
  }
  const a = sides.a = new CallSession({ call: newCall({ id, video: o.video }), api: api('a'), settings, connectTimeoutMs: o.connectTimeoutMs, media: o.callerHasNoCamera === true ? noCamera : undefined })
  const b = sides.b = new CallSession({ call: newCall({ id, peerId: PEER_A, outgoing: false, video: o.video, state: 'connecting' }), api: api('b'), settings, sendVideo: o.calleeVideo, connectTimeoutMs: o.connectTimeoutMs })
  return {
    a,
    b,
    reports,
    signals,
    /** each node publishes its tunnel's port (as 'call:state' with Call.tunnel) */
    tunnels: (ports: { a: number, b: number }, route: 'libp2p' | 'relay' = 'libp2p') => {
      a.update({ ...a.call, tunnel: { port: ports.a, route } })
      b.update({ ...b.call, tunnel: { port: ports.b, route } })
    },
    /** the callee accepts: it starts at once, the caller when its node says 'connecting' */
    accept: () => {
      b.accepted()
      a.update({ ...a.call, state: 'connecting', answeredAt: Date.now() })
    }
  }
}

/**
 * The call UI in the page for screenshots and keyboard checks: the app's
 * store and CallOverlay over a fake API whose peer is an in-page session.
 */
export function mountUi (theme: 'light' | 'dark') {
  document.documentElement.dataset.theme = theme
  const hub = new EventHub()
  const store = createWgtStore()
  const emit = (call: Call): void => { store.getState().callChanged(call); hub.emit('call:state', call) }
  const settings: CallSettings = { iceServers: [], mediaPath: 'auto' }
  let far: CallSession | null = null
  let current: Call | null = null
  const api = {
    on: (e: string, l: (d: unknown) => void) => hub.on(e as 'call:state', l as never),
    getCallSettings: async () => settings,
    listCalls: async () => [],
    startCall: async (peerId: string, { video }: { video: boolean }) => {
      current = newCall({ peerId, video })
      const id = current.id
      far = new CallSession({
        call: newCall({ id, peerId: PEER_A, outgoing: false, video, state: 'connecting' }),
        settings,
        api: {
          sendCallSignal: async (_id, signal) => { setTimeout(() => { hub.emit('call:signal', { callId: id, signal }) }, 0) },
          hangupCall: async () => { end('remote'); return current as Call },
          reportCallQuality: async () => {}
        }
      })
      store.getState().callChanged(current)
      return current
    },
    acceptCall: async (id: string) => {
      current = { ...store.getState().calls[id], state: 'connecting', answeredAt: Date.now() }
      store.getState().callChanged(current)
      return current
    },
    declineCall: async (id: string) => {
      const c: Call = { ...store.getState().calls[id], state: 'ended', endReason: 'declined', endedBy: 'local', endedAt: Date.now() }
      emit(c)
      return c
    },
    hangupCall: async () => { end('local'); return current as Call },
    sendCallSignal: async (_id: string, signal: CallSignal) => { setTimeout(() => { far?.signal(signal) }, 0) },
    reportCallQuality: async () => {}
  } as unknown as WgtApi
  const end = (by: 'local' | 'remote'): void => {
    if (current == null || current.state === 'ended') return
    current = { ...current, state: 'ended', endReason: 'hangup', endedBy: by, endedAt: Date.now() }
    emit(current)
    far?.close()
  }
  store.setState({
    contacts: { [PEER_B]: { peerId: PEER_B, trust: 'contact', nickname: 'Alice Martin', addresses: [], since: 0, updatedAt: 0, undelivered: false } } as never
  })
  const root = document.createElement('div')
  document.body.append(root)
  createRoot(root).render(
    <AppContext.Provider value={{ api, store, connection: ALWAYS_READY, host: null as never }}>
      <main className='layout'><section className='card'><h2>Chat</h2><p className='muted'>The app's view would be here.</p></section></main>
      <CallOverlay />
    </AppContext.Provider>
  )
  return {
    store,
    /** the peer answers our call (its node says 'connecting') */
    farAccepts: () => {
      if (current == null || far == null) return
      far.accepted()
      current = { ...current, state: 'connecting', answeredAt: Date.now() }
      emit(current)
    },
    /** the peer's node ends our call as it would report it */
    farEnds: (endReason: Call['endReason'], error: string | null = null) => {
      if (current == null) return
      current = { ...current, state: 'ended', endReason, endedBy: 'remote', endedAt: Date.now(), error }
      emit(current)
      far?.close()
    },
    /** a call rings here */
    ring: (o: { video: boolean, request?: boolean, peerId?: string }) => {
      const c = newCall({ id: hex(Math.floor(Math.random() * 2 ** 40)), peerId: o.peerId ?? PEER_B, outgoing: false, video: o.video, request: o.request === true })
      emit(c)
      return c.id
    }
  }
}

/**
 * A conversation with calls in its history, and the contacts table, each
 * with its call buttons, over a fake API that answers the calls they make.
 */
export function mountThread (theme: 'light' | 'dark', view: 'chat' | 'contacts' | 'settings') {
  document.documentElement.dataset.theme = theme
  const hub = new EventHub()
  const store = createWgtStore()
  const now = Date.now()
  const minute = 60_000
  const m = (n: number, text: string, outgoing: boolean, ago: number) => msg(String(n), n, { peerId: PEER_B, text, outgoing, sentAt: now - ago, state: outgoing ? 'read' : 'received' })
  const messages = [
    m(1, 'Shall we go over the plan on a call?', false, 50 * minute),
    m(2, 'Yes, calling you in five minutes.', true, 48 * minute),
    m(3, 'Thanks, that settles it. Talk tomorrow.', false, 20 * minute)
  ]
  const calls: Call[] = [
    newCall({ id: hex(11), startedAt: now - 43 * minute, answeredAt: now - 43 * minute + 6000, endedAt: now - 43 * minute + 6000 + 192_000, state: 'ended', endReason: 'hangup', endedBy: 'local' }),
    newCall({ id: hex(12), outgoing: false, video: false, startedAt: now - 30 * minute, state: 'ended', endReason: 'unanswered', endedBy: 'remote', endedAt: now - 29 * minute }),
    newCall({ id: hex(13), outgoing: true, video: false, startedAt: now - 25 * minute, state: 'ended', endReason: 'busy', endedBy: 'remote', endedAt: now - 25 * minute })
  ]
  const api = {
    on: (e: string, l: (d: unknown) => void) => hub.on(e as 'call:state', l as never),
    chatHistory: async () => ({ messages, more: false }),
    listCalls: async () => calls,
    markRead: async () => conv(PEER_B),
    getCallSettings: async () => ({ iceServers: [], mediaPath: 'auto' }),
    updateCallSettings: async (patch: Partial<CallSettings>) => ({ ...store.getState().callSettings, ...patch })
  } as unknown as WgtApi
  store.setState({
    contacts: { [PEER_B]: { peerId: PEER_B, trust: 'contact', nickname: 'Alice Martin', addresses: [], since: 0, updatedAt: 0, undelivered: false } } as never,
    conversations: { [PEER_B]: conv(PEER_B, { last: messages[2], updatedAt: now - 20 * minute }) } as never,
    conversationsLoaded: true,
    chatOpen: PEER_B,
    callSettings: { iceServers: [{ urls: 'stun:stun.example.org:3478' }, { urls: 'turn:turn.example.org:3478', username: 'alice', credential: 'secret' }], mediaPath: 'auto' }
  })
  const root = document.createElement('div')
  document.body.append(root)
  createRoot(root).render(
    <AppContext.Provider value={{ api, store, connection: ALWAYS_READY, host: null as never }}>
      <main className='layout'>{view === 'chat' ? <ChatView /> : view === 'contacts' ? <ContactsTable /> : <CallSettingsSection />}</main>
      <CallOverlay />
    </AppContext.Provider>
  )
}

Object.assign(globalThis, { wgtCalls: { CallSession, pair, mountUi, mountThread, PEER_B } })
