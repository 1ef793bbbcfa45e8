import { useSyncExternalStore } from 'react'
import type { PeerIdString } from '../../../shared/api/index.js'
import { useWgt } from '../app/context.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'
import { PhoneIcon, VideoIcon } from './icons.js'
import type { CallManager } from './manager.js'

const EMPTY: readonly never[] = []
// the same array every time: useSyncExternalStore compares snapshots by identity
const NONE = (): readonly never[] => EMPTY
const noSubscribe = (): (() => void) => () => {}

/** The calls this page holds, live (empty until the call overlay has started the manager). */
export function useSessions (m: CallManager | null): ReturnType<CallManager['sessionsNow']> {
  return useSyncExternalStore(m?.subscribe ?? noSubscribe, m?.sessionsNow ?? NONE)
}

/** Audio and video call buttons for a peer: on a contact and in a conversation's header. */
export function CallButtons ({ peerId, name, disabled }: { peerId: PeerIdString, name: string, disabled?: string | null }): React.JSX.Element {
  const manager = useWgt(s => s.callManager)
  const sessions = useSessions(manager)
  const { busy, error, run, clear } = useAction()
  const inCall = sessions.some(s => !s.closed)
  const why = disabled ?? (inCall ? 'You are in a call: hang up first.' : null)
  const start = (video: boolean) => () => { void run('call-start', async () => { await manager?.start(peerId, video) }) }
  return (
    <span className='call-buttons'>
      <button type='button' className='btn btn-small btn-icon' disabled={busy || why != null || manager == null} onClick={start(false)}
        aria-label={`Audio call ${name}`} title={why ?? `Audio call ${name}`} data-testid='call-audio'>
        <PhoneIcon />
      </button>
      <button type='button' className='btn btn-small btn-icon' disabled={busy || why != null || manager == null} onClick={start(true)}
        aria-label={`Video call ${name}`} title={why ?? `Video call ${name}`} data-testid='call-video'>
        <VideoIcon />
      </button>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </span>
  )
}
