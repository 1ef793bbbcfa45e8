/**
 * Camera and microphone follow the calls the user placed or answered: the
 * grant appears with such a call and goes when it ends, never for a call that
 * only rings in, and media stays refused to the renderer outside them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Call } from '../../shared/api/index.js'
import { fakeNode, type FakeNode } from '../cli/test/fake-node.js'
import { rendererOrigin } from '../app-paths.js'
import { CallGrants } from '../call-grants.js'
import { MediaGrants } from '../media-grants.js'
import { applyPermissionPolicy } from '../permissions.js'
import { FakeFrame, FakeSession } from './fake-electron.js'

const ALICE = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const A = 'a'.repeat(32)
const B = 'b'.repeat(32)
const OURS = new FakeFrame('app://wgt/index.html#/calls')

const call = (id: string, outgoing: boolean, state: Call['state'], extra: Partial<Call> = {}): Call => ({
  id, peerId: ALICE, outgoing, video: true, state, request: false, startedAt: 1, answeredAt: null, endedAt: null,
  endReason: null, endedBy: null, error: null, tunnel: null, quality: null, ...extra
})

describe('call grants', () => {
  let node: FakeNode
  let grants: MediaGrants
  let callGrants: CallGrants
  let session: FakeSession

  beforeEach(() => {
    node = fakeNode()
    grants = new MediaGrants()
    callGrants = new CallGrants(node.api.on, grants)
    session = new FakeSession()
    applyPermissionPolicy(session, { isTrusted: rendererOrigin(undefined).isTrusted, grants, chooseSource: async () => null })
  })
  afterEach(() => { callGrants.stop() })

  const camera = async (): Promise<boolean> => await session.request(OURS, 'media', ['video', 'audio'])

  it('grants for a call the user places, from its ring to its end', async () => {
    expect(await camera()).toBe(false)
    node.hub.emit('call:state', call(A, true, 'ringing'))
    expect(callGrants.calls()).toEqual([A])
    expect(grants.reasons()).toEqual([`call to ${ALICE} (${A})`])
    expect(await camera()).toBe(true)
    node.hub.emit('call:state', call(A, true, 'connecting'))
    node.hub.emit('call:state', call(A, true, 'active'))
    expect(grants.reasons()).toHaveLength(1)
    node.hub.emit('call:state', call(A, true, 'ended', { endReason: 'hangup', endedBy: 'remote' }))
    expect(callGrants.calls()).toEqual([])
    expect(await camera()).toBe(false)
  })

  it('grants nothing while an incoming call rings, and from the moment the user accepts it', async () => {
    node.hub.emit('call:state', call(A, false, 'ringing'))
    node.hub.emit('call:state', call(B, false, 'ringing', { request: true }))
    expect(await camera()).toBe(false)
    node.hub.emit('call:state', call(A, false, 'connecting'))
    expect(callGrants.calls()).toEqual([A])
    expect(grants.reasons()).toEqual([`call from ${ALICE} (${A})`])
    expect(await camera()).toBe(true)
    // an incoming call declined or missed never granted
    node.hub.emit('call:state', call(B, false, 'ended', { endReason: 'declined', endedBy: 'local' }))
    expect(callGrants.calls()).toEqual([A])
    node.hub.emit('call:state', call(A, false, 'ended', { endReason: 'hangup', endedBy: 'local' }))
    expect(await camera()).toBe(false)
  })

  it('keeps one grant per call: media stays while another call holds one', async () => {
    node.hub.emit('call:state', call(A, true, 'ringing'))
    node.hub.emit('call:state', call(B, false, 'active'))
    node.hub.emit('call:state', call(A, true, 'ended', { endReason: 'cancelled', endedBy: 'local' }))
    expect(callGrants.calls()).toEqual([B])
    expect(await camera()).toBe(true)
    node.hub.emit('call:state', call(B, false, 'ended', { endReason: 'failed', error: 'media broke' }))
    expect(grants.has()).toBe(false)
  })

  it('never grants again for a call that ended, whatever event comes late', () => {
    node.hub.emit('call:state', call(A, true, 'ringing'))
    node.hub.emit('call:state', call(A, true, 'ended', { endReason: 'unanswered' }))
    node.hub.emit('call:state', call(A, true, 'active'))
    expect(grants.has()).toBe(false)
    // an end for a call it never granted for changes nothing
    node.hub.emit('call:state', call(B, false, 'ended', { endReason: 'busy' }))
    expect(grants.has()).toBe(false)
  })

  it('revokes every grant and stops listening on stop (quit)', async () => {
    node.hub.emit('call:state', call(A, true, 'ringing'))
    node.hub.emit('call:state', call(B, false, 'connecting'))
    expect(node.subscribers()).toBe(1)
    callGrants.stop()
    callGrants.stop()
    expect(node.subscribers()).toBe(0)
    expect(grants.has()).toBe(false)
    expect(await camera()).toBe(false)
    node.hub.emit('call:state', call('c'.repeat(32), true, 'ringing'))
    expect(grants.has()).toBe(false)
  })

  it('leaves grants made elsewhere alone', () => {
    const other = grants.grant('test')
    node.hub.emit('call:state', call(A, true, 'ringing'))
    callGrants.stop()
    expect(grants.reasons()).toEqual(['test'])
    other()
  })
})
