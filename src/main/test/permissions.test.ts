/**
 * Camera, microphone and screen capture through the session's permission
 * handlers, with the fake Electron session: refused until a media grant,
 * allowed to our renderer while one is held, refused again once it is revoked,
 * and never to another origin or an iframe. Request and check always agree.
 * Screen capture gets what the user chose in the picker, one picker at a time,
 * and nothing once the call that granted has ended.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { rendererOrigin } from '../app-paths.js'
import { MediaGrants } from '../media-grants.js'
import { applyPermissionPolicy, type CaptureSource, type DisplayFrameLike } from '../permissions.js'
import { FakeFrame, FakeSession } from './fake-electron.js'

const OURS = new FakeFrame('app://wgt/index.html#/peers')
const FOREIGN = new FakeFrame('https://evil.example/')
const OUR_IFRAME = new FakeFrame('app://wgt/index.html', OURS)
const SCREENS: CaptureSource[] = [{ id: 'screen:1:0', name: 'Screen 1' }, { id: 'screen:2:0', name: 'Screen 2' }]

/** every way a page reaches the camera, the microphone or the screen, answered yes or no */
async function mediaAnswers (session: FakeSession, frame: FakeFrame): Promise<boolean[]> {
  return [
    await session.request(frame, 'media', ['video']),
    await session.request(frame, 'media', ['audio']),
    await session.request(frame, 'media', ['video', 'audio']),
    await session.request(frame, 'display-capture', ['video']),
    session.check(frame, 'media', 'video'),
    session.check(frame, 'media', 'audio'),
    session.check(frame, 'media', 'unknown'),
    session.check(frame, 'display-capture'),
    await session.displayMedia(frame) != null
  ]
}

describe('media permissions', () => {
  let session: FakeSession
  let grants: MediaGrants

  beforeEach(() => {
    session = new FakeSession()
    grants = new MediaGrants()
    applyPermissionPolicy(session, { isTrusted: rendererOrigin(undefined).isTrusted, grants, chooseSource: async () => SCREENS[0] })
  })

  it('refuses camera, microphone and screen to our renderer before a grant, by request and by check', async () => {
    expect(await mediaAnswers(session, OURS)).toEqual(Array(9).fill(false))
  })

  it('allows them to our renderer while a grant is held, and refuses them again once it is revoked', async () => {
    const revoke = grants.grant('call with 12D3KooW…')
    expect(grants.reasons()).toEqual(['call with 12D3KooW…'])
    expect(await mediaAnswers(session, OURS)).toEqual(Array(9).fill(true))
    expect(await session.displayMedia(OURS)).toEqual({ video: SCREENS[0] })
    revoke()
    expect(await mediaAnswers(session, OURS)).toEqual(Array(9).fill(false))
    revoke()
    expect(grants.has()).toBe(false)
  })

  it('keeps media allowed until the last of two grants is revoked', async () => {
    const first = grants.grant('call A')
    const second = grants.grant('call A')
    first()
    expect(await mediaAnswers(session, OURS)).toEqual(Array(9).fill(true))
    second()
    expect(await mediaAnswers(session, OURS)).toEqual(Array(9).fill(false))
  })

  it('refuses another origin and an iframe even while a grant is held', async () => {
    grants.grant('call')
    expect(await mediaAnswers(session, FOREIGN)).toEqual(Array(9).fill(false))
    expect(await mediaAnswers(session, OUR_IFRAME)).toEqual(Array(9).fill(false))
    // a frame that is gone, or a request whose origin is not ours
    expect(await session.displayMedia(null)).toBeNull()
    expect(await session.displayMedia(OURS, 'https://evil.example')).toBeNull()
  })

  it('refuses screen capture when the picker fails', async () => {
    const failing = new FakeSession()
    applyPermissionPolicy(failing, { isTrusted: rendererOrigin(undefined).isTrusted, grants, chooseSource: async () => { throw new Error('no display') } })
    grants.grant('call')
    expect(await failing.displayMedia(OURS)).toBeNull()
  })

  it('keeps clipboard writes as they were: our renderer yes, another origin no, no grant needed', async () => {
    expect(await session.request(OURS, 'clipboard-sanitized-write')).toBe(true)
    expect(session.check(OURS, 'clipboard-sanitized-write')).toBe(true)
    expect(await session.request(FOREIGN, 'clipboard-sanitized-write')).toBe(false)
    expect(session.check(FOREIGN, 'clipboard-sanitized-write')).toBe(false)
  })

  it('refuses every other permission, to our renderer too, grant or not', async () => {
    grants.grant('call')
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'midi', 'openExternal', 'hid']) {
      expect(await session.request(OURS, permission), permission).toBe(false)
      expect(session.check(OURS, permission), permission).toBe(false)
    }
  })

  describe('the screen picker', () => {
    let picker: FakeSession
    let asks: Array<{ frame: DisplayFrameLike, signal: AbortSignal, answer: (s: CaptureSource | null) => void }>

    beforeEach(() => {
      picker = new FakeSession()
      asks = []
      applyPermissionPolicy(picker, {
        isTrusted: rendererOrigin(undefined).isTrusted,
        grants,
        chooseSource: async (frame, signal) => await new Promise(resolve => { asks.push({ frame, signal, answer: resolve }) })
      })
    })
    const settle = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

    it('captures what the user chose, and only its id and name', async () => {
      grants.grant('call')
      const pending = picker.displayMedia(OURS)
      await settle()
      expect(asks).toHaveLength(1)
      expect(asks[0].frame).toBe(OURS)
      asks[0].answer({ ...SCREENS[1], thumbnail: 'data:image/png;base64,AAAA' } as CaptureSource)
      expect(await pending).toEqual({ video: SCREENS[1] })
    })

    it('refuses when the user cancels: getDisplayMedia rejects', async () => {
      grants.grant('call')
      const pending = picker.displayMedia(OURS)
      await settle()
      asks[0].answer(null)
      expect(await pending).toBeNull()
    })

    it('opens no picker without a grant', async () => {
      expect(await picker.displayMedia(OURS)).toBeNull()
      expect(asks).toHaveLength(0)
    })

    it('refuses a second request while the picker is open, and asks again once it is answered', async () => {
      grants.grant('call')
      const first = picker.displayMedia(OURS)
      await settle()
      expect(await picker.displayMedia(OURS)).toBeNull()
      expect(asks).toHaveLength(1)
      asks[0].answer(SCREENS[0])
      expect(await first).toEqual({ video: SCREENS[0] })
      const again = picker.displayMedia(OURS)
      await settle()
      expect(asks).toHaveLength(2)
      asks[1].answer(null)
      expect(await again).toBeNull()
    })

    it('aborts the picker when the call ends, and shares nothing even if the user then chooses', async () => {
      const revoke = grants.grant('call')
      const other = grants.grant('second call')
      const pending = picker.displayMedia(OURS)
      await settle()
      other()
      expect(asks[0].signal.aborted).toBe(false)
      revoke()
      expect(asks[0].signal.aborted).toBe(true)
      asks[0].answer(SCREENS[0])
      expect(await pending).toBeNull()
    })
  })
})
