/**
 * One call's WebRTC in this page (DESIGN.md §8), for a call this page started
 * or accepted: other tabs showing the same node leave it alone. The node
 * carries the signalling; this class turns it into an RTCPeerConnection,
 * adds the node's tunnel as a last-resort ICE candidate, measures the call
 * every second and reports it, and steps the sent resolution down under
 * loss. Every track it opens it stops, and close() leaves no connection.
 *
 * Plain TypeScript over the browser's WebRTC: the React view reads
 * snapshot() and subscribe(); a test drives it with a fake signalling API.
 */
import { MAX_HANGUP_REASON, type Call, type CallQuality, type CallSettings, type CallSignal, type WgtApi } from '../../../shared/api/index.js'
import { stripCandidates, tunnelCandidate } from './candidates.js'
import { qualityBetween, sampleFromStats, type StatsSample } from './quality.js'
import { INITIAL_STEP, stepResolution, type StepState } from './stepdown.js'

/** What the session needs of the node: the rest of the API is the manager's. */
export type CallSignalling = Pick<WgtApi, 'hangupCall' | 'sendCallSignal' | 'reportCallQuality'>

export interface MediaSource {
  getUserMedia: (c: MediaStreamConstraints) => Promise<MediaStream>
  getDisplayMedia: (c: DisplayMediaStreamOptions) => Promise<MediaStream>
  enumerateDevices: () => Promise<MediaDeviceInfo[]>
}

export interface SessionOptions {
  call: Call
  api: CallSignalling
  settings: CallSettings
  /** for the callee: whether to send the camera (the caller sends it when it asked for video) */
  sendVideo?: boolean
  media?: MediaSource
  /** how often getStats is read and reported */
  intervalMs?: number
  /** how long ICE may take to connect before the call is given up */
  connectTimeoutMs?: number
}

export interface SessionSnapshot {
  /** 'media': opening the microphone and camera; 'negotiating': SDP and ICE; 'connected'; 'closed' */
  phase: 'waiting' | 'media' | 'negotiating' | 'connected' | 'closed'
  local: MediaStream | null
  remote: MediaStream | null
  muted: boolean
  cameraOn: boolean
  sharing: boolean
  /** a video sender exists (video calls): camera and screen share can go on it */
  canVideo: boolean
  micId: string | null
  camId: string | null
  /** the newest figures first is not kept: oldest first, at most HISTORY */
  quality: readonly CallQuality[]
  /** scaleResolutionDownBy on the video sender */
  scale: number
  /** why the call failed or a control did not work, as a person can act on */
  error: string | null
}

const HISTORY = 120
/** remote candidates held until the remote description is set; a peer that floods gets the rest dropped */
const MAX_QUEUED = 64
const CAMERA: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 480 } }

