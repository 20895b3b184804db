import { createHash } from 'node:crypto';
import type { Element } from 'ltx';

const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const NS_DATA_FORMS = 'jabber:x:data';

/** XEP-0115 hash names (IANA "Hash Function Textual Names") that node:crypto computes. */
const HASHES: Readonly<Record<string, string>> = {
  'sha-1': 'sha1',
  'sha-224': 'sha224',
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The verification string S of a disco#info `<query>` (XEP-0115 §5.1, with the extended forms of §5.4). */
export function capsVerificationString(query: Element): string {
  const identities = query
    .getChildren('identity', NS_DISCO_INFO)
    .map(
      (i) =>
        `${String(i.attrs.category ?? '')}/${String(i.attrs.type ?? '')}/${String(i.attrs['xml:lang'] ?? '')}/${String(i.attrs.name ?? '')}<`,
    )
    .sort(byCodePoint);
  const features = query
    .getChildren('feature', NS_DISCO_INFO)
    .map((f) => `${String(f.attrs.var ?? '')}<`)
    .sort(byCodePoint);
  const forms = query
    .getChildren('x', NS_DATA_FORMS)
    .map((form) => {
      const fields = form.getChildren('field', NS_DATA_FORMS);
      const formType = fields.find((f) => f.attrs.var === 'FORM_TYPE')?.getChildText('value', NS_DATA_FORMS) ?? '';
      const rest = fields
        .filter((f) => f.attrs.var !== 'FORM_TYPE')
        .map((f) => ({
          name: String(f.attrs.var ?? ''),
          values: f.getChildren('value', NS_DATA_FORMS).map((v) => `${v.getText()}<`),
        }))
        .sort((a, b) => byCodePoint(a.name, b.name))
        .map((f) => `${f.name}<${f.values.sort(byCodePoint).join('')}`);
      return { formType, text: `${formType}<${rest.join('')}` };
    })
    .sort((a, b) => byCodePoint(a.formType, b.formType))
    .map((f) => f.text);
  return identities.join('') + features.join('') + forms.join('');
}

/**
 * Whether `query` is what the caps `ver` says (XEP-0115 §5.4 steps 3.3-3.7). False for a hash we do not know, and
 * for a query §5.4 says to ignore (duplicate identities or features, a form with a non-hidden or repeated FORM_TYPE).
 */
export function capsVerMatches(hash: string, ver: string, query: Element): boolean {
  const algorithm = HASHES[hash.toLowerCase()];
  if (algorithm === undefined) return false;
  if (hasDuplicates(query)) return false;
  const computed = createHash(algorithm).update(capsVerificationString(query), 'utf8').digest('base64');
  return computed === ver;
}

function hasDuplicates(query: Element): boolean {
  const identities = query
    .getChildren('identity', NS_DISCO_INFO)
    .map((i) => [i.attrs.category, i.attrs.type, i.attrs['xml:lang'], i.attrs.name].map(String).join('\u0000'));
  const features = query.getChildren('feature', NS_DISCO_INFO).map((f) => String(f.attrs.var));
  const formTypes = query
    .getChildren('x', NS_DATA_FORMS)
    .map((x) => x.getChildren('field', NS_DATA_FORMS).filter((f) => f.attrs.var === 'FORM_TYPE'));
  if (formTypes.some((f) => f.length !== 1 || f[0]?.attrs.type !== 'hidden')) return true;
  const types = formTypes.map((f) => f[0]?.getChildText('value', NS_DATA_FORMS) ?? '');
  return [identities, features, types].some((list) => new Set(list).size !== list.length);
}
