import { useEffect, useRef } from 'react'
import type { Call } from '../../../shared/api/index.js'
import { useWgt } from '../app/context.js'
import { PeerName } from '../guard/PeerName.js'
import { peerLabel } from '../guard/state.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'
import { PhoneIcon, VideoIcon } from './icons.js'
import { startRingtone } from './ringtone.js'
import { ringing } from './slice.js'

/** Electron shows the web Notification as the system's own; a browser tab rings in the page only. */
const inElectron = (): boolean => (globalThis as { wgtIpc?: unknown }).wgtIpc != null

function IncomingCall ({ call, quiet }: { call: Call, quiet: boolean }): React.JSX.Element {
  const manager = useWgt(s => s.callManager)
  const name = useWgt(s => peerLabel(s.contacts, call.peerId))
  const { busy, error, run, clear } = useAction()
  const first = useRef<HTMLButtonElement>(null)
  const kind = call.video ? 'Video call' : 'Audio call'

  // a ringing call takes the focus, so Enter answers; a stranger's request does not interrupt
  useEffect(() => { if (!quiet) first.current?.focus() }, [quiet])
  useEffect(() => {
    if (quiet || !inElectron() || !document.hidden || typeof Notification === 'undefined') return
    const n = new Notification(`${kind} from ${name}`, { body: 'Open WGT to answer', tag: call.id, requireInteraction: true })
    n.onclick = () => { window.focus() }
    return () => { n.close() }
  }, [quiet, kind, name, call.id])

  const accept = (video: boolean) => () => { void run('call-accept', async () => { await manager?.accept(call.id, video) }) }
  const decline = (): void => { void run('call-decline', async () => { await manager?.decline(call.id) }) }
  return (
    <li className={quiet ? 'call-ring call-ring-quiet' : 'call-ring'} role={quiet ? undefined : 'alertdialog'}
      aria-label={`${kind} from ${name}`} data-testid={quiet ? 'call-request' : 'call-incoming'} data-call-id={call.id}>
      <div className='call-ring-who'>
        <span className='call-ring-icon' aria-hidden='true'>{call.video ? <VideoIcon size={18} /> : <PhoneIcon size={18} />}</span>
        <span>
          <strong className='call-ring-name'><PeerName peerId={call.peerId} pill='never' /></strong>
          <span className='muted'>{quiet ? `${kind} · not a contact` : `${kind} · ringing`}</span>
        </span>
      </div>
      <div className='call-ring-actions'>
        {call.video && (
          <button ref={first} type='button' className={quiet ? 'btn btn-small' : 'btn btn-small btn-accept'} disabled={busy || manager == null} onClick={accept(true)} data-testid='accept-video'>
            <VideoIcon /> Accept with video
          </button>)}
        <button ref={call.video ? undefined : first} type='button' className={call.video || quiet ? 'btn btn-small' : 'btn btn-small btn-accept'}
          disabled={busy || manager == null} onClick={accept(false)} data-testid='accept-audio'>
          <PhoneIcon /> {call.video ? 'Audio only' : 'Accept'}
        </button>
        <button type='button' className={quiet ? 'btn btn-small' : 'btn btn-small btn-danger'} disabled={busy} onClick={decline} data-testid='decline-call'>Decline</button>
      </div>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </li>
  )
}

/**
 * Calls ringing for this node: contacts' (and, under the 'open' policy,
 * anyone's) ring with a sound and take the focus; a stranger's request
 * under the 'contacts' policy is listed quietly. Any window of the node can
 * answer; the one that does holds the call.
 */
export function IncomingCalls ({ inCall }: { inCall: boolean }): React.JSX.Element | null {
  const calls = useWgt(s => s.calls)
  const list = ringing(calls)
  const loud = !inCall && list.some(c => !c.request)
  useEffect(() => loud ? startRingtone() : undefined, [loud])
  const rings = list.filter(c => !c.request)
  const requests = list.filter(c => c.request)
  return (
    <>
      {rings.length > 0 && (
        <ol className='call-rings' aria-label='Incoming calls'>
          {rings.map(c => <IncomingCall key={c.id} call={c} quiet={false} />)}
        </ol>)}
      {requests.length > 0 && (
        <ol className='call-requests' aria-label='Call requests from strangers' aria-live='polite'>
          {requests.map(c => <IncomingCall key={c.id} call={c} quiet />)}
        </ol>)}
    </>
  )
}
