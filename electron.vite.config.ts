import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

// electron-vite conventions: src/main, src/preload, src/renderer; output in out/.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // package.json dependencies (libp2p & co.) stay external and load from node_modules (the default, kept explicit)
      externalizeDeps: true,
      // task-thread: the compute sandbox's worker-thread entry, beside index.js where sandbox/runner.ts looks for it
      rollupOptions: {
        input: { index: resolve('src/main/index.ts'), 'task-thread': resolve('src/main/node/compute/sandbox/task-thread.ts') }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require() only 'electron' (and a few polyfilled modules),
      // so it is one self-contained CommonJS file: its dependencies (zod, via src/shared) are bundled.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve('src/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } }
    }
  },
  renderer: {
    root: 'src/renderer',
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves the renderer unminified; `wgt daemon` also serves it to browsers over HTTP
      minify: true,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } }
    },
    plugins: [react()]
  }
})
