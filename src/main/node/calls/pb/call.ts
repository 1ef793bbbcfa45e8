import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface CallMessage {
  kind: CallMessage.Kind
  callId: Uint8Array<ArrayBuffer>
  video: boolean
  key: Uint8Array<ArrayBuffer>
  tunnel: boolean
  signal?: Signal
}

export namespace CallMessage {
  export enum Kind {
    RING = 'RING',
    ACCEPT = 'ACCEPT',
    DECLINE = 'DECLINE',
    CANCEL = 'CANCEL',
    HANGUP = 'HANGUP',
    SIGNAL = 'SIGNAL'
  }

  enum __KindValues {
    RING = 0,
    ACCEPT = 1,
    DECLINE = 2,
    CANCEL = 3,
    HANGUP = 4,
    SIGNAL = 5
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<CallMessage>

  export const codec = (): Codec<CallMessage> => {
    if (_codec == null) {
      _codec = message<CallMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          CallMessage.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.callId != null && obj.callId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.callId)
        }

        if ((obj.video != null && obj.video !== false)) {
          w.uint32(24)
          w.bool(obj.video)
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.key)
        }

        if ((obj.tunnel != null && obj.tunnel !== false)) {
          w.uint32(40)
          w.bool(obj.tunnel)
        }

        if (obj.signal != null) {
          w.uint32(50)
          Signal.codec().encode(obj.signal, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.RING,
          callId: uint8ArrayAlloc(0),
          video: false,
          key: uint8ArrayAlloc(0),
          tunnel: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = CallMessage.Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.callId = reader.bytes()
              break
            }
            case 3: {
              obj.video = reader.bool()
              break
            }
            case 4: {
              obj.key = reader.bytes()
              break
            }
            case 5: {
              obj.tunnel = reader.bool()
              break
            }
            case 6: {
              obj.signal = Signal.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signal
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: CallMessage.Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.callId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.video`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.tunnel`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield * Signal.codec().stream(reader, reader.uint32(), `${prefix}.signal`, {
                limits: opts.limits?.signal
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CallMessageKindFieldEvent {
    field: '$.kind'
    value: CallMessage.Kind
  }

  export interface CallMessageCallIdFieldEvent {
    field: '$.callId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CallMessageVideoFieldEvent {
    field: '$.video'
    value: boolean
  }

  export interface CallMessageKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CallMessageTunnelFieldEvent {
    field: '$.tunnel'
    value: boolean
  }

  export interface CallMessageSignalKindFieldEvent {
    field: '$.signal.kind'
    value: Signal.Kind
  }

  export interface CallMessageSignalSdpFieldEvent {
    field: '$.signal.sdp'
    value: string
  }

  export interface CallMessageSignalCandidateFieldEvent {
    field: '$.signal.candidate'
    value: string
  }

  export interface CallMessageSignalSdpMidFieldEvent {
    field: '$.signal.sdpMid'
    value: string
  }

  export interface CallMessageSignalSdpMLineIndexFieldEvent {
    field: '$.signal.sdpMLineIndex'
    value: number
  }

  export function encode (obj: Partial<CallMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CallMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallMessage>): CallMessage {
    return decodeMessage(buf, CallMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallMessage>): Generator<CallMessageKindFieldEvent | CallMessageCallIdFieldEvent | CallMessageVideoFieldEvent | CallMessageKeyFieldEvent | CallMessageTunnelFieldEvent | CallMessageSignalKindFieldEvent | CallMessageSignalSdpFieldEvent | CallMessageSignalCandidateFieldEvent | CallMessageSignalSdpMidFieldEvent | CallMessageSignalSdpMLineIndexFieldEvent> {
    return streamMessage(buf, CallMessage.codec(), opts)
  }
}

export interface Signal {
  kind: Signal.Kind
  sdp: string
  candidate: string
  sdpMid?: string
  sdpMLineIndex?: number
}

export namespace Signal {
  export enum Kind {
    OFFER = 'OFFER',
    ANSWER = 'ANSWER',
    CANDIDATE = 'CANDIDATE'
  }

  enum __KindValues {
    OFFER = 0,
    ANSWER = 1,
    CANDIDATE = 2
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<Signal>

  export const codec = (): Codec<Signal> => {
    if (_codec == null) {
      _codec = message<Signal>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          Signal.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.sdp != null && obj.sdp !== '')) {
          w.uint32(18)
          w.string(obj.sdp)
        }

        if ((obj.candidate != null && obj.candidate !== '')) {
          w.uint32(26)
          w.string(obj.candidate)
        }

        if (obj.sdpMid != null) {
          w.uint32(34)
          w.string(obj.sdpMid)
        }

        if (obj.sdpMLineIndex != null) {
          w.uint32(40)
          w.uint32(obj.sdpMLineIndex)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.OFFER,
          sdp: '',
          candidate: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = Signal.Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.sdp = reader.string()
              break
            }
            case 3: {
              obj.candidate = reader.string()
              break
            }
            case 4: {
              obj.sdpMid = reader.string()
              break
            }
            case 5: {
              obj.sdpMLineIndex = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: Signal.Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.sdp`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.candidate`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sdpMid`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.sdpMLineIndex`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignalKindFieldEvent {
    field: '$.kind'
    value: Signal.Kind
  }

  export interface SignalSdpFieldEvent {
    field: '$.sdp'
    value: string
  }

  export interface SignalCandidateFieldEvent {
    field: '$.candidate'
    value: string
  }

  export interface SignalSdpMidFieldEvent {
    field: '$.sdpMid'
    value: string
  }

  export interface SignalSdpMLineIndexFieldEvent {
    field: '$.sdpMLineIndex'
    value: number
  }

  export function encode (obj: Partial<Signal>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Signal.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Signal>): Signal {
    return decodeMessage(buf, Signal.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Signal>): Generator<SignalKindFieldEvent | SignalSdpFieldEvent | SignalCandidateFieldEvent | SignalSdpMidFieldEvent | SignalSdpMLineIndexFieldEvent> {
    return streamMessage(buf, Signal.codec(), opts)
  }
}

export interface CallReply {
  status: CallReply.Status
  reason: string
}

export namespace CallReply {
  export enum Status {
    OK = 'OK',
    BUSY = 'BUSY',
    REFUSED = 'REFUSED',
    REQUEST = 'REQUEST',
    UNKNOWN_CALL = 'UNKNOWN_CALL'
  }

  enum __StatusValues {
    OK = 0,
    BUSY = 1,
    REFUSED = 2,
    REQUEST = 3,
    UNKNOWN_CALL = 4
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<CallReply>

  export const codec = (): Codec<CallReply> => {
    if (_codec == null) {
      _codec = message<CallReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          CallReply.Status.codec().encode(obj.status, w)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(18)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = CallReply.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.reason = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: CallReply.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CallReplyStatusFieldEvent {
    field: '$.status'
    value: CallReply.Status
  }

  export interface CallReplyReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<CallReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CallReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallReply>): CallReply {
    return decodeMessage(buf, CallReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallReply>): Generator<CallReplyStatusFieldEvent | CallReplyReasonFieldEvent> {
    return streamMessage(buf, CallReply.codec(), opts)
  }
}
