/**
 * Key rotation with pre-rotation: each statement commits to the digest of the next key, a
 * rotation is valid only when it reveals that key (signed by the key it retires and the key
 * it reveals), and the thief of any one retired key cannot write a branch that resolves.
 */
import { encode } from '@peerkit/codec'
import { describe, expect, it } from 'vitest'
import { ROTATION_DOMAIN } from '../src/constants'
import {
  decodeRotationStatement,
  inceptKey,
  isIdentityError,
  keyPairFromSeed,
  nextKeyDigest,
  type RotationStatement,
  resolveRotation,
  rotateKey,
  type Signer,
  signerFromKeyPair,
} from '../src/index'

const signers = Array.from({ length: 8 }, (_, i) =>
  signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(i + 1))),
)
const [s0, s1, s2, s3, s4, , , thief] = signers as unknown as Signer[] as [
  Signer,
  Signer,
  Signer,
  Signer,
  Signer,
  Signer,
  Signer,
  Signer,
]

/** The chain of an identity whose keys are `keys`, in order, each committing to the next. */
async function chainOf(...keys: Signer[]): Promise<RotationStatement[]> {
  const out: RotationStatement[] = [await inceptKey(keys[0]!, keys[1]!.publicKey)]
  for (let i = 1; i < keys.length - 1; i++) {
    out.push(
      await rotateKey(keys[i - 1]!, keys[i]!, { after: out[i - 1]!, next: keys[i + 1]!.publicKey }),
    )
  }
  return out
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ name?: string; sequence?: number; reason?: string; argument?: string }> {
  try {
    await promise
  } catch (error) {
    expect(isIdentityError(error)).toBe(true)
    return error as { name: string }
  }
  throw new Error('expected a failure')
}

/** Signs an arbitrary body with the given signers (to build well-signed bad chains). */
async function statementFrom(body: Record<string, unknown>, ...by: Signer[]): Promise<Uint8Array> {
  const bytes = encode(body as never)
  return encode({ body: bytes, signatures: await Promise.all(by.map((s) => s.sign(bytes))) })
}

