import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface MediaHello {
  callId: string
  from: string
  to: string
  proof: Uint8Array<ArrayBuffer>
}

export namespace MediaHello {
  let _codec: Codec<MediaHello>

  export const codec = (): Codec<MediaHello> => {
    if (_codec == null) {
      _codec = message<MediaHello>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.callId != null && obj.callId !== '')) {
          w.uint32(10)
          w.string(obj.callId)
        }

        if ((obj.from != null && obj.from !== '')) {
          w.uint32(18)
          w.string(obj.from)
        }

        if ((obj.to != null && obj.to !== '')) {
          w.uint32(26)
          w.string(obj.to)
        }

        if ((obj.proof != null && obj.proof.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.proof)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          callId: '',
          from: '',
          to: '',
          proof: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.callId = reader.string()
              break
            }
            case 2: {
              obj.from = reader.string()
              break
            }
            case 3: {
              obj.to = reader.string()
              break
            }
            case 4: {
              obj.proof = reader.bytes()
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
                field: `${prefix}.callId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.from`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.to`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.proof`,
                value: reader.bytes()
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

  export interface MediaHelloCallIdFieldEvent {
    field: '$.callId'
    value: string
  }

  export interface MediaHelloFromFieldEvent {
    field: '$.from'
    value: string
  }

  export interface MediaHelloToFieldEvent {
    field: '$.to'
    value: string
  }

  export interface MediaHelloProofFieldEvent {
    field: '$.proof'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MediaHello>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MediaHello.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MediaHello>): MediaHello {
    return decodeMessage(buf, MediaHello.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MediaHello>): Generator<MediaHelloCallIdFieldEvent | MediaHelloFromFieldEvent | MediaHelloToFieldEvent | MediaHelloProofFieldEvent> {
    return streamMessage(buf, MediaHello.codec(), opts)
  }
}

export interface MediaReply {
  status: MediaReply.Status
}

export namespace MediaReply {
  export enum Status {
    NONE = 'NONE',
    OK = 'OK',
    UNKNOWN_CALL = 'UNKNOWN_CALL',
    REFUSED = 'REFUSED',
    UNREACHABLE = 'UNREACHABLE',
    BUSY = 'BUSY'
  }

  enum __StatusValues {
    NONE = 0,
    OK = 1,
    UNKNOWN_CALL = 2,
    REFUSED = 3,
    UNREACHABLE = 4,
    BUSY = 5
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<MediaReply>

  export const codec = (): Codec<MediaReply> => {
    if (_codec == null) {
      _codec = message<MediaReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          MediaReply.Status.codec().encode(obj.status, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.NONE
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = MediaReply.Status.codec().decode(reader)
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
                value: MediaReply.Status.codec().decode(reader)
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

  export interface MediaReplyStatusFieldEvent {
    field: '$.status'
    value: MediaReply.Status
  }

  export function encode (obj: Partial<MediaReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MediaReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MediaReply>): MediaReply {
    return decodeMessage(buf, MediaReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MediaReply>): Generator<MediaReplyStatusFieldEvent> {
    return streamMessage(buf, MediaReply.codec(), opts)
  }
}
