/** The calls slice of the API on the call registry. Arguments arrive validated by dispatch(). */
import type { SliceApi, calls } from '../../../shared/api/index.js'
import { parsePeerId } from '../net/peer-id.js'
import type { Calls } from './calls.js'
import type { CallStore } from './store.js'

export function callsApi (c: Calls, store: CallStore): SliceApi<typeof calls> {
  const id = (peerId: string): string => parsePeerId(peerId).toString()
  return {
    listCalls: async (opts) => c.list(opts?.peer != null ? id(opts.peer) : undefined, opts?.limit ?? 100),
    startCall: async (peerId, opts) => await c.place(id(peerId), opts),
    acceptCall: async (callId) => await c.accept(callId),
    declineCall: async (callId) => await c.decline(callId),
    hangupCall: async (callId, reason) => await c.hangup(callId, reason),
    sendCallSignal: async (callId, signal) => { await c.signal(callId, signal) },
    reportCallQuality: async (callId, quality) => { await c.reportQuality(callId, quality) },
    getCallSettings: async () => store.getSettings(),
    updateCallSettings: async (patch) => await store.updateSettings(patch)
  }
}