/** What getUserMedia's errors mean to a person. */
export function describeMediaError (err: unknown, what: string): string {
  const name = (err as { name?: string } | null)?.name
  if (name === 'NotAllowedError') return `Access to the ${what} was refused. Allow it for this page (or in the system's privacy settings) and call again.`
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${what} was found. Connect one, or pick another under Devices.`
  if (name === 'NotReadableError') return `The ${what} is in use by another program or could not be started. Close that program and try again.`
  return `Could not open the ${what}: ${(err as Error)?.message ?? String(err)}`
}

export class CallSession {
  call: Call
  readonly id: string
  private readonly api: CallSignalling
  private readonly settings: CallSettings
  private readonly media: MediaSource
  private readonly intervalMs: number
  private readonly connectTimeoutMs: number
  private readonly sendVideo: boolean
  private pc: RTCPeerConnection | null = null
  private mic: MediaStreamTrack | null = null
  private camera: MediaStreamTrack | null = null
  private screen: MediaStreamTrack | null = null
  private videoSender: RTCRtpSender | null = null
  private remote: MediaStream | null = null
  private started = false
  private remoteSet = false
  private tunnelAdded = false
  private pendingOffer: string | null = null
  private queued: RTCIceCandidateInit[] = []
  private timer: ReturnType<typeof setInterval> | null = null
  private deadline: ReturnType<typeof setTimeout> | null = null
  private measuring = false
  private prev: StatsSample | null = null
  private step: StepState = INITIAL_STEP
  private snap: SessionSnapshot
  private readonly listeners = new Set<() => void>()

  constructor (o: SessionOptions) {
    this.call = o.call
    this.id = o.call.id
    this.api = o.api
    this.settings = o.settings
    this.media = o.media ?? navigator.mediaDevices
    this.intervalMs = o.intervalMs ?? 1000
    this.connectTimeoutMs = o.connectTimeoutMs ?? 60_000
    this.sendVideo = o.call.outgoing ? o.call.video : (o.sendVideo ?? o.call.video)
    this.snap = {
      phase: 'waiting', local: null, remote: null, muted: false, cameraOn: this.sendVideo, sharing: false,
      canVideo: o.call.video, micId: null, camId: null, quality: [], scale: 1, error: null
    }
  }

  snapshot = (): SessionSnapshot => this.snap

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l)
    return () => { this.listeners.delete(l) }
  }

  get closed (): boolean { return this.snap.phase === 'closed' }

  private set (patch: Partial<SessionSnapshot>): void {
    this.snap = { ...this.snap, ...patch }
    for (const l of this.listeners) l()
  }

  /** The node's newest record of the call ('call:state'). */
  update (call: Call): void {
    if (call.id !== this.id || this.closed) return
    this.call = call
    if (call.state === 'ended') { this.close(); return }
    // the caller starts WebRTC once the callee accepted
    if (call.outgoing && call.state === 'connecting') void this.begin()
    void this.addTunnel()
  }

  /** The callee starts at once: acceptCall has answered. */
  accepted (): void {
    if (!this.call.outgoing) void this.begin()
  }

  /** An SDP or candidate from the peer ('call:signal'). */
  signal (s: CallSignal): void {
    if (this.closed) return
    if (s.kind !== 'candidate') {
      if (s.kind === 'offer') {
        // only the callee takes an offer, once: renegotiation is not part of the protocol
        if (this.call.outgoing || this.pendingOffer != null || this.remoteSet) return
        this.pendingOffer = s.sdp
        void this.answer()
      } else {
        if (!this.call.outgoing || this.pc?.signalingState !== 'have-local-offer') return
        void this.run(async () => {
          await this.pc?.setRemoteDescription({ type: 'answer', sdp: this.filterSdp(s.sdp) })
          await this.remoteReady()
        })
      }
      return
    }
    // 'libp2p': only the tunnel carries media, so the peer's own addresses are not tried.
    // End-of-candidates is not passed on: the node's tunnel may still come after it.
    if (this.settings.mediaPath === 'libp2p' || s.candidate === '') return
    const c: RTCIceCandidateInit = { candidate: s.candidate, sdpMid: s.sdpMid, sdpMLineIndex: s.sdpMLineIndex }
    if (!this.remoteSet) {
      if (this.queued.length < MAX_QUEUED) this.queued.push(c)
      return
    }
    // a candidate Chromium cannot parse is the peer's mistake: the others still work
    this.pc?.addIceCandidate(c).catch(() => {})
  }

  private filterSdp (sdp: string): string {
    return this.settings.mediaPath === 'libp2p' ? stripCandidates(sdp) : sdp
  }

  /** Runs a step of the negotiation; what breaks it ends the call with the reason. */
  private async run (work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (err) {
      if (!this.closed) this.fail(`The call could not be set up: ${(err as Error)?.message ?? String(err)}`)
    }
  }

  private async begin (): Promise<void> {
    if (this.started || this.closed) return
    this.started = true
    this.set({ phase: 'media' })
    let stream: MediaStream
    let cameraError: string | null = null
    try {
      stream = await this.media.getUserMedia({ audio: true, video: this.sendVideo ? CAMERA : false })
    } catch (err) {
      // no camera (or one in use) need not stop a video call: it goes on with the microphone, receiving video
      const name = (err as { name?: string } | null)?.name
      if (!this.sendVideo || name === 'NotAllowedError' || this.closed) { this.fail(describeMediaError(err, this.sendVideo ? 'microphone or camera' : 'microphone')); return }
      cameraError = `${describeMediaError(err, 'camera')} The call goes on without it.`
      try {
        stream = await this.media.getUserMedia({ audio: true, video: false })
      } catch (again) {
        this.fail(describeMediaError(again, 'microphone'))
        return
      }
    }
    if (this.closed) { for (const t of stream.getTracks()) t.stop(); return }
    this.mic = stream.getAudioTracks()[0] ?? null
    this.camera = stream.getVideoTracks()[0] ?? null
    this.set({
      phase: 'negotiating',
      micId: this.mic?.getSettings().deviceId ?? null,
      camId: this.camera?.getSettings().deviceId ?? null,
      cameraOn: this.camera != null,
      error: cameraError
    })
    this.showLocal()
    const pc = this.createPc()
    if (this.call.outgoing) {
      await this.run(async () => {
        if (this.mic != null) pc.addTrack(this.mic)
        if (this.call.video) {
          if (this.camera != null) this.videoSender = pc.addTrack(this.camera)
          else this.videoSender = pc.addTransceiver('video', { direction: 'sendrecv' }).sender
        }
        const offer = await pc.createOffer()
        await pc.setLocalDescription(offer)
        await this.api.sendCallSignal(this.id, { kind: 'offer', sdp: pc.localDescription?.sdp ?? offer.sdp ?? '' })
      })
    } else {
      await this.answer()
    }
  }

  private createPc (): RTCPeerConnection {
    const pc = new RTCPeerConnection({ iceServers: this.settings.iceServers.map(s => ({ ...s })) })
    this.pc = pc
    this.remote = new MediaStream()
    this.set({ remote: this.remote })
    pc.ontrack = (e) => {
      this.remote?.addTrack(e.track)
      this.set({ remote: this.remote })
    }
    pc.onicecandidate = (e) => {
      // 'libp2p': our addresses are not offered either, so neither side finds a direct pair
      if (e.candidate != null && this.settings.mediaPath === 'libp2p') return
      const signal: CallSignal = e.candidate == null
        ? { kind: 'candidate', candidate: '', sdpMid: null, sdpMLineIndex: null }
        : { kind: 'candidate', candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex }
      this.api.sendCallSignal(this.id, signal).catch((err: unknown) => {
        if (!this.closed && this.call.state !== 'ended') this.fail(`The call's signalling broke: ${(err as Error)?.message ?? String(err)}`)
      })
    }
    const watch = (): void => {
      if (pc.iceConnectionState === 'failed' || pc.connectionState === 'failed') {
        this.fail(this.call.tunnel == null && this.settings.mediaPath !== 'direct'
          ? 'No network path carried the media, and the node had no tunnel for it. Check that the peer is still connected, and try again.'
          : 'The media connection failed: no path between the two of you carried it. Try again; if it keeps failing, set the media path to "auto" under Settings → Calls.')
      } else if (pc.connectionState === 'connected' && this.snap.phase !== 'connected') {
        if (this.deadline != null) { clearTimeout(this.deadline); this.deadline = null }
        this.set({ phase: 'connected' })
      }
    }
    pc.oniceconnectionstatechange = watch
    pc.onconnectionstatechange = watch
    this.timer = setInterval(() => { void this.measure() }, this.intervalMs)
    this.deadline = setTimeout(() => {
      if (this.snap.phase !== 'connected') this.fail(`No media path connected within ${Math.round(this.connectTimeoutMs / 1000)} s. The peer may have lost its connection; try again.`)
    }, this.connectTimeoutMs)
    return pc
  }

  private async answer (): Promise<void> {
    const pc = this.pc
    const sdp = this.pendingOffer
    // both the offer and our media are needed; whichever comes second answers
    if (pc == null || sdp == null || this.remoteSet || this.call.outgoing) return
    await this.run(async () => {
      await pc.setRemoteDescription({ type: 'offer', sdp: this.filterSdp(sdp) })
      // after the offer, addTrack reuses the offered transceivers instead of adding m-lines the answer cannot carry
      if (this.mic != null) pc.addTrack(this.mic)
      const video = pc.getTransceivers().find(t => t.receiver.track.kind === 'video')
      if (video != null) {
        video.direction = 'sendrecv'
        await video.sender.replaceTrack(this.camera)
        this.videoSender = video.sender
      }
      this.set({ canVideo: this.videoSender != null })
      const answer = await pc.createAnswer()
      await pc.setLocalDescription(answer)
      await this.api.sendCallSignal(this.id, { kind: 'answer', sdp: pc.localDescription?.sdp ?? answer.sdp ?? '' })
      await this.remoteReady()
    })
  }

  private async remoteReady (): Promise<void> {
    this.remoteSet = true
    for (const c of this.queued.splice(0)) await this.pc?.addIceCandidate(c).catch(() => {})
    await this.addTunnel()
  }

  /** The node's tunnel, once both it and the remote description are there. */
  private async addTunnel (): Promise<void> {
    const pc = this.pc
    const tunnel = this.call.tunnel
    if (pc == null || !this.remoteSet || this.tunnelAdded || tunnel == null || this.settings.mediaPath === 'direct') return
    this.tunnelAdded = true
    const first = pc.getTransceivers()[0]?.mid ?? null
    await this.run(async () => { await pc.addIceCandidate(tunnelCandidate(tunnel.port, first)) })
  }

  private async measure (): Promise<void> {
    const pc = this.pc
    if (pc == null || this.measuring) return
    this.measuring = true
    try {
      const sample = sampleFromStats(await pc.getStats(), Date.now())
      if (this.closed) return
      const q = qualityBetween(this.prev, sample, this.call.tunnel)
      this.prev = sample
      if (q != null) {
        const quality = [...this.snap.quality, q].slice(-HISTORY)
        this.set({ quality })
        // the node's record: a failed report (link to the node down) does not end the call
        if (pc.connectionState === 'connected') this.api.reportCallQuality(this.id, q).catch(() => {})
      }
      const next = stepResolution(this.step, sample.sentLossPct)
      if (next.scale !== this.step.scale) await this.applyScale(next.scale)
      this.step = next
    } catch {
      // getStats on a connection closing under it: the next tick (if any) measures again
    } finally {
      this.measuring = false
    }
  }

  private async applyScale (scale: number): Promise<void> {
    const sender = this.videoSender
    if (sender == null) return
    const p = sender.getParameters()
    if (p.encodings == null || p.encodings.length === 0) return
    for (const e of p.encodings) e.scaleResolutionDownBy = scale
    await sender.setParameters(p)
    this.set({ scale })
  }

  private showLocal (): void {
    const tracks = [this.screen ?? this.camera].filter((t): t is MediaStreamTrack => t != null)
    this.set({ local: tracks.length > 0 ? new MediaStream(tracks) : null })
  }

  setMuted (muted: boolean): void {
    if (this.mic != null) this.mic.enabled = !muted
    this.set({ muted })
  }

  /** Camera off stops the camera (its light goes off), not just its picture. */
  async setCamera (on: boolean): Promise<void> {
    if (this.closed || this.videoSender == null) return
    if (!on) {
      this.camera?.stop()
      this.camera = null
      if (this.screen == null) await this.videoSender.replaceTrack(null)
      this.set({ cameraOn: false })
      this.showLocal()
      return
    }
    if (this.camera != null) return
    try {
      const s = await this.media.getUserMedia({ video: { ...CAMERA, ...(this.snap.camId != null ? { deviceId: { exact: this.snap.camId } } : {}) } })
      const track = s.getVideoTracks()[0]
      if (this.closed) { track.stop(); return }
      this.camera = track
      if (this.screen == null) await this.videoSender.replaceTrack(track)
      this.set({ cameraOn: true, camId: track.getSettings().deviceId ?? this.snap.camId, error: null })
      this.showLocal()
    } catch (err) {
      this.set({ error: describeMediaError(err, 'camera') })
    }
  }

  /** The microphones and cameras to choose from (named once access was granted for the call). */
  async devices (): Promise<{ mics: MediaDeviceInfo[], cams: MediaDeviceInfo[] }> {
    const all = await this.media.enumerateDevices()
    return { mics: all.filter(d => d.kind === 'audioinput'), cams: all.filter(d => d.kind === 'videoinput') }
  }

  /** Switch microphone or camera mid-call: the new track replaces the old one on the same sender, with no renegotiation. */
  async chooseDevice (kind: 'mic' | 'cam', deviceId: string): Promise<void> {
    if (this.closed || this.pc == null) return
    try {
      const s = await this.media.getUserMedia(kind === 'mic'
        ? { audio: { deviceId: { exact: deviceId } } }
        : { video: { ...CAMERA, deviceId: { exact: deviceId } } })
      const track = kind === 'mic' ? s.getAudioTracks()[0] : s.getVideoTracks()[0]
      if (this.closed) { track.stop(); return }
      if (kind === 'mic') {
        track.enabled = !this.snap.muted
        const sender = this.pc.getSenders().find(x => x.track === this.mic)
        await sender?.replaceTrack(track)
        this.mic?.stop()
        this.mic = track
        this.set({ micId: deviceId, error: null })
      } else {
        if (this.screen == null) await this.videoSender?.replaceTrack(track)
        this.camera?.stop()
        this.camera = track
        this.set({ camId: deviceId, cameraOn: true, error: null })
        this.showLocal()
      }
    } catch (err) {
      this.set({ error: describeMediaError(err, kind === 'mic' ? 'microphone' : 'camera') })
    }
  }

  async startShare (): Promise<void> {
    if (this.closed || this.videoSender == null || this.screen != null) return
    let track: MediaStreamTrack
    try {
      track = (await this.media.getDisplayMedia({ video: true, audio: false })).getVideoTracks()[0]
    } catch (err) {
      const name = (err as { name?: string } | null)?.name
      // closing the picker is a choice, not an error
      if (name !== 'NotAllowedError' && name !== 'AbortError') this.set({ error: `Could not share the screen: ${(err as Error)?.message ?? String(err)}` })
      return
    }
    if (this.closed) { track.stop(); return }
    this.screen = track
    // the browser's own "Stop sharing" ends the track: back to the camera
    track.addEventListener('ended', () => { void this.stopShare() })
    await this.videoSender.replaceTrack(track)
    this.set({ sharing: true, error: null })
    this.showLocal()
  }

  async stopShare (): Promise<void> {
    const screen = this.screen
    if (screen == null) return
    this.screen = null
    screen.stop()
    if (!this.closed) await this.videoSender?.replaceTrack(this.camera)
    this.set({ sharing: false })
    this.showLocal()
  }

  /** Hang up: the node tells the peer; the media stops here at once, whatever the node answers. */
  async hangup (): Promise<void> {
    this.close()
    await this.api.hangupCall(this.id)
  }

  private fail (reason: string): void {
    if (this.closed) return
    this.close(reason)
    // the node keeps why (the call's error): without it a failed call reads as a hang-up
    this.api.hangupCall(this.id, reason.slice(0, MAX_HANGUP_REASON)).catch(() => {})
  }

  /** Stops every track and the connection; idempotent. */
  close (error: string | null = null): void {
    if (this.closed) return
    if (this.timer != null) clearInterval(this.timer)
    if (this.deadline != null) clearTimeout(this.deadline)
    this.timer = null
    this.deadline = null
    for (const t of [this.mic, this.camera, this.screen, ...(this.remote?.getTracks() ?? [])]) t?.stop()
    this.mic = this.camera = this.screen = null
    this.videoSender = null
    if (this.pc != null) {
      this.pc.ontrack = this.pc.onicecandidate = this.pc.oniceconnectionstatechange = this.pc.onconnectionstatechange = null
      this.pc.close()
    }
    this.pc = null
    this.remote = null
    this.queued = []
    // a control's earlier complaint (a camera that would not open) is not why the call ended
    this.set({ phase: 'closed', local: null, remote: null, sharing: false, error })
  }
}
