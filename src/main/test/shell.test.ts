/** The pure parts of the Electron shell: renderer origin, the app:// file server, quit sequencing. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { APP_ENTRY_URL, appPaths, rendererOrigin } from '../app-paths.js'
import { devRendererCsp, RENDERER_CSP } from '../csp.js'
import { shutdownOnce } from '../lifecycle.js'
import { resolveRendererFile, serveRenderer } from '../protocol.js'

describe('rendererOrigin', () => {
  it('trusts only app://wgt in production', () => {
    const o = rendererOrigin(undefined)
    expect(o.entryUrl).toBe(APP_ENTRY_URL)
    expect(o.isTrusted('app://wgt/index.html')).toBe(true)
    expect(o.isTrusted('app://wgt/index.html#/peers')).toBe(true)
    for (const url of ['app://evil/index.html', 'file:///work/main/out/renderer/index.html', 'http://localhost:5173/', 'https://wgt/', 'not a url', '']) {
      expect(o.isTrusted(url), url).toBe(false)
    }
  })

  it('trusts only the dev server origin in development, and only on loopback', () => {
    const o = rendererOrigin('http://localhost:5173/')
    expect(o.entryUrl).toBe('http://localhost:5173/')
    expect(o.isTrusted('http://localhost:5173/src/main.tsx')).toBe(true)
    expect(o.isTrusted('http://localhost:5174/')).toBe(false)
    expect(o.isTrusted('app://wgt/index.html')).toBe(false)
    expect(() => rendererOrigin('http://example.com:5173/')).toThrow(/loopback/)
    expect(() => rendererOrigin('file:///tmp/index.html')).toThrow(/loopback/)
  })

  it('finds the preload and renderer next to out/main', () => {
    const p = appPaths('/app/out/main', '/app')
    expect(p).toEqual({ preload: '/app/out/preload/index.cjs', rendererDir: '/app/out/renderer', icon: '/app/resources/icon.png' })
  })
})

describe('the app:// server', () => {
  let dir: string
  let outside: string

  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'wgt-proto-'))
    dir = join(base, 'renderer')
    outside = join(base, 'secret.txt')
    await mkdir(join(dir, 'assets'), { recursive: true })
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>WGT</title>')
    await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)')
    await writeFile(outside, 'secret')
  })

  afterAll(async () => { if (dir != null) await rm(join(dir, '..'), { recursive: true, force: true }) })

  it('serves files under the renderer folder with the CSP', async () => {
    const res = await serveRenderer(new Request('app://wgt/index.html'), dir)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe(RENDERER_CSP)
    expect(await res.text()).toBe('<!doctype html><title>WGT</title>')
    const js = await serveRenderer(new Request('app://wgt/assets/app.js?v=1'), dir)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await js.text()).toBe('console.log(1)')
    expect((await serveRenderer(new Request('app://wgt/'), dir)).status).toBe(200)
  })

  it('never serves anything outside it', async () => {
    for (const url of ['app://wgt/../secret.txt', 'app://wgt/%2e%2e/secret.txt', 'app://wgt/assets/..%2F..%2Fsecret.txt', 'app://wgt/..%5Csecret.txt', 'app://other/index.html']) {
      const res = await serveRenderer(new Request(url), dir)
      expect(res.status, url).toBe(404)
      expect(await res.text(), url).not.toContain('secret')
    }
    expect(resolveRendererFile(dir, 'app://wgt/%00index.html')).toBeUndefined()
    expect((await serveRenderer(new Request('app://wgt/missing.js'), dir)).status).toBe(404)
    expect((await serveRenderer(new Request('app://wgt/assets'), dir)).status).toBe(404)
    expect((await serveRenderer(new Request('app://wgt/index.html', { method: 'POST', body: 'x' }), dir)).status).toBe(405)
  })
})

describe('CSP', () => {
  it('allows no inline or foreign script in production', () => {
    const directives = new Map(RENDERER_CSP.split('; ').map(d => [d.split(' ')[0], d.split(' ').slice(1)]))
    expect(directives.get('default-src')).toEqual(["'none'"])
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(RENDERER_CSP).not.toContain('unsafe-eval')
  })

  it('lets the dev server do HMR', () => {
    const csp = devRendererCsp('http://localhost:5173')
    expect(csp).toContain("connect-src 'self' ws://localhost:5173")
    expect(csp).not.toContain('unsafe-eval')
  })
})

describe('shutdownOnce', () => {
  it('stops once and exits once, after the stop, however often it is called', async () => {
    const order: string[] = []
    let release!: () => void
    const stopped = new Promise<void>(resolve => { release = resolve })
    const shutdown = shutdownOnce(async () => { order.push('stop'); await stopped; order.push('stopped') }, code => { order.push(`exit ${code}`) })
    const a = shutdown()
    const b = shutdown()
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(order).toEqual(['stop'])
    release()
    await Promise.all([a, b, shutdown()])
    expect(order).toEqual(['stop', 'stopped', 'exit 0'])
  })

  it('still exits, with a failure code, when the stop throws', async () => {
    const codes: number[] = []
    const shutdown = shutdownOnce(async () => { throw new Error('datastore busy') }, code => { codes.push(code) })
    await shutdown()
    await shutdown()
    expect(codes).toEqual([1])
  })

  it('exits with a failure code at the deadline when the stop hangs, and only once', async () => {
    const codes: number[] = []
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    let release!: () => void
    const hung = new Promise<void>(resolve => { release = resolve })
    const shutdown = shutdownOnce(async () => { await hung }, code => { codes.push(code) }, 50)
    await shutdown()
    expect(codes).toEqual([1])
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/did not stop within/)
    // the stop that finishes late exits nothing more
    release()
    await hung
    await shutdown()
    expect(codes).toEqual([1])
    errors.mockRestore()
  })
})
