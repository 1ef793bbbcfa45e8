import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { useWgt } from '../app/context.js'
import { PeerName } from '../guard/PeerName.js'
import { peerLabel } from '../guard/state.js'
import { useNow } from '../hooks.js'
import { callDuration } from './history.js'
import { CameraIcon, HangupIcon, MicIcon, ScreenIcon } from './icons.js'
import { QualityPanel } from './Quality.js'
import type { CallSession } from './session.js'

function Video ({ stream, muted, className, label }: { stream: MediaStream | null, muted: boolean, className: string, label: string }): React.JSX.Element {
  const ref = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    const el = ref.current
    if (el == null) return
    el.srcObject = stream
    // autoplay can be refused until the person interacted; the play() promise says so and the next track retries
    if (stream != null) el.play().catch(() => {})
  }, [stream])
  return <video ref={ref} className={className} autoPlay playsInline muted={muted} aria-label={label} />
}

function Devices ({ session }: { session: CallSession }): React.JSX.Element {
  const snap = useSyncExternalStore(session.subscribe, session.snapshot)
  const [list, setList] = useState<{ mics: MediaDeviceInfo[], cams: MediaDeviceInfo[] } | null>(null)
  useEffect(() => {
    let live = true
    const load = (): void => { session.devices().then(d => { if (live) setList(d) }, () => {}) }
    load()
    navigator.mediaDevices?.addEventListener?.('devicechange', load)
    return () => { live = false; navigator.mediaDevices?.removeEventListener?.('devicechange', load) }
  }, [session])
  if (list == null) return <span className='muted'>Looking for devices…</span>
  const name = (d: MediaDeviceInfo, i: number, what: string): string => d.label !== '' ? d.label : `${what} ${i + 1}`
  return (
    <div className='call-devices'>
      <label>Microphone
        <select className='input input-small' value={snap.micId ?? ''} onChange={e => { void session.chooseDevice('mic', e.target.value) }} data-testid='call-mic'>
          {list.mics.map((d, i) => <option key={d.deviceId} value={d.deviceId}>{name(d, i, 'Microphone')}</option>)}
        </select>
      </label>
      {snap.canVideo && (
        <label>Camera
          <select className='input input-small' value={snap.camId ?? ''} onChange={e => { void session.chooseDevice('cam', e.target.value) }} data-testid='call-cam'>
            {list.cams.map((d, i) => <option key={d.deviceId} value={d.deviceId}>{name(d, i, 'Camera')}</option>)}
          </select>
        </label>)}
    </div>
  )
}

const PHASE: Record<string, string> = {
  waiting: 'Ringing…',
  media: 'Opening the microphone and camera…',
  negotiating: 'Connecting…',
  connected: '',
  closed: 'Call ended'
}

const ENDED: Record<string, string> = {
  declined: 'declined the call.',
  busy: 'is in another call.',
  unanswered: 'did not answer.',
  refused: 'does not take calls from you.',
  unreachable: 'could not be reached.',
  failed: 'The call failed.',
  hangup: 'hung up.',
  cancelled: 'The call was cancelled.'
}

/**
 * One call held by this page: the peer's video large, ours small in the
 * corner, the controls below, the measured quality beside. Compact, it is a
 * bar at the foot of the window so the other views stay usable during the call.
 */
