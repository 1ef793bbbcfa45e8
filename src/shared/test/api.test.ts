import { describe, expect, it } from 'vitest'
import { EVENT_NAMES, LONG_RUNNING, METHODS, METHOD_NAMES, SLICES, callTimeout, type WgtMethods } from '../api/index.js'
import { dispatch, validateArgs } from '../api/validate.js'
import { WgtError } from '../errors.js'
import { EventHub, createApiClient, unwrap, wrap } from '../rpc.js'

const PEER = '12D3KooWGevnFvkrdfKfqEC5RyusBnJwQYrgxFSZidEaMcFthH89'

describe('validateArgs', () => {
  it('accepts well-formed arguments', () => {
    expect(validateArgs('ping', [PEER, 3])).toEqual([PEER, 3])
    expect(validateArgs('connect', ['/ip4/127.0.0.1/tcp/1/p2p/' + PEER])).toHaveLength(1)
  })

  it.each([
    ['ping', [PEER, 0]],
    ['ping', [PEER, 1.5]],
    ['ping', [PEER, 1001]],
    ['ping', ['not a peer id!', 1]],
    ['ping', [PEER]],
    ['getPeer', [42]],
    ['connect', ['127.0.0.1:4101']],
    ['connect', ['/' + 'x'.repeat(2000)]],
    ['listPeers', ['extra']]
  ] as const)('rejects %s %j with INVALID_INPUT', (method, args) => {
    try {
      validateArgs(method, args)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(WgtError)
      expect((err as WgtError).code).toBe('INVALID_INPUT')
      expect((err as WgtError).message).toContain(method)
    }
  })
})

describe('the API composed from slices', () => {
  it('has each method and event in exactly one slice', () => {
    const methods = SLICES.flatMap(s => Object.keys(s.methods))
    const events = SLICES.flatMap(s => Object.keys(s.events))
    expect(new Set(methods).size).toBe(methods.length)
    expect(new Set(events).size).toBe(events.length)
    expect(METHOD_NAMES).toEqual(methods)
    expect(EVENT_NAMES).toEqual(events)
  })

  it('derives one timeout table from the metadata: long work answers at once, waiting has no deadline', () => {
    expect([...LONG_RUNNING].sort()).toEqual(['acceptOffer', 'fetchFile', 'repairFile', 'shareFile', 'submitCompute'])
    for (const m of LONG_RUNNING) expect(callTimeout(m, [])).toBe(60_000)
    expect(callTimeout('waitOperation', ['x'])).toBeNull()
    expect(callTimeout('fileHealth', ['x'])).toBe(180_000)
    expect(callTimeout('ping', [PEER, 10])).toBe(80_000)
    expect(callTimeout('listPeers', [])).toBe(60_000)
    for (const m of METHOD_NAMES) expect(METHODS[m].args).toBeTypeOf('function')
  })

  it('accepts optional trailing arguments and refuses null for them', () => {
    expect(validateArgs('fetchFile', ['wgt://' + 'b' + 'a'.repeat(58) + '#' + 'A'.repeat(43)])).toHaveLength(1)
    expect(() => validateArgs('shareFile', ['/f', null])).toThrow(WgtError)
    expect(validateArgs('shareFile', ['/f', { k: 3 }])).toEqual(['/f', { k: 3 }])
    expect(() => validateArgs('shareFile', ['/f', { k: 200, m: 100 }])).toThrow(/k \+ m/)
  })
})

describe('dispatch', () => {
  const impl = { ping: async (peerId: string, count: number) => ({ peerId, rtts: new Array(count).fill(1) }) } as unknown as WgtMethods

  it('calls the method with validated arguments', async () => {
    await expect(dispatch(impl, 'ping', [PEER, 2])).resolves.toEqual({ peerId: PEER, rtts: [1, 1] })
  })

  it('refuses unknown and inherited method names', async () => {
    for (const name of ['nope', 'toString', '__proto__', 'constructor', 42]) {
      await expect(dispatch(impl, name, [])).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    }
  })
})

describe('rpc', () => {
  it('carries a WgtError across wrap/unwrap with its code', async () => {
    const result = await wrap(async () => { throw new WgtError('PEER_UNREACHABLE', 'gone') })
    expect(result).toEqual({ ok: false, error: { code: 'PEER_UNREACHABLE', message: 'gone' } })
    expect(() => unwrap(result)).toThrow(expect.objectContaining({ code: 'PEER_UNREACHABLE', message: 'gone' }))
  })

  it('turns a malformed wire error into PROTOCOL, and a plain Error into INTERNAL', async () => {
    expect(WgtError.fromWire({ code: 'BOGUS', message: 1 }).code).toBe('PROTOCOL')
    const r = await wrap(async () => { throw new Error('boom') })
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } })
  })

  it('builds a client whose methods call through and whose events can be unsubscribed', async () => {
    const hub = new EventHub()
    const calls: unknown[] = []
    const api = createApiClient(async (method, args) => { calls.push([method, args]); return 'v' }, hub)
    await expect(api.getPeer(PEER)).resolves.toBe('v')
    await expect(api.fetchFile('wgt://x', undefined)).resolves.toBe('v')
    // a trailing undefined is dropped: JSON would turn it into null
    expect(calls).toEqual([['getPeer', [PEER]], ['fetchFile', ['wgt://x']]])
    const seen: unknown[] = []
    const off = api.on('peer:remove', d => seen.push(d))
    hub.emit('peer:remove', { peerId: PEER })
    off()
    hub.emit('peer:remove', { peerId: 'x' })
    hub.forward('not-an-event', {})
    expect(seen).toEqual([{ peerId: PEER }])
    expect(() => api.on('bogus' as any, () => {})).toThrow(WgtError)
  })
})