describe('key rotation with pre-rotation', () => {
  it('resolves a chain to the current key, keeping the root as the identity', async () => {
    // keys s0 → s1 → s2 → s3; s4 is committed, not yet revealed
    const chain = await chainOf(s0, s1, s2, s3, s4)
    const resolved = await resolveRotation(
      chain.map((s) => s.bytes),
      { root: s0.peerId, inception: chain[0]!.id },
    )
    expect(resolved.root.equals(s0.peerId)).toBe(true)
    expect(resolved.current.equals(s3.peerId)).toBe(true)
    expect(resolved.keys.map((k) => k.toString())).toEqual(
      [s0, s1, s2, s3].map((s) => s.peerId.toString()),
    )
    expect(resolved.next).toEqual(nextKeyDigest(s4.peerId))
    expect(resolved.inception).toEqual(chain[0]!.id)
    expect(resolved.statements.map((s) => s.sequence)).toEqual([0, 1, 2, 3])
  })

  it('the next key stays unrevealed: a statement holds only its digest', async () => {
    const [inception] = await chainOf(s0, s1)
    const body = inception!.body
    const text = Buffer.from(body).toString('hex')
    expect(text.includes(Buffer.from(s1.publicKey).toString('hex'))).toBe(false)
    expect(inception!.next).toEqual(nextKeyDigest(s1.publicKey))
  })

  it('a thief of the retired root key cannot forge a branch', async () => {
    const chain = await chainOf(s0, s1, s2, s3)
    const pinned = chain[0]!.id
    // the attack that worked without pre-rotation: a new step from the root key to the thief's
    const forgedInception = await inceptKey(s0, thief.publicKey)
    const forgedStep = await rotateKey(s0, thief, {
      after: forgedInception,
      next: s4.publicKey,
    })
    const forged = [forgedInception.bytes, forgedStep.bytes]
    expect(
      (await failure(resolveRotation(forged, { root: s0.peerId, inception: pinned }))).name,
    ).toBe('RotationForkError')
    // the honest inception committed to s1: a step revealing the thief's key breaks it
    const branch = await statementFrom(
      {
        domain: ROTATION_DOMAIN,
        root: s0.publicKey,
        sequence: 1,
        previous: s0.publicKey,
        key: thief.publicKey,
        next: nextKeyDigest(s4.publicKey),
        prior: chain[0]!.id,
      },
      s0,
      thief,
    )
    const error = await failure(
      resolveRotation([chain[0]!.bytes, branch], { root: s0.peerId, inception: pinned }),
    )
    expect(error.name).toBe('RotationCommitmentError')
    expect(error.sequence).toBe(1)
    // and rotateKey refuses to write it
    expect(
      (await failure(rotateKey(s0, thief, { after: chain[0]!, next: s4.publicKey }))).name,
    ).toBe('RotationCommitmentError')
  })

  it('a thief of any one retired key cannot forge a branch at any step', async () => {
    const keys = [s0, s1, s2, s3]
    const chain = await chainOf(s0, s1, s2, s3, s4)
    const pinned = chain[0]!.id
    for (let stolen = 1; stolen < keys.length; stolen++) {
      const key = keys[stolen]!
      // re-issue the step that revealed the stolen key, committing to the thief's key instead
      const reissue = await statementFrom(
        {
          domain: ROTATION_DOMAIN,
          root: s0.publicKey,
          sequence: stolen,
          previous: keys[stolen - 1]!.publicKey,
          key: key.publicKey,
          next: nextKeyDigest(thief.publicKey),
          prior: chain[stolen - 1]!.id,
        },
        thief, // the thief lacks the retiring key: signs with its own in its place
        key,
      )
      const error = await failure(
        resolveRotation([...chain.slice(0, stolen).map((s) => s.bytes), reissue], {
          root: s0.peerId,
          inception: pinned,
        }),
      )
      expect(error.name).toBe('RotationSignatureError')
      // or take the step after it, revealing the thief's key instead of the committed one
      const next = await statementFrom(
        {
          domain: ROTATION_DOMAIN,
          root: s0.publicKey,
          sequence: stolen + 1,
          previous: key.publicKey,
          key: thief.publicKey,
          next: nextKeyDigest(s4.publicKey),
          prior: chain[stolen]!.id,
        },
        key,
        thief,
      )
      const error2 = await failure(
        resolveRotation([...chain.slice(0, stolen + 1).map((s) => s.bytes), next], {
          root: s0.peerId,
          inception: pinned,
        }),
      )
      expect(error2.name).toBe('RotationCommitmentError')
    }
  })

  it('a rotation must name the previous statement, and the inception the root key', async () => {
    const chain = await chainOf(s0, s1, s2)
    const wrongPrior = await statementFrom(
      {
        domain: ROTATION_DOMAIN,
        root: s0.publicKey,
        sequence: 1,
        previous: s0.publicKey,
        key: s1.publicKey,
        next: nextKeyDigest(s2.publicKey),
        prior: new Uint8Array(32),
      },
      s0,
      s1,
    )
    expect((await failure(resolveRotation([chain[0]!.bytes, wrongPrior]))).name).toBe(
      'RotationCommitmentError',
    )
    const badInception = await statementFrom(
      {
        domain: ROTATION_DOMAIN,
        root: s0.publicKey,
        sequence: 0,
        key: s1.publicKey,
        next: nextKeyDigest(s2.publicKey),
      },
      s1,
    )
    expect((await failure(resolveRotation([badInception]))).name).toBe('InvalidRotationError')
  })

  it('accepts statements in any order and repeated', async () => {
    const chain = await chainOf(s0, s1, s2, s3)
    const shuffled = [chain[2]!, chain[0]!, chain[1]!, chain[0]!].map((s) => s.bytes)
    expect((await resolveRotation(shuffled)).current.equals(s2.peerId)).toBe(true)
  })

  it('an empty chain resolves to the root itself, unless an inception is pinned', async () => {
    const resolved = await resolveRotation([], { root: s0.peerId })
    expect(resolved.current.equals(s0.peerId)).toBe(true)
    expect(resolved.next).toBeUndefined()
    expect((await failure(resolveRotation([]))).name).toBe('InvalidArgumentError')
    const [inception] = await chainOf(s0, s1)
    expect(
      (await failure(resolveRotation([], { root: s0.peerId, inception: inception!.id }))).name,
    ).toBe('RotationGapError')
  })

  it('a chain without its inception is a gap', async () => {
    const chain = await chainOf(s0, s1, s2)
    const error = await failure(resolveRotation([chain[1]!.bytes]))
    expect(error.name).toBe('RotationGapError')
    expect(error.sequence).toBe(0)
  })

  it('round-trips statement bytes', async () => {
    const chain = await chainOf(s0, s1, s2)
    for (const statement of chain) {
      const again = decodeRotationStatement(statement.bytes)
      expect(again.bytes).toEqual(statement.bytes)
      expect(again.id).toEqual(statement.id)
      expect(again.key.equals(statement.key)).toBe(true)
    }
  })

  it('rejects a fork: two different statements for the same step', async () => {
    // the owner holds both s1 and s2 secrets: two rotations at step 1 are possible only with
    // the committed key, and showing both is a fork
    const chain = await chainOf(s0, s1, s2)
    const other = await rotateKey(s0, s1, { after: chain[0]!, next: s3.publicKey })
    const error = await failure(resolveRotation([chain[0]!.bytes, chain[1]!.bytes, other.bytes]))
    expect(error.name).toBe('RotationForkError')
    expect(error.sequence).toBe(1)
  })

  it('rejects a cycle back to an earlier key', async () => {
    // s0 → s1 → s0: commitments allow it only if a key commits to an earlier one
    const inception = await inceptKey(s0, s1.publicKey)
    const step1 = await rotateKey(s0, s1, { after: inception, next: s0.publicKey })
    const step2 = await statementFrom(
      {
        domain: ROTATION_DOMAIN,
        root: s0.publicKey,
        sequence: 2,
        previous: s1.publicKey,
        key: s0.publicKey,
        next: nextKeyDigest(s2.publicKey),
        prior: step1.id,
      },
      s1,
      s0,
    )
    const error = await failure(resolveRotation([inception.bytes, step1.bytes, step2]))
    expect(error.name).toBe('RotationCycleError')
  })

  it('rejects gaps: a missing step, or a step not starting where the last one ended', async () => {
    const chain = await chainOf(s0, s1, s2, s3)
    expect((await failure(resolveRotation([chain[0]!.bytes, chain[2]!.bytes]))).name).toBe(
      'RotationGapError',
    )
    const offPath = await statementFrom(
      {
        domain: ROTATION_DOMAIN,
        root: s0.publicKey,
        sequence: 1,
        previous: s3.publicKey,
        key: s1.publicKey,
        next: nextKeyDigest(s2.publicKey),
        prior: chain[0]!.id,
      },
      s3,
      s1,
    )
    expect((await failure(resolveRotation([chain[0]!.bytes, offPath]))).name).toBe(
      'RotationGapError',
    )
  })

  it('rejects statements signed by the wrong keys', async () => {
    const chain = await chainOf(s0, s1, s2)
    const decoded = decodeRotationStatement(chain[1]!.bytes)
    const swapped = encode({
      body: decoded.body,
      signatures: [decoded.signatures[1]!, decoded.signatures[0]!],
    })
    expect((await failure(resolveRotation([chain[0]!.bytes, swapped]))).name).toBe(
      'RotationSignatureError',
    )
    const inceptionByOther = encode({
      body: chain[0]!.body,
      signatures: [await s1.sign(chain[0]!.body)],
    })
    expect((await failure(resolveRotation([inceptionByOther]))).name).toBe('RotationSignatureError')
  })

  it('rejects statements of another identity', async () => {
    const mine = await chainOf(s0, s1, s2)
    const theirs = await chainOf(s3, s4, s2)
    expect((await failure(resolveRotation([mine[0]!.bytes, theirs[1]!.bytes]))).name).toBe(
      'RotationRootError',
    )
    expect(
      (
        await failure(
          resolveRotation(
            mine.map((s) => s.bytes),
            { root: s3.peerId },
          ),
        )
      ).name,
    ).toBe('RotationRootError')
  })

  it('rejects malformed statements with typed errors', async () => {
    const chain = await chainOf(s0, s1, s2)
    const good = decodeRotationStatement(chain[1]!.bytes)
    const bad: unknown[] = [
      new Uint8Array(),
      new Uint8Array(600),
      encode([1, 2]),
      encode({ body: good.body, signatures: [good.signatures[0]!] }),
      encode({ body: good.body, signatures: [good.signatures[0]!, new Uint8Array(63)] }),
      encode({ body: good.body, signatures: good.signatures as Uint8Array[], extra: 1 }),
      encode({ body: encode({ sequence: 'x' }), signatures: [] }),
      await statementFrom(
        {
          domain: 'other/1',
          root: s0.publicKey,
          sequence: 0,
          key: s0.publicKey,
          next: new Uint8Array(32),
        },
        s0,
      ),
      await statementFrom(
        {
          domain: ROTATION_DOMAIN,
          root: s0.publicKey,
          sequence: 0,
          key: s0.publicKey,
          next: new Uint8Array(31),
        },
        s0,
      ),
    ]
    for (const bytes of bad) {
      const error = await failure(resolveRotation([bytes as Uint8Array]))
      expect(['InvalidRotationError', 'InvalidArgumentError']).toContain(error.name)
    }
  })

  it('checks every argument at the edge with a typed error', async () => {
    const chain = await chainOf(s0, s1, s2)
    const cases: [Promise<unknown>, string][] = [
      [resolveRotation([null] as never), 'chain[0]'],
      [resolveRotation([{}] as never), 'chain[0]'],
      [resolveRotation([1] as never), 'chain[0]'],
      [resolveRotation('x' as never), 'chain'],
      [resolveRotation(null as never), 'chain'],
      [resolveRotation([], null as never), 'options'],
      [resolveRotation([], { root: 'x' as never }), 'options.root'],
      [resolveRotation([], { root: s0.peerId, inception: new Uint8Array(3) }), 'options.inception'],
      [inceptKey(null as never, s1.publicKey), 'rootSigner'],
      [inceptKey(s0, null as never), 'next'],
      [inceptKey(s0, new Uint8Array(31)), 'next'],
      [rotateKey(s0, s1, null as never), 'options'],
      [rotateKey(s0, s1, { after: null as never, next: s2.publicKey }), 'options.after'],
      [rotateKey(s0, s1, { after: chain[0]!, next: 7 as never }), 'options.next'],
      [rotateKey({} as never, s1, { after: chain[0]!, next: s2.publicKey }), 'oldSigner'],
      [rotateKey(s0, undefined as never, { after: chain[0]!, next: s2.publicKey }), 'newSigner'],
      [rotateKey(s1, s2, { after: chain[0]!, next: s3.publicKey }), 'options.after'],
    ]
    for (const [promise, argument] of cases) {
      const error = await failure(promise)
      expect(error.name).toBe('InvalidArgumentError')
      expect(error.argument).toBe(argument)
    }
    expect(() => decodeRotationStatement(null as never)).toThrowError(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect(() => nextKeyDigest(null as never)).toThrowError(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    )
    expect((await failure(inceptKey(s0, s0.publicKey))).name).toBe('InvalidRotationError')
  })
})
