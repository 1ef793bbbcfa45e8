/**
 * calls in the UI: the node's calls (active and recent, kept current by
 * 'call:state'), the call settings, each open conversation's call history,
 * and the manager of the calls this page owns (its sessions hold the media).
 */
import type { Call, CallSettings, PeerIdString } from '../../../shared/api/index.js'
import type { UiSlice } from '../app/slice.js'
import type { CallManager } from './manager.js'

/** recent calls kept in memory beyond the active ones */
const KEEP = 50

export interface CallsState {
  calls: Readonly<Record<string, Call>>
  callSettings: CallSettings | null
  /** per conversation opened: its calls, newest first */
  peerCalls: Readonly<Record<PeerIdString, readonly Call[]>>
  callManager: CallManager | null
  callChanged: (call: Call) => void
  peerCallsLoaded: (peerId: PeerIdString, calls: readonly Call[]) => void
  callSettingsChanged: (settings: CallSettings) => void
  setCallManager: (m: CallManager | null) => void
}

export function withCall (calls: Readonly<Record<string, Call>>, call: Call): Record<string, Call> {
  const next = { ...calls, [call.id]: call }
  const ended = Object.values(next).filter(c => c.state === 'ended').sort((a, b) => b.startedAt - a.startedAt)
  for (const c of ended.slice(KEEP)) delete next[c.id]
  return next
}

export function withPeerCall (list: readonly Call[], call: Call): Call[] {
  return [call, ...list.filter(c => c.id !== call.id)].sort((a, b) => b.startedAt - a.startedAt)
}

/** Incoming calls still ringing: `request` ones (strangers under the 'contacts' policy) are listed without a ring. */
export function ringing (calls: Readonly<Record<string, Call>>): Call[] {
  return Object.values(calls).filter(c => !c.outgoing && c.state === 'ringing').sort((a, b) => a.startedAt - b.startedAt)
}

export const callsSlice: UiSlice<CallsState> = {
  name: 'the calls',
  create: (set) => ({
    calls: {},
    callSettings: null,
    peerCalls: {},
    callManager: null,
    callChanged: (call) => {
      set(s => {
        const list = s.peerCalls[call.peerId]
        return {
          calls: withCall(s.calls, call),
          peerCalls: list == null ? s.peerCalls : { ...s.peerCalls, [call.peerId]: withPeerCall(list, call) }
        }
      })
    },
    peerCallsLoaded: (peerId, calls) => { set(s => ({ peerCalls: { ...s.peerCalls, [peerId]: calls } })) },
    callSettingsChanged: (callSettings) => { set({ callSettings }) },
    setCallManager: (callManager) => { set({ callManager }) }
  }),
  events: {
    'call:state': (store, call) => { store.getState().callChanged(call) }
  },
  load: async (api, store) => {
    const [list, callSettings] = await Promise.all([api.listCalls({ limit: KEEP }), api.getCallSettings()])
    const calls: Record<string, Call> = {}
    for (const c of list) calls[c.id] = c
    // conversations' histories may have missed events while the link was down: they load again when opened
    store.setState({ calls, callSettings, peerCalls: {} })
  }
}
