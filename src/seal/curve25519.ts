/**
 * X25519 (RFC 7748) and the map from an Ed25519 public key to its X25519 one, written out from
 * the RFCs on the language's big integers: sealing needs them synchronously, which WebCrypto is
 * not, and a curve library would be most of what a page loads for the client. Checked against
 * the RFCs' test vectors and against an independent implementation in
 * `test/seal/curve25519_test.ts`.
 *
 * Like any big-integer code, this does not run in constant time; the secrets it handles are a
 * peer's sealing keys, which the runtime's timing does not reveal to a remote relay.
 *
 * @module
 */

const P = 2n ** 255n - 19n;
const A24 = 121_665n;
// Ed25519's d = -121665 / 121666 (RFC 8032, section 5.1).
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
// A square root of -1: 2^((p - 1) / 4).
const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;

const mod = (a: bigint): bigint => {
  const r = a % P;
  return r >= 0n ? r : r + P;
};

function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

const invert = (a: bigint): bigint => pow(a, P - 2n);

function fromLittleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

function toLittleEndian(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0, v = n; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/**
 * X25519 of a scalar and a u-coordinate (RFC 7748, section 5): the scalar is clamped, the
 * u-coordinate's top bit ignored.
 *
 * @example Usage
 * ```ts
 * import { x25519 } from "./curve25519.ts";
 * const nine = new Uint8Array(32);
 * nine[0] = 9;
 * const secret = crypto.getRandomValues(new Uint8Array(32));
 * console.assert(x25519(secret, nine).length === 32);
 * ```
 *
 * @param scalar 32 bytes.
 * @param u 32 bytes.
 * @returns The 32-byte result (all zeros for a point of small order).
 * @throws {RangeError} If either is not 32 bytes.
 */
export function x25519(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  if (scalar.length !== 32 || u.length !== 32) throw new RangeError("X25519 takes 32 bytes");
  const k = scalar.slice();
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
  const kn = fromLittleEndian(k);
  const uBytes = u.slice();
  uBytes[31] &= 127;
  const x1 = mod(fromLittleEndian(uBytes));
  let x2 = 1n, z2 = 0n, x3 = x1, z3 = 1n;
  let swap = 0n;
  for (let t = 254n; t >= 0n; t--) {
    const kt = (kn >> t) & 1n;
    swap ^= kt;
    if (swap) [x2, x3, z2, z3] = [x3, x2, z3, z2];
    swap = kt;
    const a = (x2 + z2) % P;
    const aa = (a * a) % P;
    const b = mod(x2 - z2);
    const bb = (b * b) % P;
    const e = mod(aa - bb);
    const c = (x3 + z3) % P;
    const d = mod(x3 - z3);
    const da = (d * a) % P;
    const cb = (c * b) % P;
    const sum = (da + cb) % P;
    const diff = mod(da - cb);
    x3 = (sum * sum) % P;
    z3 = (x1 * ((diff * diff) % P)) % P;
    x2 = (aa * bb) % P;
    z2 = (e * ((aa + A24 * e) % P)) % P;
  }
  if (swap) [x2, z2] = [x3, z3];
  return toLittleEndian((x2 * invert(z2)) % P);
}

/** The X25519 base point, u = 9. */
const BASE = toLittleEndian(9n);

/**
 * The X25519 public key of a secret key: X25519 of it and the base point.
 *
 * @example Usage
 * ```ts
 * import { x25519PublicKey } from "./curve25519.ts";
 * console.assert(x25519PublicKey(new Uint8Array(32).fill(1)).length === 32);
 * ```
 *
 * @param secret 32 bytes.
 * @returns The 32-byte public key.
 */
export function x25519PublicKey(secret: Uint8Array): Uint8Array {
  return x25519(secret, BASE);
}

/**
 * The X25519 public key of an Ed25519 public key: u = (1 + y) / (1 - y), the birational map
 * between the two forms of Curve25519 (RFC 7748, section 4.1). The Ed25519 key is decoded as
 * RFC 8032 (section 5.1.3) says, strictly: `y` below p, and a point on the curve.
 *
 * @example Usage
 * ```ts
 * import { edwardsToMontgomery } from "./curve25519.ts";
 * const base = Uint8Array.from({ length: 32 }, (_, i) => i === 0 ? 0x58 : 0x66);
 * console.assert(edwardsToMontgomery(base)[0] === 9); // the base points map to each other
 * ```
 *
 * @param publicKey The 32-byte Ed25519 public key.
 * @returns The 32-byte X25519 public key.
 * @throws {RangeError} If it is not the encoding of a point (or is the neutral point).
 */
export function edwardsToMontgomery(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new RangeError("An Ed25519 public key is 32 bytes");
  const bytes = publicKey.slice();
  const sign = bytes[31] >> 7;
  bytes[31] &= 127;
  const y = fromLittleEndian(bytes);
  if (y >= P) throw new RangeError("Not a canonical Ed25519 point");
  // x^2 = (y^2 - 1) / (d y^2 + 1): a square for a point on the curve.
  const yy = (y * y) % P;
  const u = mod(yy - 1n);
  const v = mod(D * yy + 1n);
  const v3 = (((v * v) % P) * v) % P;
  const v7 = (((v3 * v3) % P) * v) % P;
  let x = (((u * v3) % P) * pow((u * v7) % P, (P - 5n) / 8n)) % P;
  const vxx = (((x * x) % P) * v) % P;
  if (vxx === mod(-u)) x = (x * SQRT_M1) % P;
  else if (vxx !== u) throw new RangeError("Not an Ed25519 point");
  if (x === 0n && sign === 1) throw new RangeError("Not a canonical Ed25519 point");
  // y = 1 is the neutral point, which has no X25519 counterpart.
  if (y === 1n) throw new RangeError("The neutral point has no X25519 key");
  return toLittleEndian(((1n + y) * invert(mod(1n - y))) % P);
}
