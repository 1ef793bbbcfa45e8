import { useEffect, useState } from 'react'
import type { Call, PeerIdString } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { formatTime } from '../chat/state.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { callSummary } from './history.js'
import { PhoneIcon, VideoIcon } from './icons.js'

const NO_CALLS: readonly Call[] = []

/** A conversation's calls (loaded when it opens, kept current by 'call:state'), newest first. */
export function usePeerCalls (peerId: PeerIdString): { calls: readonly Call[], error: HumanError | null } {
  const { api, store } = useApp()
  const calls = useWgt(s => s.peerCalls[peerId])
  const [error, setError] = useState<HumanError | null>(null)
  useEffect(() => {
    if (calls != null) return
    let live = true
    api.listCalls({ peer: peerId, limit: 200 }).then(
      list => { if (live) store.getState().peerCallsLoaded(peerId, list) },
      (err: unknown) => { if (live) setError(describeError('call-history', err)) })
    return () => { live = false }
  }, [api, store, peerId, calls])
  return { calls: calls ?? NO_CALLS, error }
}

/** One call in the conversation's history: "Video call · 3:12", "Missed call". */
export function CallRow ({ call }: { call: Call }): React.JSX.Element {
  const { text, missed } = callSummary(call)
  return (
    <div className={missed ? 'chat-call chat-call-missed' : 'chat-call'} data-testid='chat-call' data-call-id={call.id}>
      <span title={new Date(call.startedAt).toLocaleString()}>
        {call.video ? <VideoIcon size={12} /> : <PhoneIcon size={12} />}
        {call.outgoing ? 'Outgoing · ' : ''}{text} · <time dateTime={new Date(call.startedAt).toISOString()}>{formatTime(call.startedAt)}</time>
      </span>
    </div>
  )
}
