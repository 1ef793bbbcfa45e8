import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ContactMessage {
  kind: ContactMessage.Kind
}

export namespace ContactMessage {
  export enum Kind {
    REQUEST = 'REQUEST',
    ACCEPT = 'ACCEPT',
    DECLINE = 'DECLINE',
    REMOVE = 'REMOVE'
  }

  enum __KindValues {
    REQUEST = 0,
    ACCEPT = 1,
    DECLINE = 2,
    REMOVE = 3
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<ContactMessage>

  export const codec = (): Codec<ContactMessage> => {
    if (_codec == null) {
      _codec = message<ContactMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          ContactMessage.Kind.codec().encode(obj.kind, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.REQUEST
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = ContactMessage.Kind.codec().decode(reader)
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
                value: ContactMessage.Kind.codec().decode(reader)
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

  export interface ContactMessageKindFieldEvent {
    field: '$.kind'
    value: ContactMessage.Kind
  }

  export function encode (obj: Partial<ContactMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ContactMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContactMessage>): ContactMessage {
    return decodeMessage(buf, ContactMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContactMessage>): Generator<ContactMessageKindFieldEvent> {
    return streamMessage(buf, ContactMessage.codec(), opts)
  }
}

export interface ContactReply {
  status: ContactReply.Status
}

export namespace ContactReply {
  export enum Status {
    OK = 'OK',
    ACCEPTED = 'ACCEPTED',
    NOT_REQUESTED = 'NOT_REQUESTED',
    BUSY = 'BUSY'
  }

  enum __StatusValues {
    OK = 0,
    ACCEPTED = 1,
    NOT_REQUESTED = 2,
    BUSY = 3
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<ContactReply>

  export const codec = (): Codec<ContactReply> => {
    if (_codec == null) {
      _codec = message<ContactReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          ContactReply.Status.codec().encode(obj.status, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = ContactReply.Status.codec().decode(reader)
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
                value: ContactReply.Status.codec().decode(reader)
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

  export interface ContactReplyStatusFieldEvent {
    field: '$.status'
    value: ContactReply.Status
  }

  export function encode (obj: Partial<ContactReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ContactReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContactReply>): ContactReply {
    return decodeMessage(buf, ContactReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ContactReply>): Generator<ContactReplyStatusFieldEvent> {
    return streamMessage(buf, ContactReply.codec(), opts)
  }
}
