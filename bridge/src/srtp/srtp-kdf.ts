import { createCipheriv } from 'node:crypto';

// RFC 3711 §4.3.1 labels.
export const LABEL_RTP_ENCRYPTION = 0;
export const LABEL_RTP_AUTH = 1;
export const LABEL_RTP_SALT = 2;
export const LABEL_RTCP_ENCRYPTION = 3;
export const LABEL_RTCP_AUTH = 4;
export const LABEL_RTCP_SALT = 5;

/** AES-CM key derivation with key_derivation_rate 0 (RFC 3711 §4.3; RFC 7714 §11 pads a 96-bit salt to 112). */
export function deriveSessionKey(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0, 0, Math.min(14, masterSalt.length));
  iv[7] = iv[7]! ^ label;
  const c = createCipheriv('aes-128-ctr', masterKey, iv);
  return c.update(Buffer.alloc(length));
}
