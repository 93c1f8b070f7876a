import { decode, encode } from '@peerkit/codec'
import { describe, expect, it } from 'vitest'
import {
  decodeRotationStatement,
  isIdentityError,
  keyPairFromSeed,
  type RotationStatement,
  resolveRotation,
  rotateKey,
  type Signer,
  signerFromKeyPair,
} from '../src/index'

const signers = Array.from({ length: 5 }, (_, i) =>
  signerFromKeyPair(keyPairFromSeed(new Uint8Array(32).fill(i + 1))),
)
const [s0, s1, s2, s3, s4] = signers as unknown as [Signer, Signer, Signer, Signer, Signer]

async function chainOf(...steps: Signer[]): Promise<RotationStatement[]> {
  const out: RotationStatement[] = []
  for (let i = 1; i < steps.length; i++) {
    out.push(await rotateKey(steps[i - 1]!, steps[i]!, i > 1 ? { after: out[i - 2]! } : {}))
  }
  return out
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ name?: string; sequence?: number; reason?: string }> {
  try {
    await promise
  } catch (error) {
    expect(isIdentityError(error)).toBe(true)
    return error as { name: string }
  }
  throw new Error('expected a failure')
}

/** Re-signs an arbitrary body with the given signers (to build well-signed bad chains). */
async function statementFrom(
  body: Record<string, unknown>,
  previous: Signer,
  next: Signer,
): Promise<Uint8Array> {
  const bytes = encode(body as never)
  return encode({
    body: bytes,
    previousSignature: await previous.sign(bytes),
    nextSignature: await next.sign(bytes),
  })
}

