import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { createStore } from 'zustand/vanilla'
import type { WgtApi } from '../../shared/api/index.js'
import { AppContext, ALWAYS_READY } from '../src/app/context.js'
import { createWgtStore, type WgtState } from '../src/app/slices.js'
import { PeerName, PeerNameView } from '../src/guard/PeerName.js'
import { peer } from './fixtures.js'

const ID = '12D3KooWGzh6Vt6gn7c7bF8m7pCq3rXb4xvLb1kT5c2NwQe9RkYZ'

function render (state: Partial<WgtState>, el: React.JSX.Element): string {
  const store = createStore<WgtState>()(() => ({ ...createWgtStore().getState(), ...state }))
  return renderToStaticMarkup(
    <AppContext.Provider value={{ api: {} as WgtApi, store, connection: ALWAYS_READY, host: { kind: 'browser' } as never }}>{el}</AppContext.Provider>
  )
}

describe('PeerName', () => {
  it('shows the nickname, then the short PeerId, with the full one on hover', () => {
    const html = renderToStaticMarkup(<PeerNameView peerId={ID} nickname='Alice' trust='contact' />)
    expect(html).toContain(`title="${ID}"`)
    expect(html).toContain('<span class="peer-nick" title="Alice">Alice</span><span class="mono muted">12D3KooW…e9RkYZ</span>')
    expect(html).toContain('data-trust="contact"')
    expect(html).toContain('>contact</span>')
  })

  it('shows a trust pill for peers that are more than strangers, unless told otherwise', () => {
    expect(renderToStaticMarkup(<PeerNameView peerId={ID} nickname={null} trust='stranger' />)).not.toContain('pill')
    expect(renderToStaticMarkup(<PeerNameView peerId={ID} nickname={null} trust='stranger' pill='always' />)).toContain('>stranger</span>')
    expect(renderToStaticMarkup(<PeerNameView peerId={ID} nickname={null} trust='blocked' pill='never' />)).not.toContain('pill')
    expect(renderToStaticMarkup(<PeerNameView peerId={ID} nickname={null} trust='blocked' />)).toContain('pill-bad')
  })

  it('reads the nickname and trust from the book once loaded, from the peer directory before', () => {
    const directory = { peers: { [ID]: peer(ID, { trust: 'contact', nickname: 'From directory' }) } }
    expect(render(directory, <PeerName peerId={ID} />)).toContain('From directory')
    const book = { [ID]: { peerId: ID, trust: 'request-sent' as const, nickname: 'Bob', addresses: [], since: 1, updatedAt: 1, undelivered: true } }
    const html = render({ ...directory, contacts: book, contactsLoaded: true }, <PeerName peerId={ID} />)
    expect(html).toContain('>Bob<')
    expect(html).toContain('data-trust="request-sent"')
    const gone = render({ ...directory, contacts: {}, contactsLoaded: true }, <PeerName peerId={ID} />)
    expect(gone).toContain('data-trust="stranger"')
    expect(gone).not.toContain('From directory')
  })
})