export function CallView ({ session }: { session: CallSession }): React.JSX.Element {
  const snap = useSyncExternalStore(session.subscribe, session.snapshot)
  const manager = useWgt(s => s.callManager)
  const call = useWgt(s => s.calls[session.id]) ?? session.call
  const name = useWgt(s => peerLabel(s.contacts, call.peerId))
  const [compact, setCompact] = useState(false)
  const [devices, setDevices] = useState(false)
  const view = useRef<HTMLElement>(null)
  // the view covers what had the focus (the call button): keyboard users start on it
  useEffect(() => { if (!compact) view.current?.focus() }, [compact])
  const now = useNow(1000)
  const ended = snap.phase === 'closed'
  const status = ended
    ? (snap.error ?? (call.endReason != null ? `${call.endReason === 'failed' || call.endReason === 'cancelled' ? '' : `${name} `}${ENDED[call.endReason]}${call.error != null ? ` ${call.error}` : ''}` : 'Call ended'))
    : call.answeredAt != null && snap.phase === 'connected' ? callDuration(now - call.answeredAt) : PHASE[call.outgoing && call.state === 'ringing' ? 'waiting' : snap.phase]
  const hangup = (): void => { void manager?.hangup(session.id).catch(() => {}) }

  const controls = !ended && (
    <div className='call-controls' role='toolbar' aria-label='Call controls'>
      <button type='button' className={`btn call-ctl${snap.muted ? ' call-ctl-off' : ''}`} aria-pressed={snap.muted} onClick={() => { session.setMuted(!snap.muted) }} data-testid='call-mute'>
        <MicIcon off={snap.muted} /> {snap.muted ? 'Unmute' : 'Mute'}
      </button>
      {snap.canVideo && (
        <button type='button' className={`btn call-ctl${snap.cameraOn ? '' : ' call-ctl-off'}`} aria-pressed={!snap.cameraOn} onClick={() => { void session.setCamera(!snap.cameraOn) }} data-testid='call-camera'>
          <CameraIcon off={!snap.cameraOn} /> {snap.cameraOn ? 'Camera off' : 'Camera on'}
        </button>)}
      {!compact && snap.canVideo && (
        <button type='button' className={`btn call-ctl${snap.sharing ? ' call-ctl-on' : ''}`} aria-pressed={snap.sharing} onClick={() => { void (snap.sharing ? session.stopShare() : session.startShare()) }} data-testid='call-share'>
          <ScreenIcon /> {snap.sharing ? 'Stop sharing' : 'Share screen'}
        </button>)}
      {!compact && (
        <button type='button' className='btn call-ctl' aria-expanded={devices} onClick={() => { setDevices(d => !d) }} data-testid='call-devices'>Devices</button>)}
      <button type='button' className='btn call-ctl btn-danger' onClick={hangup} data-testid='call-hangup'><HangupIcon /> Hang up</button>
    </div>
  )

  if (compact && !ended) {
    return (
      <section className='call-bar' aria-label={`Call with ${name}`} data-testid='call-view' data-call-id={session.id} data-compact='true'>
        <span className='call-bar-who'><PeerName peerId={call.peerId} pill='never' /> <span className='muted'>{status}</span></span>
        {controls}
        <button type='button' className='btn btn-small' onClick={() => { setCompact(false) }}>Show call</button>
      </section>
    )
  }

  return (
    <section ref={view} tabIndex={-1} className={ended ? 'call-view call-view-ended' : 'call-view'} aria-label={`Call with ${name}`} data-testid='call-view' data-call-id={session.id} data-phase={snap.phase}>
      <header className='call-head'>
        <h2 className='call-title'><PeerName peerId={call.peerId} pill='never' /></h2>
        <span className='muted call-kind'>{call.video ? 'Video call' : 'Audio call'}</span>
        <span className={ended && (snap.error != null || call.endReason !== 'hangup') ? 'call-status bad' : 'call-status'} role='status' data-testid='call-status'>{status}</span>
        <span className='row-actions'>
          {ended
            ? <button type='button' className='btn btn-small' onClick={() => { manager?.drop(session.id) }} data-testid='call-close'>Close</button>
            : <button type='button' className='btn btn-small btn-ghost' onClick={() => { setCompact(true) }} title='Keep the call in a bar at the foot of the window and use the other views'>Minimise</button>}
        </span>
      </header>
      {!ended && (
        <div className='call-body'>
          <div className='call-stage'>
            <Video stream={snap.remote} muted={false} className='call-remote' label={`${name}'s video`} />
            {!call.video && <div className='call-audio-only muted'>Audio call</div>}
            {snap.local != null && <Video stream={snap.local} muted className={snap.sharing ? 'call-local call-local-screen' : 'call-local'} label={snap.sharing ? 'Your shared screen' : 'Your camera'} />}
          </div>
          <aside className='call-side'>
            <QualityPanel history={snap.quality} />
            {snap.scale > 1 && <p className='muted call-note'>Sending at 1/{snap.scale} resolution: the peer reports loss.</p>}
            {snap.error != null && <p className='bad call-note' role='alert'>{snap.error}</p>}
          </aside>
        </div>)}
      {devices && !ended && <Devices session={session} />}
      {controls}
    </section>
  )
}
