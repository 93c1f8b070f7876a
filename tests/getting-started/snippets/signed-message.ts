import { createReplayGuard, isEnvelopeError, open, seal } from '@peerkit/envelope'
import { generateKeyPair, signerFromKeyPair } from '@peerkit/identity'

// a key pair is a peer: its public key, in text form, is its id
const alice = signerFromKeyPair(generateKeyPair())
console.log('alice is', alice.peerId.toString())

// seal: sign a payload for one protocol (the domain), at a time the caller gives
const domain = 'my-app/notes/1'
const bytes = await seal(alice, { domain, payload: { text: 'hello' }, timestamp: Date.now() })

// open: anyone with the bytes checks the form, the domain, the time window and the signature
const rules = { domain, maxSkewMs: 30_000, maxAgeMs: 60_000 }
const replayGuard = createReplayGuard()
const note = open(bytes, { ...rules, now: Date.now(), replayGuard })
console.log('signed by alice:', note.signer.equals(alice.peerId), note.payload)

// a changed byte, or the same bytes a second time, is refused with a typed error
const tampered = bytes.slice()
tampered[tampered.length - 1]! ^= 1
for (const attempt of [tampered, bytes]) {
  try {
    open(attempt, { ...rules, now: Date.now(), replayGuard })
  } catch (error) {
    if (isEnvelopeError(error)) console.log('refused:', error.name)
  }
}