describe('key rotation', () => {
  it('resolves a chain to the current key, keeping the root as the identity', async () => {
    const chain = await chainOf(s0, s1, s2, s3)
    const resolved = await resolveRotation(
      chain.map((s) => s.bytes),
      { root: s0.peerId },
    )
    expect(resolved.root.equals(s0.peerId)).toBe(true)
    expect(resolved.current.equals(s3.peerId)).toBe(true)
    expect(resolved.keys.map((k) => k.toString())).toEqual(
      [s0, s1, s2, s3].map((s) => s.peerId.toString()),
    )
    expect(resolved.statements.map((s) => s.sequence)).toEqual([0, 1, 2])
    expect(chain[2]!.root.equals(s0.peerId)).toBe(true)
  })

  it('accepts statements in any order and repeated', async () => {
    const chain = await chainOf(s0, s1, s2, s3)
    const shuffled = [chain[2]!, chain[0]!, chain[1]!, chain[0]!]
    expect((await resolveRotation(shuffled)).current.equals(s3.peerId)).toBe(true)
  })

  it('an empty chain resolves to the root itself', async () => {
    const resolved = await resolveRotation([], { root: s0.peerId })
    expect(resolved.current.equals(s0.peerId)).toBe(true)
    expect((await failure(resolveRotation([]))).name).toBe('InvalidArgumentError')
  })

  it('round-trips statement bytes', async () => {
    const [statement] = await chainOf(s0, s1)
    const decoded = decodeRotationStatement(statement!.bytes)
    expect(decoded.previous.equals(s0.peerId)).toBe(true)
    expect(decoded.next.equals(s1.peerId)).toBe(true)
    expect(decoded.sequence).toBe(0)
    expect(decode(decoded.body)).toMatchObject({ domain: 'peerkit/identity/rotation/1' })
  })

  it('rejects a fork: two different statements for the same step', async () => {
    const chain = await chainOf(s0, s1, s2)
    const other = await rotateKey(s1, s3, { after: chain[0]! })
    expect(await failure(resolveRotation([...chain, other]))).toMatchObject({
      name: 'RotationForkError',
      sequence: 1,
    })
    const rootFork = await rotateKey(s0, s4)
    expect(await failure(resolveRotation([chain[0]!, rootFork]))).toMatchObject({
      name: 'RotationForkError',
      sequence: 0,
    })
  })

  it('rejects a cycle back to an earlier key', async () => {
    const chain = await chainOf(s0, s1, s2)
    const back = await rotateKey(s2, s0, { after: chain[1]! })
    expect(await failure(resolveRotation([...chain, back]))).toMatchObject({
      name: 'RotationCycleError',
      sequence: 2,
    })
    const toSelf = await failure(rotateKey(s1, s1))
    expect(toSelf).toMatchObject({ name: 'InvalidRotationError', reason: 'same-key' })
  })

  it('rejects gaps: a missing step, or a step not starting where the last one ended', async () => {
    const chain = await chainOf(s0, s1, s2, s3)
    expect(await failure(resolveRotation([chain[0]!, chain[2]!]))).toMatchObject({
      name: 'RotationGapError',
      sequence: 1,
    })
    expect(
      await failure(resolveRotation([chain[1]!, chain[2]!], { root: s0.peerId })),
    ).toMatchObject({
      name: 'RotationGapError',
      sequence: 0,
    })
    // step 1 claims to start from s3, which step 0 never introduced (signed by s3 and s4)
    const detached = await statementFrom(
      {
        domain: 'peerkit/identity/rotation/1',
        root: s0.publicKey,
        sequence: 1,
        previous: s3.publicKey,
        next: s4.publicKey,
      },
      s3,
      s4,
    )
    expect(await failure(resolveRotation([chain[0]!, detached]))).toMatchObject({
      name: 'RotationGapError',
      sequence: 1,
    })
  })

  it('rejects statements signed by the wrong keys', async () => {
    const body = {
      domain: 'peerkit/identity/rotation/1',
      root: s0.publicKey,
      sequence: 0,
      previous: s0.publicKey,
      next: s1.publicKey,
    }
    // a thief of a new key alone: signs as "previous" with the wrong key
    const byStranger = await statementFrom(body, s4, s1)
    expect(await failure(resolveRotation([byStranger]))).toMatchObject({
      name: 'RotationSignatureError',
      sequence: 0,
    })
    // a thief of the old key alone, pointing at a key it does not hold
    const oldOnly = await statementFrom(body, s0, s3)
    expect(await failure(resolveRotation([oldOnly]))).toMatchObject({
      name: 'RotationSignatureError',
    })
    // a changed body under valid signatures
    const [good] = await chainOf(s0, s1)
    const outer = decode(good!.bytes) as {
      body: Uint8Array
      previousSignature: Uint8Array
      nextSignature: Uint8Array
    }
    const tamperedBody = encode({ ...body, sequence: 0, next: s2.publicKey })
    const swapped = encode({ ...outer, body: tamperedBody })
    expect(await failure(resolveRotation([swapped]))).toMatchObject({
      name: 'RotationSignatureError',
    })
  })

  it('rejects statements of another identity', async () => {
    const chain = await chainOf(s0, s1)
    const foreign = await chainOf(s3, s4)
    expect((await failure(resolveRotation([...chain, ...foreign]))).name).toBe('RotationRootError')
    expect((await failure(resolveRotation(chain, { root: s2.peerId }))).name).toBe(
      'RotationRootError',
    )
  })

  it('rejects malformed statements with typed errors', async () => {
    const [good] = await chainOf(s0, s1)
    const outer = decode(good!.bytes) as Record<string, unknown>
    const inner = decode(outer.body as Uint8Array) as Record<string, unknown>
    const cases: [Uint8Array, string][] = [
      [good!.bytes.subarray(0, 50), 'InvalidRotationError'],
      [encode({ ...outer, extra: 1 } as never), 'InvalidRotationError'],
      [
        encode({ ...outer, previousSignature: new Uint8Array(63) } as never),
        'InvalidRotationError',
      ],
      [
        encode({
          ...outer,
          body: encode({ ...inner, domain: 'peerkit/envelope/1' } as never),
        } as never),
        'InvalidRotationError',
      ],
      [
        encode({ ...outer, body: encode({ ...inner, sequence: -1 } as never) } as never),
        'InvalidRotationError',
      ],
      [
        encode({ ...outer, body: encode({ ...inner, sequence: 'one' } as never) } as never),
        'InvalidRotationError',
      ],
      [
        encode({ ...outer, body: encode({ ...inner, sequence: 1000 } as never) } as never),
        'InvalidRotationError',
      ],
      [
        encode({
          ...outer,
          body: encode({ ...inner, next: new Uint8Array(32) } as never),
        } as never),
        'InvalidPublicKeyError',
      ],
      [new Uint8Array(600), 'InvalidRotationError'],
    ]
    for (const [bytes, name] of cases) {
      expect(() => decodeRotationStatement(bytes)).toThrow(expect.objectContaining({ name }))
      expect((await failure(resolveRotation([bytes], { root: s0.peerId }))).name).toBe(name)
    }
    const tooMany = Array.from({ length: 257 }, () => good!.bytes)
    expect(await failure(resolveRotation(tooMany))).toMatchObject({
      name: 'InvalidRotationError',
      reason: 'too-many',
    })
  })

  it('rotateKey checks that `after` ends at the old signer', async () => {
    const chain = await chainOf(s0, s1)
    expect((await failure(rotateKey(s2, s3, { after: chain[0]! }))).name).toBe(
      'InvalidArgumentError',
    )
    const next = await rotateKey(s1, s2, { after: chain[0]!.bytes })
    expect(next.sequence).toBe(1)
    expect((await failure(rotateKey({} as never, s1))).name).toBe('InvalidArgumentError')
  })
})
