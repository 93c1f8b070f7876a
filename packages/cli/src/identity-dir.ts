/**
 * An identity on disk, with pre-rotation: a directory holding the rotation chain (`chain`, a
 * CBOR array of statement bytes) and one encrypted key file per key still needed, named by the
 * chain step that reveals it: `key-<n>` is the current key when the chain ends at step n, and
 * `key-<n+1>` the key it committed to next. The identity others pin is the root `PeerId` and
 * the inception id.
 *
 * A rotation writes the new next key first, then the new chain (atomically), then removes the
 * retired key; a crash between any two of these leaves a directory that loads as the old or the
 * new identity, never a mix: the chain decides which keys are current.
 */
import { mkdir, readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { decode, encode, equalBytes, toHex } from '@peerkit/codec'
import {
  generateKeyPair,
  inceptKey,
  type KeyPairSigner,
  nextKeyDigest,
  type PeerId,
  type ResolvedRotation,
  type RotationStatement,
  resolveRotation,
  rotateKey,
  signerFromKeyPair,
} from '@peerkit/identity'
import { loadKeyFile, saveKeyFile, writeFileAtomic } from '@peerkit/identity/node'
import { MAX_CHAIN_FILE_BYTES } from './constants'
import { IdentityDirError } from './errors'
import { readFileBounded } from './files'

/** Options for creating or rotating an identity. */
export interface KeyWriteOptions {
  /** scrypt cost of the key files as log2(N) (default: the identity package's). */
  readonly scryptCost?: number | undefined
}

/** What the chain of an identity directory says, without any secret key. */
export interface IdentityChain {
  /** The chain's statements, inception first. */
  readonly statements: readonly Uint8Array[]
  /** The verified chain: root, current key and sequence. */
  readonly resolved: ResolvedRotation
  /** The inception's id (others pin it with the root). */
  readonly inceptionId: Uint8Array
}

/** An identity loaded with its current secret key. */
export interface LoadedIdentity extends IdentityChain {
  /** Signs as the current key. */
  readonly signer: KeyPairSigner
}

const CHAIN_FILE = 'chain'
const keyFile = (dir: string, step: number): string => join(dir, `key-${step}`)

/**
 * Creates an identity: a root key, the key committed to next, and the inception.
 * @param dir - a directory that does not exist yet, or is empty
 * @param password - the key files' password
 * @param options - scrypt cost
 * @returns the new identity
 * @throws IdentityDirError `exists` when the directory already holds an identity
 * @example
 * const identity = await createIdentity('.peerkit', password)
 */
export async function createIdentity(
  dir: string,
  password: string,
  options?: KeyWriteOptions,
): Promise<LoadedIdentity> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  if ((await readdir(dir)).length > 0)
    throw new IdentityDirError('exists', `${dir} is not empty: it may hold an identity already`)
  const root = generateKeyPair()
  const next = generateKeyPair()
  const signer = signerFromKeyPair(root)
  const inception = await inceptKey(signer, next.publicKey)
  const save = saveOptions(options)
  await saveKeyFile(keyFile(dir, 0), root, password, save)
  await saveKeyFile(keyFile(dir, 1), next, password, save)
  await writeChain(dir, [inception.bytes])
  return { ...(await readIdentityChain(dir)), signer }
}

/**
 * Reads and verifies an identity's chain; no password needed.
 * @param dir - the identity directory
 * @returns the chain
 * @throws IdentityDirError `missing` or `bad-chain`; rotation errors of @peerkit/identity
 * @example
 * (await readIdentityChain('.peerkit')).resolved.current.toString()
 */
export async function readIdentityChain(dir: string): Promise<IdentityChain> {
  const path = join(dir, CHAIN_FILE)
  const info = await stat(path).catch(() => undefined)
  if (info === undefined)
    throw new IdentityDirError('missing', `no identity in ${dir}: run \`peerkit key new\``)
  const value = decode(await readFileBounded(path, MAX_CHAIN_FILE_BYTES))
  if (!Array.isArray(value) || value.length === 0 || !value.every((s) => s instanceof Uint8Array))
    throw new IdentityDirError('bad-chain', `${path} is not a rotation chain`)
  const statements = value as Uint8Array[]
  const resolved = await resolveRotation(statements)
  const inception = resolved.statements[0] as RotationStatement
  return { statements, resolved, inceptionId: inception.id }
}

