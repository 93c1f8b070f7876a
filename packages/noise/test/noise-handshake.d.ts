/** Types of the parts of the `noise-handshake` package (Holepunch) the interop test uses. */
declare module 'noise-handshake' {
  interface KeyPair {
    publicKey: Uint8Array
    secretKey: Uint8Array
  }
  class NoiseState {
    constructor(pattern: 'XX', initiator: boolean, staticKeypair?: KeyPair)
    readonly s: KeyPair
    readonly rs: Uint8Array | null
    readonly tx: Uint8Array
    readonly rx: Uint8Array
    readonly hash: Uint8Array
    readonly complete: boolean
    initialise(prologue: Uint8Array): void
    send(payload?: Uint8Array): Uint8Array
    recv(message: Uint8Array): Uint8Array
  }
  export default NoiseState
}

declare module 'noise-handshake/cipher.js' {
  class Cipher {
    constructor(key: Uint8Array)
    encrypt(plaintext: Uint8Array, ad?: Uint8Array): Uint8Array
    decrypt(ciphertext: Uint8Array, ad?: Uint8Array): Uint8Array
  }
  export default Cipher
}
