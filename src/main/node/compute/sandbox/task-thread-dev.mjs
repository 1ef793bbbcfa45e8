// The task thread's entry when the code runs from TypeScript source (vitest):
// Node cannot load our .ts files as written (imports name './x.js', type-only
// imports are not marked), so this registers a resolve hook (x.js → x.ts
// when only the .ts exists) and a load hook compiling TypeScript with oxc
// (rolldown/utils, a dev dependency through vite), then loads the real entry.
// tsc output and the electron-vite bundle use task-thread.js directly.
import { existsSync, readFileSync } from 'node:fs'
import { registerHooks } from 'node:module'
import { fileURLToPath } from 'node:url'
import { transformSync } from 'rolldown/utils'

registerHooks({
  resolve (specifier, context, next) {
    if (specifier.endsWith('.js') && specifier.startsWith('.') && context.parentURL?.endsWith('.ts') === true) {
      const ts = new URL(specifier.slice(0, -3) + '.ts', context.parentURL)
      if (!existsSync(new URL(specifier, context.parentURL)) && existsSync(ts)) return next(ts.href, context)
    }
    return next(specifier, context)
  },
  load (url, context, next) {
    if (url.startsWith('file:') && url.endsWith('.ts')) {
      const path = fileURLToPath(url)
      const { code, errors } = transformSync(path, readFileSync(path, 'utf8'), { sourcemap: false })
      if (errors.length > 0) throw new Error(`${path}: ${errors.map(e => e.message).join('; ')}`)
      return { format: 'module', source: code, shortCircuit: true }
    }
    return next(url, context)
  }
})

await import('./task-thread.ts')
