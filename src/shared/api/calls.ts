/**
 * calls: audio and video calls between two peers (DESIGN.md §8), as Jami
 * places them but with no account or TURN server. The node carries the
 * signalling (ring, accept, SDP, ICE) on an authenticated libp2p stream, so
 * the DTLS fingerprint in the SDP is bound to the PeerId; the media is
 * Chromium's WebRTC between the two renderers. When no direct ICE path works,
 * the node offers a tunnel: a UDP port on 127.0.0.1 whose datagrams ride the
 * libp2p connection (or a WGT relay) to the other node. The renderer adds it
 * as a remote ICE candidate, so WebRTC picks it only when nothing better
 * connects, and DTLS-SRTP stays end to end: the nodes and the relay see
 * ciphertext.
 *
 * The renderer drives WebRTC and tells the node what it measures (quality);
 * the node keeps the call record, answers the CLI and keeps the figures in
 * the metrics history. Media needs a renderer: the CLI places no calls.
 */
import { carries, method, returns, type Z } from './define.js'
import type { PeerIdString } from './net.js'
import { peerIdSchema } from './schemas.js'

/** How long an outgoing call rings before it is given up as unanswered. */
export const RING_TIMEOUT_MS = 60_000
/** Longest SDP the signalling carries, in bytes (the wire checks the same bound). */
export const MAX_SDP_BYTES = 65_536
/** Longest ICE candidate line. */
export const MAX_CANDIDATE_BYTES = 1024
/** Longest reason a window gives for giving up a call (its sentences are one or two lines). */
export const MAX_HANGUP_REASON = 500

/**
 * - 'ringing': outgoing, waiting for the peer to answer; incoming, waiting for us;
 * - 'connecting': accepted, WebRTC is negotiating;
 * - 'active': media flows (the renderer reported a connected path);
 * - 'ended': see `endReason`.
 */
export type CallState = 'ringing' | 'connecting' | 'active' | 'ended'

/**
 * - 'hangup': one side hung up an answered call (`endedBy` says which);
 * - 'declined': the callee declined;
 * - 'busy': the callee was in another call;
 * - 'cancelled': the caller hung up before an answer;
 * - 'unanswered': nobody answered within RING_TIMEOUT_MS;
 * - 'refused': the callee's call policy refuses us (`error` says why);
 * - 'unreachable': no libp2p connection to the peer;
 * - 'failed': signalling or media broke (`error` says how).
 */
export type CallEndReason = 'hangup' | 'declined' | 'busy' | 'cancelled' | 'unanswered' | 'refused' | 'unreachable' | 'failed'

/**
 * Where the media goes: 'direct' (ICE between the two renderers), 'libp2p'
 * (the tunnel over the libp2p connection between the two nodes), 'relay' (the
 * tunnel through a WGT relay node).
 */
export type MediaPath = 'direct' | 'libp2p' | 'relay'
export const MEDIA_PATHS = ['direct', 'libp2p', 'relay'] as const

/** What the renderer measured from RTCPeerConnection.getStats over the last interval. */
export interface CallQuality {
  /** ms since epoch of the measurement */
  at: number
  path: MediaPath
  /** round trip of the selected ICE candidate pair */
  rttMs: number | null
  sendKbps: number
  recvKbps: number
  /** video frames decoded per second */
  fps: number | null
  /** size of the received video */
  width: number | null
  height: number | null
  /** inbound packets lost over the interval, percent */
  lossPct: number | null
  jitterMs: number | null
}

/** The node's end of the media tunnel, for the renderer to offer as a remote ICE candidate. */
export interface CallTunnel {
  /** UDP port on 127.0.0.1 */
  port: number
  /** 'libp2p': over the connection between the two nodes; 'relay': through a WGT relay node */
  route: 'libp2p' | 'relay'
}

export interface Call {
  /** 32 hex characters, chosen by the caller */
  id: string
  peerId: PeerIdString
  outgoing: boolean
  /** the caller asked for video (otherwise audio only) */
  video: boolean
  state: CallState
  /** incoming from a stranger under the 'contacts' call policy: listed, answerable, but it does not ring */
  request: boolean
  /** ms since epoch the call started ringing */
  startedAt: number
  answeredAt: number | null
  endedAt: number | null
  endReason: CallEndReason | null
  endedBy: 'local' | 'remote' | null
  /** a sentence a person can act on when the call was refused or failed */
  error: string | null
  /** null until the node has a tunnel for this call (or when calls.mediaPath is 'direct') */
  tunnel: CallTunnel | null
  /** the newest figures the renderer reported */
  quality: CallQuality | null
}

export type CallSignal =
  | { kind: 'offer' | 'answer', sdp: string }
  /** an ICE candidate line; '' is end-of-candidates */
  | { kind: 'candidate', candidate: string, sdpMid: string | null, sdpMLineIndex: number | null }

