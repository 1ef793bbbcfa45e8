import { ParseError } from 'protons-runtime'
import { describe, expect, it } from 'vitest'
import { isPeerFault, screened } from '../screen.js'

/** a registrar that keeps what was registered, and a service that registers one handler */
function setup (admit: boolean, handler: () => Promise<void>) {
  const handlers = new Map<string, (stream: any, conn: any) => Promise<void>>()
  const registrar = { handle: async (p: string, h: any) => { handlers.set(p, h) }, getProtocols: () => [...handlers.keys()] }
  const violations: string[] = []
  const factory = (components: any): { start: () => Promise<void> } => ({ start: async () => { await components.registrar.handle('/x/1.0.0', handler) } })
  const service = screened(factory, { admit: () => admit, violation: (peer, protocol, reason) => { violations.push(`${peer} ${protocol} ${reason}`) } })({ registrar, other: 1 })
  return { service, handlers, violations, registrar }
}
const conn = { remotePeer: { toString: () => 'peerA' } }

describe('the stream screen', () => {
  it('aborts a refused peer\'s stream before the handler runs', async () => {
    let ran = false
    const { service, handlers } = setup(false, async () => { ran = true })
    await service.start()
    let aborted: Error | undefined
    await handlers.get('/x/1.0.0')?.({ abort: (e: Error) => { aborted = e } }, conn)
    expect(ran).toBe(false)
    expect(aborted?.message).toMatch(/refused/)
  })

  it('counts a decoding failure of the handler against the peer, and not a timeout', async () => {
    const { service, handlers, violations } = setup(true, async () => { throw new ParseError('bad wire type') })
    await service.start()
    await expect(handlers.get('/x/1.0.0')?.({}, conn)).rejects.toThrow(/bad wire type/)
    expect(violations).toEqual(['peerA /x/1.0.0 bad wire type'])
    expect(isPeerFault(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe(false)
    expect(isPeerFault(new RangeError('index out of range: 3 + 1 > 3'))).toBe(true)
  })
})
