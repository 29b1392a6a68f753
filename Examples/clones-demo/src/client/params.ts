export type Params = Record<string, string>;

/** Reads `?a=1&b=two` into an object (the browser build cannot import the server's parser). */
export function readSearchParams(search: string): Params {
  const params: Params = {};
  const body: string = search.startsWith("?") ? search.slice(1) : search;
  for (const pair of body.split("&")) {
    if (pair === "") continue;
    const at: number = pair.indexOf("=");
    const name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
    const val = at < 0 ? "" : decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " "));
    params[name] = val;
  }
  return params;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as any)[k], (b as any)[k]));
}
