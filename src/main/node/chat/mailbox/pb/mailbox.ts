import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface MailboxRequest {
  kind: MailboxRequest.Kind
  tag: Uint8Array<ArrayBuffer>
  sealed: Uint8Array<ArrayBuffer>
  tags: Uint8Array<ArrayBuffer>[]
  acks: MailboxRef[]
  release: Uint8Array<ArrayBuffer>
  after: Uint8Array<ArrayBuffer>
}

export namespace MailboxRequest {
  export enum Kind {
    DEPOSIT = 'DEPOSIT',
    FETCH = 'FETCH',
    ACK = 'ACK'
  }

  enum __KindValues {
    DEPOSIT = 0,
    FETCH = 1,
    ACK = 2
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<MailboxRequest>

  export const codec = (): Codec<MailboxRequest> => {
    if (_codec == null) {
      _codec = message<MailboxRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          MailboxRequest.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.tag != null && obj.tag.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.tag)
        }

        if ((obj.sealed != null && obj.sealed.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.sealed)
        }

        if (obj.tags != null && obj.tags.length > 0) {
          for (const value of obj.tags) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (obj.acks != null && obj.acks.length > 0) {
          for (const value of obj.acks) {
            w.uint32(42)
            MailboxRef.codec().encode(value, w)
          }
        }

        if ((obj.release != null && obj.release.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.release)
        }

        if ((obj.after != null && obj.after.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.after)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.DEPOSIT,
          tag: uint8ArrayAlloc(0),
          sealed: uint8ArrayAlloc(0),
          tags: [],
          acks: [],
          release: uint8ArrayAlloc(0),
          after: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = MailboxRequest.Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.tag = reader.bytes()
              break
            }
            case 3: {
              obj.sealed = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                throw new MaxLengthError('Decode error - repeated field "tags" had too many elements')
              }

              obj.tags.push(reader.bytes())
              break
            }
            case 5: {
              if (opts.limits?.acks != null && obj.acks.length === opts.limits.acks) {
                throw new MaxLengthError('Decode error - repeated field "acks" had too many elements')
              }

              obj.acks.push(MailboxRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.acks$
              }))
              break
            }
            case 6: {
              obj.release = reader.bytes()
              break
            }
            case 7: {
              obj.after = reader.bytes()
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
        const obj = {
          tags: 0,
          acks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: MailboxRequest.Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tag`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.sealed`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.tags != null && obj.tags === opts.limits.tags) {
                throw new MaxLengthError('Streaming decode error - repeated field "tags" had too many elements')
              }

              yield {
                field: `${prefix}.tags[]`,
                index: obj.tags,
                value: reader.bytes()
              }

              obj.tags++

              break
            }
            case 5: {
              if (opts.limits?.acks != null && obj.acks === opts.limits.acks) {
                throw new MaxLengthError('Streaming decode error - repeated field "acks" had too many elements')
              }

              for (const evt of MailboxRef.codec().stream(reader, reader.uint32(), `${prefix}.acks[]`, {
                limits: opts.limits?.acks$
              })) {
                yield {
                  ...evt,
                  index: obj.acks
                }
              }

              obj.acks++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.release`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.after`,
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

  export interface MailboxRequestKindFieldEvent {
    field: '$.kind'
    value: MailboxRequest.Kind
  }

  export interface MailboxRequestTagFieldEvent {
    field: '$.tag'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestSealedFieldEvent {
    field: '$.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestTagsFieldEvent {
    field: '$.tags[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestAcksTagFieldEvent {
    field: '$.acks[].tag'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestAcksIdFieldEvent {
    field: '$.acks[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestAcksTokenFieldEvent {
    field: '$.acks[].token'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestReleaseFieldEvent {
    field: '$.release'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestAfterFieldEvent {
    field: '$.after'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MailboxRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRequest>): MailboxRequest {
    return decodeMessage(buf, MailboxRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRequest>): Generator<MailboxRequestKindFieldEvent | MailboxRequestTagFieldEvent | MailboxRequestSealedFieldEvent | MailboxRequestTagsFieldEvent | MailboxRequestAcksTagFieldEvent | MailboxRequestAcksIdFieldEvent | MailboxRequestAcksTokenFieldEvent | MailboxRequestReleaseFieldEvent | MailboxRequestAfterFieldEvent> {
    return streamMessage(buf, MailboxRequest.codec(), opts)
  }
}

export interface MailboxRef {
  tag: Uint8Array<ArrayBuffer>
  id: Uint8Array<ArrayBuffer>
  token: Uint8Array<ArrayBuffer>
}

export namespace MailboxRef {
  let _codec: Codec<MailboxRef>

  export const codec = (): Codec<MailboxRef> => {
    if (_codec == null) {
      _codec = message<MailboxRef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.tag != null && obj.tag.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.tag)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.id)
        }

        if ((obj.token != null && obj.token.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.token)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tag: uint8ArrayAlloc(0),
          id: uint8ArrayAlloc(0),
          token: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.tag = reader.bytes()
              break
            }
            case 2: {
              obj.id = reader.bytes()
              break
            }
            case 3: {
              obj.token = reader.bytes()
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
                field: `${prefix}.tag`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.token`,
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

  export interface MailboxRefTagFieldEvent {
    field: '$.tag'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRefIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRefTokenFieldEvent {
    field: '$.token'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MailboxRef>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRef>): MailboxRef {
    return decodeMessage(buf, MailboxRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRef>): Generator<MailboxRefTagFieldEvent | MailboxRefIdFieldEvent | MailboxRefTokenFieldEvent> {
    return streamMessage(buf, MailboxRef.codec(), opts)
  }
}

export interface MailboxItem {
  id: Uint8Array<ArrayBuffer>
  tag: Uint8Array<ArrayBuffer>
  sealed: Uint8Array<ArrayBuffer>
}

export namespace MailboxItem {
  let _codec: Codec<MailboxItem>

  export const codec = (): Codec<MailboxItem> => {
    if (_codec == null) {
      _codec = message<MailboxItem>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.tag != null && obj.tag.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.tag)
        }

        if ((obj.sealed != null && obj.sealed.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.sealed)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          tag: uint8ArrayAlloc(0),
          sealed: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.tag = reader.bytes()
              break
            }
            case 3: {
              obj.sealed = reader.bytes()
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
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.tag`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.sealed`,
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

  export interface MailboxItemIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxItemTagFieldEvent {
    field: '$.tag'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxItemSealedFieldEvent {
    field: '$.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MailboxItem>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxItem.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxItem>): MailboxItem {
    return decodeMessage(buf, MailboxItem.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxItem>): Generator<MailboxItemIdFieldEvent | MailboxItemTagFieldEvent | MailboxItemSealedFieldEvent> {
    return streamMessage(buf, MailboxItem.codec(), opts)
  }
}

export interface MailboxReply {
  status: MailboxReply.Status
  items: MailboxItem[]
  more: boolean
  next: Uint8Array<ArrayBuffer>
}

export namespace MailboxReply {
  export enum Status {
    OK = 'OK',
    FULL = 'FULL',
    REFUSED = 'REFUSED',
    BUSY = 'BUSY'
  }

  enum __StatusValues {
    OK = 0,
    FULL = 1,
    REFUSED = 2,
    BUSY = 3
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<MailboxReply>

  export const codec = (): Codec<MailboxReply> => {
    if (_codec == null) {
      _codec = message<MailboxReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          MailboxReply.Status.codec().encode(obj.status, w)
        }

        if (obj.items != null && obj.items.length > 0) {
          for (const value of obj.items) {
            w.uint32(18)
            MailboxItem.codec().encode(value, w)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(24)
          w.bool(obj.more)
        }

        if ((obj.next != null && obj.next.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.next)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          items: [],
          more: false,
          next: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = MailboxReply.Status.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.items != null && obj.items.length === opts.limits.items) {
                throw new MaxLengthError('Decode error - repeated field "items" had too many elements')
              }

              obj.items.push(MailboxItem.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.items$
              }))
              break
            }
            case 3: {
              obj.more = reader.bool()
              break
            }
            case 4: {
              obj.next = reader.bytes()
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
        const obj = {
          items: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: MailboxReply.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.items != null && obj.items === opts.limits.items) {
                throw new MaxLengthError('Streaming decode error - repeated field "items" had too many elements')
              }

              for (const evt of MailboxItem.codec().stream(reader, reader.uint32(), `${prefix}.items[]`, {
                limits: opts.limits?.items$
              })) {
                yield {
                  ...evt,
                  index: obj.items
                }
              }

              obj.items++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.more`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.next`,
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

  export interface MailboxReplyStatusFieldEvent {
    field: '$.status'
    value: MailboxReply.Status
  }

  export interface MailboxReplyItemsIdFieldEvent {
    field: '$.items[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxReplyItemsTagFieldEvent {
    field: '$.items[].tag'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxReplyItemsSealedFieldEvent {
    field: '$.items[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxReplyMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export interface MailboxReplyNextFieldEvent {
    field: '$.next'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MailboxReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxReply>): MailboxReply {
    return decodeMessage(buf, MailboxReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxReply>): Generator<MailboxReplyStatusFieldEvent | MailboxReplyItemsIdFieldEvent | MailboxReplyItemsTagFieldEvent | MailboxReplyItemsSealedFieldEvent | MailboxReplyMoreFieldEvent | MailboxReplyNextFieldEvent> {
    return streamMessage(buf, MailboxReply.codec(), opts)
  }
}
