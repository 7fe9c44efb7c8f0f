/** What replaces a credential wherever a URL is shown. */
export const REDACTED = 'REDACTED';

/**
 * Query (and fragment) parameters whose values are credentials: names containing
 * token, key, secret, password, auth, signature or credential, and `sig` (signed URLs).
 */
const SECRET_PARAM = /token|key|secret|passw|pwd|auth|signature|credential|^sig$/i;

/**
 * A URL fit to show: userinfo replaced by `REDACTED`, and the values of query and
 * fragment parameters named like credentials (`?token=…`, `&api_key=…`, `#access_token=…`)
 * replaced by `REDACTED`; everything else as given. Text that is no URL is scrubbed by
 * {@link redactUrlsIn}. Pure and idempotent.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return redactUrlsIn(text);
  }
  let changed = false;
  if (url.username !== '' || url.password !== '') {
    url.username = REDACTED;
    url.password = '';
    changed = true;
  }
  const search = redactParams(url.search.slice(1));
  const hash = redactParams(url.hash.slice(1));
  if (search !== url.search.slice(1)) [url.search, changed] = [search, true];
  if (hash !== url.hash.slice(1)) [url.hash, changed] = [hash, true];
  // Unchanged text stays exactly as written (no normalising of a trailing slash).
  return changed ? url.href : text;
}

/** Every URL-like credential in free text redacted: `//user:pass@` and `name=value` pairs named like secrets. */
export function redactUrlsIn(text: string): string {
  return text
    .replace(/(\/\/)[^/?#@\s]+@/g, `$1${REDACTED}@`)
    .replace(/([?&#;]|^)([^=&#?\s]+)=([^&#\s]*)/g, (whole, lead: string, name: string) =>
      SECRET_PARAM.test(safeDecode(name)) ? `${lead}${name}=${REDACTED}` : whole,
    );
}

function redactParams(params: string): string {
  return params
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      const name = at < 0 ? pair : pair.slice(0, at);
      return at >= 0 && SECRET_PARAM.test(safeDecode(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