export interface CallSignalEvent {
  callId: string
  signal: CallSignal
}

/** A STUN or TURN server the renderer may use besides the libp2p tunnel (none is needed). */
export interface IceServer {
  urls: string
  username?: string
  credential?: string
}

export interface CallSettings {
  /** STUN/TURN servers for ICE; empty by default: host candidates and the tunnel need none */
  iceServers: IceServer[]
  /**
   * 'auto': direct ICE first, the tunnel when nothing direct connects;
   * 'libp2p': only the tunnel (direct candidates are dropped), for networks where
   * direct UDP is unwanted and for tests;
   * 'direct': never the tunnel.
   */
  mediaPath: 'auto' | 'libp2p' | 'direct'
}

export const callIdSchema = (z: Z) => z.string().regex(/^[0-9a-f]{32}$/, 'a call id is 32 lowercase hex characters')
const utf8Max = (z: Z, max: number) => z.string().max(max)
  .refine(s => new TextEncoder().encode(s).byteLength <= max, `at most ${max} bytes`)
const signalSchema = (z: Z) => z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['offer', 'answer']), sdp: utf8Max(z, MAX_SDP_BYTES).refine(s => s.length > 0, 'empty SDP') }).strict(),
  z.object({
    kind: z.literal('candidate'),
    candidate: utf8Max(z, MAX_CANDIDATE_BYTES),
    sdpMid: z.string().max(64).nullable(),
    sdpMLineIndex: z.number().int().min(0).max(64).nullable()
  }).strict()
])
const figure = (z: Z, max: number) => z.number().finite().min(0).max(max)
const qualitySchema = (z: Z) => z.object({
  at: z.number().int().min(0).max(8.64e15),
  path: z.enum(MEDIA_PATHS),
  rttMs: figure(z, 600_000).nullable(),
  sendKbps: figure(z, 10_000_000),
  recvKbps: figure(z, 10_000_000),
  fps: figure(z, 1000).nullable(),
  width: z.number().int().min(0).max(16_384).nullable(),
  height: z.number().int().min(0).max(16_384).nullable(),
  lossPct: figure(z, 100).nullable(),
  jitterMs: figure(z, 600_000).nullable()
}).strict()
const iceServerSchema = (z: Z) => z.object({
  urls: z.string().max(512).regex(/^(stun|stuns|turn|turns):[^\s]+$/, 'an ICE server is a stun:, stuns:, turn: or turns: URL'),
  username: z.string().max(256).optional(),
  credential: z.string().max(256).optional()
}).strict()

export const calls = {
  name: 'calls',
  methods: {
    /** active calls first, then recent ones, newest first; `peer` keeps one peer's */
    listCalls: method({
      args: z => z.tuple([z.object({ peer: peerIdSchema(z).optional(), limit: z.number().int().min(1).max(500).optional() }).strict().optional()]),
      result: returns<Call[]>()
    }),
    /** ring the peer; answers at once with the call in 'ringing' (its end comes as a 'call:state' event) */
    startCall: method({
      args: z => z.tuple([peerIdSchema(z), z.object({ video: z.boolean() }).strict()]),
      result: returns<Call>()
    }),
    /** answer an incoming call that is ringing */
    acceptCall: method({ args: z => z.tuple([callIdSchema(z)]), result: returns<Call>() }),
    /** refuse an incoming call that is ringing */
    declineCall: method({ args: z => z.tuple([callIdSchema(z)]), result: returns<Call>() }),
    /**
     * end a call in any state: cancels our ring, declines theirs, hangs up an answered one.
     * `reason`: the window gave the call up (its media failed): the call ends 'failed' with it as its error
     */
    hangupCall: method({ args: z => z.tuple([callIdSchema(z), utf8Max(z, MAX_HANGUP_REASON).optional()]), result: returns<Call>() }),
    /** pass an SDP or ICE candidate to the other side of an answered call */
    sendCallSignal: method({ args: z => z.tuple([callIdSchema(z), signalSchema(z)]), result: returns<void>() }),
    /** what the renderer measured; the first report with media flowing makes the call 'active' */
    reportCallQuality: method({ args: z => z.tuple([callIdSchema(z), qualitySchema(z)]), result: returns<void>() }),
    getCallSettings: method({ args: z => z.tuple([]), result: returns<CallSettings>() }),
    updateCallSettings: method({
      args: z => z.tuple([z.object({
        iceServers: z.array(iceServerSchema(z)).max(8).optional(),
        mediaPath: z.enum(['auto', 'libp2p', 'direct']).optional()
      }).strict()]),
      result: returns<CallSettings>()
    })
  },
  events: {
    /** a call started, changed state, got its tunnel or new quality figures, or ended */
    'call:state': carries<Call>(),
    /** an SDP or ICE candidate from the other side */
    'call:signal': carries<CallSignalEvent>()
  }
} as const
