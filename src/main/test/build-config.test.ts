/**
 * The macOS packaging settings calls depend on: without the usage strings
 * macOS ends an app that asks for the camera or microphone, and under the
 * hardened runtime it refuses both without the device entitlements.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..', '..')
const config = JSON.parse(readFileSync(join(ROOT, 'electron-builder.json'), 'utf8')) as {
  mac: { hardenedRuntime: boolean, entitlements: string, entitlementsInherit: string, extendInfo: Record<string, string> }
}

/** the keys set to <true/> in a plist dict */
function trueKeys (plist: string): string[] {
  return [...plist.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map(m => m[1])
}

describe('macOS build config', () => {
  it('explains to people why the app wants the camera and the microphone', () => {
    for (const key of ['NSCameraUsageDescription', 'NSMicrophoneUsageDescription']) {
      const text = config.mac.extendInfo[key]
      expect(text, key).toMatch(/^WGT .*call.*\.$/)
      expect(text.length, key).toBeLessThan(200)
    }
    // notification buttons (Accept, Decline) show only with the alert style
    expect(config.mac.extendInfo.NSUserNotificationAlertStyle).toBe('alert')
  })

  it('signs with the hardened runtime and the camera and microphone entitlements', () => {
    expect(config.mac.hardenedRuntime).toBe(true)
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const keys = trueKeys(readFileSync(join(ROOT, file), 'utf8'))
      expect(keys).toEqual(expect.arrayContaining(['com.apple.security.device.camera', 'com.apple.security.device.audio-input', 'com.apple.security.cs.allow-jit']))
    }
  })
})
