import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ChatFrame {
  messages: ChatMessage[]
  receipt?: Receipt
  acked: number
}

export namespace ChatFrame {
  let _codec: Codec<ChatFrame>

  export const codec = (): Codec<ChatFrame> => {
    if (_codec == null) {
      _codec = message<ChatFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.messages != null && obj.messages.length > 0) {
          for (const value of obj.messages) {
            w.uint32(10)
            ChatMessage.codec().encode(value, w)
          }
        }

        if (obj.receipt != null) {
          w.uint32(18)
          Receipt.codec().encode(obj.receipt, w)
        }

        if ((obj.acked != null && obj.acked !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.acked)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          messages: [],
          acked: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.messages != null && obj.messages.length === opts.limits.messages) {
                throw new MaxLengthError('Decode error - repeated field "messages" had too many elements')
              }

              obj.messages.push(ChatMessage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.messages$
              }))
              break
            }
            case 2: {
              obj.receipt = Receipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipt
              })
              break
            }
            case 3: {
              obj.acked = reader.uint64Number()
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
          messages: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.messages != null && obj.messages === opts.limits.messages) {
                throw new MaxLengthError('Streaming decode error - repeated field "messages" had too many elements')
              }

              for (const evt of ChatMessage.codec().stream(reader, reader.uint32(), `${prefix}.messages[]`, {
                limits: opts.limits?.messages$
              })) {
                yield {
                  ...evt,
                  index: obj.messages
                }
              }

              obj.messages++

              break
            }
            case 2: {
              yield * Receipt.codec().stream(reader, reader.uint32(), `${prefix}.receipt`, {
                limits: opts.limits?.receipt
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.acked`,
                value: reader.uint64Number()
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

  export interface ChatFrameMessagesIdFieldEvent {
    field: '$.messages[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ChatFrameMessagesNFieldEvent {
    field: '$.messages[].n'
    value: number
    index: number
  }

  export interface ChatFrameMessagesOrderFieldEvent {
    field: '$.messages[].order'
    value: number
    index: number
  }

  export interface ChatFrameMessagesSentAtFieldEvent {
    field: '$.messages[].sentAt'
    value: number
    index: number
  }

  export interface ChatFrameMessagesTextFieldEvent {
    field: '$.messages[].text'
    value: string
    index: number
  }

  export interface ChatFrameMessagesFileLinkFieldEvent {
    field: '$.messages[].file.link'
    value: string
    index: number
  }

  export interface ChatFrameMessagesFileNameFieldEvent {
    field: '$.messages[].file.name'
    value: string
    index: number
  }

  export interface ChatFrameMessagesFileSizeFieldEvent {
    field: '$.messages[].file.size'
    value: number
    index: number
  }

  export interface ChatFrameReceiptDeliveredFieldEvent {
    field: '$.receipt.delivered'
    value: number
  }

  export interface ChatFrameReceiptReadFieldEvent {
    field: '$.receipt.read'
    value: number
  }

  export interface ChatFrameAckedFieldEvent {
    field: '$.acked'
    value: number
  }

  export function encode (obj: Partial<ChatFrame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatFrame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatFrame>): ChatFrame {
    return decodeMessage(buf, ChatFrame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatFrame>): Generator<ChatFrameMessagesIdFieldEvent | ChatFrameMessagesNFieldEvent | ChatFrameMessagesOrderFieldEvent | ChatFrameMessagesSentAtFieldEvent | ChatFrameMessagesTextFieldEvent | ChatFrameMessagesFileLinkFieldEvent | ChatFrameMessagesFileNameFieldEvent | ChatFrameMessagesFileSizeFieldEvent | ChatFrameReceiptDeliveredFieldEvent | ChatFrameReceiptReadFieldEvent | ChatFrameAckedFieldEvent> {
    return streamMessage(buf, ChatFrame.codec(), opts)
  }
}

export interface ChatMessage {
  id: Uint8Array<ArrayBuffer>
  n: number
  order: number
  sentAt: number
  text: string
  file?: FileRef
}

export namespace ChatMessage {
  let _codec: Codec<ChatMessage>

  export const codec = (): Codec<ChatMessage> => {
    if (_codec == null) {
      _codec = message<ChatMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.n != null && obj.n !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.n)
        }

        if ((obj.order != null && obj.order !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.order)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.sentAt)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(42)
          w.string(obj.text)
        }

        if (obj.file != null) {
          w.uint32(50)
          FileRef.codec().encode(obj.file, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          n: 0,
          order: 0,
          sentAt: 0,
          text: ''
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
              obj.n = reader.uint64Number()
              break
            }
            case 3: {
              obj.order = reader.uint64Number()
              break
            }
            case 4: {
              obj.sentAt = reader.uint64Number()
              break
            }
            case 5: {
              obj.text = reader.string()
              break
            }
            case 6: {
              obj.file = FileRef.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.file
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
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.n`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.order`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield * FileRef.codec().stream(reader, reader.uint32(), `${prefix}.file`, {
                limits: opts.limits?.file
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

  export interface ChatMessageIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatMessageNFieldEvent {
    field: '$.n'
    value: number
  }

  export interface ChatMessageOrderFieldEvent {
    field: '$.order'
    value: number
  }

  export interface ChatMessageSentAtFieldEvent {
    field: '$.sentAt'
    value: number
  }

  export interface ChatMessageTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface ChatMessageFileLinkFieldEvent {
    field: '$.file.link'
    value: string
  }

  export interface ChatMessageFileNameFieldEvent {
    field: '$.file.name'
    value: string
  }

  export interface ChatMessageFileSizeFieldEvent {
    field: '$.file.size'
    value: number
  }

  export function encode (obj: Partial<ChatMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): ChatMessage {
    return decodeMessage(buf, ChatMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): Generator<ChatMessageIdFieldEvent | ChatMessageNFieldEvent | ChatMessageOrderFieldEvent | ChatMessageSentAtFieldEvent | ChatMessageTextFieldEvent | ChatMessageFileLinkFieldEvent | ChatMessageFileNameFieldEvent | ChatMessageFileSizeFieldEvent> {
    return streamMessage(buf, ChatMessage.codec(), opts)
  }
}

export interface FileRef {
  link: string
  name: string
  size: number
}

export namespace FileRef {
  let _codec: Codec<FileRef>

  export const codec = (): Codec<FileRef> => {
    if (_codec == null) {
      _codec = message<FileRef>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.link != null && obj.link !== '')) {
          w.uint32(10)
          w.string(obj.link)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          link: '',
          name: '',
          size: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.link = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
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
                field: `${prefix}.link`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
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

  export interface FileRefLinkFieldEvent {
    field: '$.link'
    value: string
  }

  export interface FileRefNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface FileRefSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export function encode (obj: Partial<FileRef>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileRef.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileRef>): FileRef {
    return decodeMessage(buf, FileRef.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileRef>): Generator<FileRefLinkFieldEvent | FileRefNameFieldEvent | FileRefSizeFieldEvent> {
    return streamMessage(buf, FileRef.codec(), opts)
  }
}

export interface Receipt {
  delivered: number
  read: number
}

export namespace Receipt {
  let _codec: Codec<Receipt>

  export const codec = (): Codec<Receipt> => {
    if (_codec == null) {
      _codec = message<Receipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.delivered != null && obj.delivered !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.delivered)
        }

        if ((obj.read != null && obj.read !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.read)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          delivered: 0,
          read: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.delivered = reader.uint64Number()
              break
            }
            case 2: {
              obj.read = reader.uint64Number()
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
                field: `${prefix}.delivered`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.read`,
                value: reader.uint64Number()
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

  export interface ReceiptDeliveredFieldEvent {
    field: '$.delivered'
    value: number
  }

  export interface ReceiptReadFieldEvent {
    field: '$.read'
    value: number
  }

  export function encode (obj: Partial<Receipt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Receipt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Receipt {
    return decodeMessage(buf, Receipt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Generator<ReceiptDeliveredFieldEvent | ReceiptReadFieldEvent> {
    return streamMessage(buf, Receipt.codec(), opts)
  }
}

export interface ChatReply {
  status: ChatReply.Status
  receipt?: Receipt
}

export namespace ChatReply {
  export enum Status {
    OK = 'OK',
    REQUEST = 'REQUEST',
    REFUSED = 'REFUSED',
    BUSY = 'BUSY'
  }

  enum __StatusValues {
    OK = 0,
    REQUEST = 1,
    REFUSED = 2,
    BUSY = 3
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<ChatReply>

  export const codec = (): Codec<ChatReply> => {
    if (_codec == null) {
      _codec = message<ChatReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          ChatReply.Status.codec().encode(obj.status, w)
        }

        if (obj.receipt != null) {
          w.uint32(18)
          Receipt.codec().encode(obj.receipt, w)
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
              obj.status = ChatReply.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.receipt = Receipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipt
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
                field: `${prefix}.status`,
                value: ChatReply.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield * Receipt.codec().stream(reader, reader.uint32(), `${prefix}.receipt`, {
                limits: opts.limits?.receipt
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

  export interface ChatReplyStatusFieldEvent {
    field: '$.status'
    value: ChatReply.Status
  }

  export interface ChatReplyReceiptDeliveredFieldEvent {
    field: '$.receipt.delivered'
    value: number
  }

  export interface ChatReplyReceiptReadFieldEvent {
    field: '$.receipt.read'
    value: number
  }

  export function encode (obj: Partial<ChatReply>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatReply.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatReply>): ChatReply {
    return decodeMessage(buf, ChatReply.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatReply>): Generator<ChatReplyStatusFieldEvent | ChatReplyReceiptDeliveredFieldEvent | ChatReplyReceiptReadFieldEvent> {
    return streamMessage(buf, ChatReply.codec(), opts)
  }
}