/**
 * Loads an identity with its current key (only a rotation decrypts the next one).
 * @param dir - the identity directory
 * @param password - the key files' password
 * @returns the identity
 * @throws IdentityDirError `bad-key` when a key file does not hold the key the chain names;
 *   KeyFileDecryptionError for a wrong password
 * @example
 * const { signer } = await loadIdentity('.peerkit', password)
 */
export async function loadIdentity(dir: string, password: string): Promise<LoadedIdentity> {
  const chain = await readIdentityChain(dir)
  const step = stepOf(chain)
  const signer = signerFromKeyPair(await loadKeyFile(keyFile(dir, step), password))
  if (!signer.peerId.equals(chain.resolved.current))
    throw new IdentityDirError('bad-key', `key-${step} is not the chain's current key`)
  return { ...chain, signer }
}

/**
 * Rotates to the key committed to next, and commits to a fresh one.
 * @param dir - the identity directory
 * @param password - the key files' password
 * @param options - scrypt cost of the new key file
 * @returns the identity after the rotation
 * @example
 * const { resolved } = await rotateIdentity('.peerkit', password)
 */
export async function rotateIdentity(
  dir: string,
  password: string,
  options?: KeyWriteOptions,
): Promise<LoadedIdentity> {
  const identity = await loadIdentity(dir, password)
  const step = stepOf(identity)
  const nextSigner = signerFromKeyPair(await loadKeyFile(keyFile(dir, step + 1), password))
  const committed = identity.resolved.next
  if (committed === undefined || !equalBytes(nextKeyDigest(nextSigner.peerId), committed))
    throw new IdentityDirError('bad-key', `key-${step + 1} is not the key the chain committed to`)
  const newNext = generateKeyPair()
  const last = identity.resolved.statements.at(-1) as RotationStatement
  const statement = await rotateKey(identity.signer, nextSigner, {
    after: last,
    next: newNext.publicKey,
  })
  // a key file left by a rotation that crashed before its chain was written is replaced
  await unlink(keyFile(dir, step + 2)).catch(() => {})
  await saveKeyFile(keyFile(dir, step + 2), newNext, password, saveOptions(options))
  await writeChain(dir, [...identity.statements, statement.bytes])
  await unlink(keyFile(dir, step)).catch(() => {})
  return { ...(await readIdentityChain(dir)), signer: nextSigner }
}

async function writeChain(dir: string, statements: readonly Uint8Array[]): Promise<void> {
  await writeFileAtomic(join(dir, CHAIN_FILE), encode([...statements]), { mode: 0o644 })
}

function saveOptions(options: KeyWriteOptions | undefined): { logN?: number } {
  return options?.scryptCost === undefined ? {} : { logN: options.scryptCost }
}

/**
 * The chain step an identity is at: 0 for the root, n after n rotations.
 * @param chain - a verified chain
 * @returns its last step
 * @example
 * stepOf(identity) // 0
 */
export function stepOf(chain: IdentityChain): number {
  return chain.resolved.statements.length - 1
}

/** The text forms of a peer id, for output. */
export interface PeerIdForms {
  /** Canonical text (`z6Mk…`). */
  readonly id: string
  /** did:key DID. */
  readonly didKey: string
  /** libp2p peer id (`12D3KooW…`). */
  readonly libp2p: string
  /** The raw public key, hex. */
  readonly publicKeyHex: string
}

/**
 * Every text form of a peer id.
 * @param peer - the peer
 * @returns its forms
 * @example
 * peerIdForms(signer.peerId).libp2p // '12D3KooW…'
 */
export function peerIdForms(peer: PeerId): PeerIdForms {
  return {
    id: peer.toString(),
    didKey: peer.toDidKey(),
    libp2p: peer.toLibp2pString(),
    publicKeyHex: toHex(peer.publicKey),
  }
}
