/** The connectivity check that proves a local source is the call's renderer (stun.ts). */
import { describe, expect, it } from 'vitest'
import { iceCredentialsOf, isCheckFor } from '../stun.js'
import { bindingRequest } from './helpers.js'

/** RFC 5769 §2.1: a sample Binding Request, USERNAME "evtj:h6vY", password "VOkJxbRl1RmTxUk/WvJxBt". */
const RFC5769_REQUEST = Buffer.from(
  '000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74' +
  '002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020' +
  '000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf', 'hex')

describe('ICE connectivity checks', () => {
  it('accepts RFC 5769\'s sample request with its credentials, and nothing else', () => {
    expect(isCheckFor(RFC5769_REQUEST, { ufrag: 'evtj', pwd: 'VOkJxbRl1RmTxUk/WvJxBt' })).toBe(true)
    expect(isCheckFor(RFC5769_REQUEST, { ufrag: 'evtj', pwd: 'VOkJxbRl1RmTxUk/WvJxBT' })).toBe(false)
    expect(isCheckFor(RFC5769_REQUEST, { ufrag: 'h6vY', pwd: 'VOkJxbRl1RmTxUk/WvJxBt' })).toBe(false)
    const tampered = Buffer.from(RFC5769_REQUEST)
    tampered[30] ^= 1
    expect(isCheckFor(tampered, { ufrag: 'evtj', pwd: 'VOkJxbRl1RmTxUk/WvJxBt' })).toBe(false)
  })

  it('checks what Chromium sends, and refuses truncated, mislabelled or unsigned messages', () => {
    const ice = { ufrag: 'AbCd', pwd: '0123456789abcdefghijklmn' }
    const good = bindingRequest('AbCd:WxYz', ice.pwd)
    expect(isCheckFor(good, ice)).toBe(true)
    expect(isCheckFor(bindingRequest('AbCdX:WxYz', ice.pwd), ice)).toBe(false)
    expect(isCheckFor(good.subarray(0, good.length - 4), ice)).toBe(false)
    expect(isCheckFor(good.subarray(0, 19), ice)).toBe(false)
    const response = Buffer.from(good)
    response.writeUInt16BE(0x0101, 0)
    expect(isCheckFor(response, ice)).toBe(false)
    // the attributes without MESSAGE-INTEGRITY
    const unsigned = Buffer.from(good.subarray(0, good.length - 24))
    unsigned.writeUInt16BE(unsigned.length - 20, 2)
    expect(isCheckFor(unsigned, ice)).toBe(false)
    // an attribute whose length runs past the end
    const overrun = Buffer.from(good)
    overrun.writeUInt16BE(0xfff0, 22)
    expect(isCheckFor(overrun, ice)).toBe(false)
    expect(isCheckFor(Buffer.from('not stun at all, just bytes'), ice)).toBe(false)
  })

  it('reads the first ufrag and password of an SDP', () => {
    expect(iceCredentialsOf('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:Ab+/\r\na=ice-pwd:p4ssw0rd+p4ssw0rd+p4ss\r\na=ice-ufrag:other\r\n'))
      .toEqual({ ufrag: 'Ab+/', pwd: 'p4ssw0rd+p4ssw0rd+p4ss' })
    expect(iceCredentialsOf('v=0\r\na=ice-ufrag:Ab\r\n')).toBeNull()
  })
})
