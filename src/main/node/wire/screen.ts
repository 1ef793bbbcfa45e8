/**
 * One screen in front of every inbound stream of every protocol, libp2p's own
 * included (DHT, identify, ping, AutoNAT, relay): a refused peer's stream is
 * aborted before any handler reads it (a ban bites on connections that were
 * open before it), and a handler that fails on a peer's malformed or
 * oversized message has it counted against that peer — the DHT's decoding
 * errors used to count nowhere.
 *
 * It works by handing each service a registrar whose handle() wraps the
 * handler. libp2p's registrar middleware (Registrar.use) cannot do this:
 * it runs before the handler and never sees its failure, and libp2p 3.3
 * pushes the handler onto the stored middleware array on every stream.
 */
import type { Connection, Stream, StreamHandler } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'
import { isWireViolation } from './stream.js'

export interface StreamScreen {
  /** false: the peer's stream is aborted before the handler sees it */
  admit: (peerId: string, protocol: string) => boolean
  /** a handler failed on a message of the peer's that no honest peer sends */
  violation: (peerId: string, protocol: string, reason: string) => void
}

/** protons' decoding errors by name */
const DECODE_ERRORS = new Set(['MaxLengthError', 'MaxSizeError', 'ParseError'])
/**
 * protons' reader throws plain Errors and RangeErrors for the rest: a wire
 * type that does not exist, an unknown enum value, a varint too long, a read
 * past the end. (Nested groups deep enough overflowed the stack before
 * patches/protons-runtime+7.1.2.patch; a stack overflow still counts, for
 * any other recursion a decoder may have.)
 */
const DECODE_MESSAGES = /^(invalid wire type|illegal tag|Invalid enum value|invalid varint encoding|index out of range|Maximum call stack size exceeded)/i

export function isPeerFault (err: unknown): err is Error {
  if (isWireViolation(err)) return true
  if (!(err instanceof Error)) return false
  return DECODE_ERRORS.has(err.name) || ((err.name === 'Error' || err.name === 'RangeError') && DECODE_MESSAGES.test(err.message))
}

function screenedRegistrar (registrar: Registrar, screen: StreamScreen): Registrar {
  const handle: Registrar['handle'] = async (protocol, handler, options) => {
    const screened: StreamHandler = async (stream: Stream, connection: Connection) => {
      const peer = connection.remotePeer.toString()
      if (!screen.admit(peer, protocol)) {
        stream.abort(new Error('refused by guard'))
        return
      }
      try {
        await handler(stream, connection)
      } catch (err) {
        if (isPeerFault(err)) screen.violation(peer, protocol, err.message)
        throw err
      }
    }
    await registrar.handle(protocol, screened, options)
  }
  return new Proxy(registrar, {
    get (target, key) {
      if (key === 'handle') return handle
      const value = Reflect.get(target, key, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** A libp2p service or transport factory whose handlers all pass the screen. */
export function screened<T> (factory: (components: any) => T, screen: StreamScreen): (components: any) => T {
  return (components: any) => {
    let registrar: Registrar | undefined
    const view = new Proxy(components, {
      get (target, key) {
        if (key === 'registrar') {
          registrar ??= screenedRegistrar(Reflect.get(target, key, target), screen)
          return registrar
        }
        return Reflect.get(target, key, target)
      }
    })
    return factory(view)
  }
}
