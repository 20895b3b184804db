import { createCipheriv } from 'node:crypto';

// RFC 3711 §4.3.1 labels.
export const LABEL_RTP_ENCRYPTION = 0;
export const LABEL_RTP_AUTH = 1;
export const LABEL_RTP_SALT = 2;
export const LABEL_RTCP_ENCRYPTION = 3;
export const LABEL_RTCP_AUTH = 4;
export const LABEL_RTCP_SALT = 5;

const KEY_LENGTH = 16;
const AUTH_LENGTH = 20;

/** The session keys of one direction (RFC 3711 §4.3.1); AEAD_AES_128_GCM does not use the auth keys. */
export interface SrtpSessionKeys {
  rtpKey: Buffer;
  rtpAuth: Buffer;
  rtpSalt: Buffer;
  rtcpKey: Buffer;
  rtcpAuth: Buffer;
  rtcpSalt: Buffer;
}

/** AES-CM key derivation with key_derivation_rate 0 (RFC 3711 §4.3; RFC 7714 §11 pads a 96-bit salt to 112). */
export function deriveSessionKey(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0, 0, Math.min(14, masterSalt.length));
  iv[7] = iv[7]! ^ label;
  const c = createCipheriv('aes-128-ctr', masterKey, iv);
  return c.update(Buffer.alloc(length));
}

/** All six session keys of one direction; `saltLength` is 14 for AES-CM and 12 for AES-GCM. */
export function deriveSessionKeys(masterKey: Buffer, masterSalt: Buffer, saltLength: number): SrtpSessionKeys {
  return {
    rtpKey: deriveSessionKey(masterKey, masterSalt, LABEL_RTP_ENCRYPTION, KEY_LENGTH),
    rtpAuth: deriveSessionKey(masterKey, masterSalt, LABEL_RTP_AUTH, AUTH_LENGTH),
    rtpSalt: deriveSessionKey(masterKey, masterSalt, LABEL_RTP_SALT, saltLength),
    rtcpKey: deriveSessionKey(masterKey, masterSalt, LABEL_RTCP_ENCRYPTION, KEY_LENGTH),
    rtcpAuth: deriveSessionKey(masterKey, masterSalt, LABEL_RTCP_AUTH, AUTH_LENGTH),
    rtcpSalt: deriveSessionKey(masterKey, masterSalt, LABEL_RTCP_SALT, saltLength),
  };
}

/** Throws a RangeError unless every session key has the length its cipher takes. */
export function checkSessionKeys(k: SrtpSessionKeys, saltLength: number): void {
  const want: [keyof SrtpSessionKeys, number][] = [
    ['rtpKey', KEY_LENGTH],
    ['rtpAuth', AUTH_LENGTH],
    ['rtpSalt', saltLength],
    ['rtcpKey', KEY_LENGTH],
    ['rtcpAuth', AUTH_LENGTH],
    ['rtcpSalt', saltLength],
  ];
  for (const [name, length] of want) {
    if (k[name].length !== length) throw new RangeError(`session ${name} must be ${length} bytes`);
  }
}
