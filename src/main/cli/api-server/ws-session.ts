/**
 * One WebSocket API connection: authenticate, then calls and events.
 *
 * Protocol: the first message must be {"type":"auth","token":…} within the
 * auth timeout; the server answers {"type":"ready"} or closes with 4401.
 * Malformed input closes with 4400. {"type":"ping"} is answered with
 * {"type":"pong"} (the client's keep-alive). Every call goes through
 * dispatch(), which validates the arguments, and its outcome travels as an
 * RpcResult, never as a transport error. Operations this connection started
 * belong to its client (owners.ts decides when one is gone for good).
 * A call that waits for an operation to end does not hold one of the
 * session's call slots: a UI waiting on many shares must still cancel them.
 */
import type { RawData, WebSocket } from 'ws'
import { EVENT_NAMES, LONG_RUNNING, METHODS, isMethodName, type Call, type OperationRef, type WgtApi, type WgtMethodName } from '../../../shared/api/index.js'
import { dispatch } from '../../../shared/api/validate.js'
import { WgtError } from '../../../shared/errors.js'
import { wrap, type RpcResult, type ServerMessage } from '../../../shared/rpc.js'
import { callWork, type OperationOwners } from './owners.js'
import type { TokenCheck } from './token.js'

export const CLOSE_MALFORMED = 4400
export const CLOSE_UNAUTHORIZED = 4401
export const CLOSE_TOKEN_ROTATED = 4403
/** a client that stops reading while events pile up; it can reconnect and resync */
export const CLOSE_TOO_SLOW = 4408

/** Calls one client may have running at once; more are answered UNAVAILABLE instead of queued without bound. */
export const MAX_CALLS_IN_FLIGHT = 64
/** Waits for operations one client may have open at once (they last as long as the work). */
export const MAX_WAITS_IN_FLIGHT = 1024
/** a client id, as the browser UI sends one per tab */
const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/
/** Outbound bytes buffered for a client before it is considered stuck. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

export interface SessionOptions {
  api: WgtApi
  token: TokenCheck
  authTimeoutMs: number
  /** an operation this session started (file-transfer uses it to remove an upload once its share ends) */
  onStarted?: (method: WgtMethodName, args: unknown[], ref: OperationRef) => void
  owners: OperationOwners
}

export interface Session {
  /** close; keepOperations: what this client started goes on (the server closes it, the client did not leave) */
  close: (code: number, reason: string, keepOperations?: boolean) => void
}

let anonymous = 0

export function runSession (ws: WebSocket, options: SessionOptions): Session {
  const { api, token } = options
  let ready = false
  let closed = false
  let keepOperations = false
  let inFlight = 0
  let waits = 0
  const unsubscribes: Array<() => void> = []
  /** the client's own id, or one for this connection only (the `wgt` command names none) */
  let owner = `connection-${++anonymous}`
  let named = false

  const authTimer = setTimeout(() => {
    ws.close(CLOSE_UNAUTHORIZED, 'authentication timed out')
  }, options.authTimeoutMs)

  const send = (message: ServerMessage): void => {
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(CLOSE_TOO_SLOW, 'client is not reading')
      return
    }
    ws.send(JSON.stringify(message))
  }

  const fail = (code: number, reason: string): void => {
    clearTimeout(authTimer)
    ws.close(code, reason)
  }

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (ws.readyState !== ws.OPEN) return
    if (isBinary) { fail(CLOSE_MALFORMED, 'binary messages are not part of the protocol'); return }
    let message: unknown
    try {
      message = JSON.parse(rawText(data))
    } catch {
      fail(CLOSE_MALFORMED, 'malformed JSON')
      return
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      fail(CLOSE_MALFORMED, 'a message must be a JSON object')
      return
    }
    const msg = message as Record<string, unknown>

    if (!ready) {
      if (msg.type !== 'auth') { fail(CLOSE_UNAUTHORIZED, 'authenticate first'); return }
      if (typeof msg.token !== 'string') { fail(CLOSE_MALFORMED, 'auth needs a token string'); return }
      if (!token.matches(msg.token)) { fail(CLOSE_UNAUTHORIZED, 'bad token'); return }
      if (msg.client != null) {
        if (typeof msg.client !== 'string' || !CLIENT_ID.test(msg.client)) { fail(CLOSE_MALFORMED, 'a client id is 8 to 64 letters, digits, _ or -'); return }
        owner = `client-${msg.client}`
        named = true
      }
      clearTimeout(authTimer)
      ready = true
      options.owners.opened(owner)
      send({ type: 'ready' })
      for (const event of EVENT_NAMES) {
        unsubscribes.push(api.on(event, data => { send({ type: 'event', event, data }) }))
      }
      return
    }

    if (msg.type === 'ping') { send({ type: 'pong' }); return }
    if (msg.type !== 'call') { fail(CLOSE_MALFORMED, `unexpected message type ${JSON.stringify(msg.type)}`); return }
    const { id, method, args } = msg
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || !Array.isArray(args)) {
      fail(CLOSE_MALFORMED, 'a call needs an integer id and an args array')
      return
    }
    const waiting = isMethodName(method) && METHODS[method].timeout === 'wait'
    if (waiting ? waits >= MAX_WAITS_IN_FLIGHT : inFlight >= MAX_CALLS_IN_FLIGHT) {
      const busy = new WgtError('UNAVAILABLE', `more than ${waiting ? MAX_WAITS_IN_FLIGHT : MAX_CALLS_IN_FLIGHT} ${waiting ? 'waits' : 'calls'} in flight on one connection`)
      send({ type: 'result', id, result: { ok: false, error: busy.toWire() } })
      return
    }
    if (waiting) waits++; else inFlight++
    void wrap(async () => {
      const value = await dispatch(api, method, args)
      if (isMethodName(method) && LONG_RUNNING.has(method)) {
        const ref = value as OperationRef
        options.onStarted?.(method, args, ref)
        // the client may have gone while the call ran: then nobody will ever take this operation
        if (closed && !named && !keepOperations) void api.cancelOperation(ref.operation).catch(() => {})
        else options.owners.started(owner, ref.operation)
      }
      // a call is the client's too: its window holds the media, so a client gone for good hangs it up
      if (method === 'startCall' || method === 'acceptCall') {
        const call = value as Call
        if (call.state === 'ended') return value
        if (closed && !named && !keepOperations) void api.hangupCall(call.id).catch(() => {})
        else options.owners.started(owner, callWork(call.id))
      }
      return value
    }).then((result: RpcResult) => {
      if (waiting) waits--; else inFlight--
      send({ type: 'result', id, result })
    })
  })

  ws.on('close', () => {
    closed = true
    clearTimeout(authTimer)
    for (const unsubscribe of unsubscribes.splice(0)) unsubscribe()
    if (ready) options.owners.closed(owner, { named, cancel: !keepOperations })
  })
  // A socket error is followed by 'close'; without a listener ws would rethrow it.
  ws.on('error', () => {})

  return {
    close: (code, reason, keep = false) => {
      keepOperations ||= keep
      ws.close(code, reason)
    }
  }
}

function rawText (data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}
