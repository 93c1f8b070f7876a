/**
 * An atomic swap of two hash-time-locked escrows: Alice trades 5_000 sat for Bob's
 * 200_000 gwei. Alice picks a secret and locks her BTC for Bob under its hash, claimable
 * for 24 hours; Bob checks the pair is safe and locks his ETH for Alice under the same
 * hash, claimable for 12 hours. Alice claims the ETH, which reveals the secret in the
 * log; Bob reads it and claims the BTC. Neither can end up with both.
 * Run: `pnpm --filter @peerkit/example-escrow swap`.
 */
import { pathToFileURL } from 'node:url'
import { toHex } from '@peerkit/codec'
import {
  acceptTerms,
  checkAtomicSwap,
  createLedgerVault,
  createMemoryStore,
  createSession,
  type EscrowState,
  hashLock,
  htlc,
  htlcTerms,
  proposeTerms,
  revealedPreimage,
} from '@peerkit/escrow'
import type { KeyPairSigner } from '@peerkit/identity'
import { alice, bob, HOUR, MINUTE, START } from './people'
import { deliver, type Log, units } from './wire'

export interface SwapResult {
  /** Alice sends BTC to Bob. */
  readonly btc: EscrowState
  /** Bob sends ETH to Alice. */
  readonly eth: EscrowState
  readonly balances: {
    readonly alice: { readonly BTC: bigint; readonly ETH: bigint }
    readonly bob: { readonly BTC: bigint; readonly ETH: bigint }
  }
}

/** Runs the walkthrough and returns both HTLCs' final states and the balances. */
export async function main(log: Log = console.log): Promise<SwapResult> {
  const A = alice.peerId.toString()
  const B = bob.peerId.toString()
  const vault = createLedgerVault({ balances: { [A]: { BTC: 5_000n }, [B]: { ETH: 200_000n } } })
  // the secret: 32 bytes only Alice knows (fixed here so the walkthrough prints the same)
  const secret = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff)
  const hash = hashLock(secret)
  log(`Alice's hash lock: ${toHex(hash).slice(0, 16)}…`)

  const pair = async (
    sender: KeyPairSigner,
    receiver: KeyPairSigner,
    asset: string,
    amount: bigint,
    claimBy: number,
  ) => {
    const offer = await proposeTerms(htlc, sender, {
      ...htlcTerms({
        sender: sender.peerId,
        receiver: receiver.peerId,
        asset,
        amount,
        hash,
        lockBy: START + 2 * HOUR,
        claimBy,
      }),
      timestamp: START,
    })
    const terms = await acceptTerms(offer, receiver)
    const open = (signer: KeyPairSigner) =>
      createSession({
        definition: htlc,
        signer,
        store: createMemoryStore(),
        vault,
        terms,
        now: START,
      })
    return { sender: await open(sender), receiver: await open(receiver) }
  }
  // the initiator's side stays claimable longer than the responder's
  const btc = await pair(alice, bob, 'BTC', 5_000n, START + 24 * HOUR)
  const eth = await pair(bob, alice, 'ETH', 200_000n, START + 12 * HOUR)
  checkAtomicSwap(btc.sender.trade, eth.sender.trade, { minGapMs: 6 * HOUR })
  log(
    'Bob checks the pair: same hash, mirrored roles, 12 h for him to claim after Alice can no longer',
  )

  let now = START + 10 * MINUTE
  await btc.sender.act('lock', null, now)
  await deliver(btc.sender, btc.receiver, now)
  log(`+10 min Alice locks ${units(5_000n)} sat for Bob    → '${btc.receiver.state.name}'`)
  now = START + 20 * MINUTE
  await eth.sender.act('lock', null, now)
  await deliver(eth.sender, eth.receiver, now)
  log(`+20 min Bob locks ${units(200_000n)} gwei for Alice → '${eth.receiver.state.name}'`)

  // Alice claims the ETH: her claim step carries the secret
  now = START + HOUR
  await eth.receiver.act('claim', { preimage: secret }, now)
  await deliver(eth.receiver, eth.sender, now)
  const learned = revealedPreimage(eth.sender.state)!
  log(
    `+1 h    Alice claims the ETH; Bob's log now shows the secret ${toHex(learned).slice(0, 16)}…`,
  )

  // Bob uses it on the BTC side, well before its deadline
  now = START + 2 * HOUR
  await btc.receiver.act('claim', { preimage: learned }, now)
  await deliver(btc.receiver, btc.sender, now)
  log(`+2 h    Bob claims the BTC with it → '${btc.sender.state.outcome}'`)

  for (const session of [btc.sender, btc.receiver, eth.sender, eth.receiver]) await session.settle()
  const balances = {
    alice: { BTC: vault.balance(A, 'BTC'), ETH: vault.balance(A, 'ETH') },
    bob: { BTC: vault.balance(B, 'BTC'), ETH: vault.balance(B, 'ETH') },
  }
  log(`settled: Alice ${units(balances.alice.ETH)} gwei, Bob ${units(balances.bob.BTC)} sat`)
  return { btc: btc.sender.state, eth: eth.sender.state, balances }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main()
