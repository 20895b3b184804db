/** `httpPort` of app `bridge` -> `CONVENE_BRIDGE_HTTP_PORT`. */
export function envNameFor(app: string, key: string): string {
  const snake = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  return `CONVENE_${app.toUpperCase()}_${snake}`;
}

/** `httpPort` -> `--http-port`. */
export function cliFlagFor(key: string): string {
  return `--${key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
}
