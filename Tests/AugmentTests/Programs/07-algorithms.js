// ==== quicksort
function qs(a) {
  if (a.length < 2) return a;
  const [p, ...rest] = a;
  return [...qs(rest.filter(x => x < p)), p, ...qs(rest.filter(x => x >= p))];
}
console.log(qs([5, 2, 9, 1, 5, 6, 0, -3]).join(" "));
// ==== binary-search
function bs(arr, t) {
  let lo = 0, hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] === t) return mid;
    if (arr[mid] < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
const sortedArr = [1, 3, 5, 7, 9, 11];
console.log(bs(sortedArr, 7), bs(sortedArr, 4), bs([], 1));
// ==== primes-sieve
function sieve(n) {
  const is = new Array(n + 1).fill(true);
  is[0] = is[1] = false;
  for (let i = 2; i * i <= n; i++) if (is[i]) for (let j = i * i; j <= n; j += i) is[j] = false;
  return is.reduce((acc, v, i) => (v ? acc.concat(i) : acc), []);
}
console.log(sieve(50).join(","));
// ==== gcd-lcm
const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));
const lcm = (a, b) => (a / gcd(a, b)) * b;
console.log(gcd(48, 18), lcm(4, 6), [12, 18, 24].reduce(gcd));
// ==== string-reverse-palindrome
function isPal(s) {
  const clean = s.toLowerCase().replace(/[^a-z0-9]/g, "");
  return clean === clean.split("").reverse().join("");
}
console.log(isPal("A man, a plan, a canal: Panama"), isPal("hello"), isPal(""));
// ==== word-frequency
const text = "the quick brown fox jumps over the lazy dog the end";
const freq = {};
for (const w of text.split(" ")) freq[w] = (freq[w] || 0) + 1;
console.log(Object.entries(freq).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(e => e.join(":")).join(" "));
// ==== matrix-multiply
function matmul(A, B) {
  return A.map(row => B[0].map((_, j) => row.reduce((s, v, k) => s + v * B[k][j], 0)));
}
console.log(JSON.stringify(matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]])));
// ==== fizzbuzz
const fb = [];
for (let i = 1; i <= 15; i++) {
  let s = "";
  if (i % 3 === 0) s += "Fizz";
  if (i % 5 === 0) s += "Buzz";
  fb.push(s || i);
}
console.log(fb.join(" "));
// ==== flatten-deep
const flat = a => a.reduce((acc, v) => acc.concat(Array.isArray(v) ? flat(v) : v), []);
console.log(flat([1, [2, [3, [4, [5]]]], 6]).join(), [1, [2, [3]]].flat(Infinity).length);
// ==== debounce-like-timers
const events = [];
setTimeout(() => events.push("t0-first"), 0);
setTimeout(() => events.push("t0-second"), 0);
Promise.resolve().then(() => events.push("micro"));
events.push("sync");
setTimeout(() => console.log(events.join(" ")), 0);
// ==== linked-list
class LNode { constructor(v, next = null) { this.v = v; this.next = next; } }
function fromArray(a) { return a.reduceRight((next, v) => new LNode(v, next), null); }
function reverse(h) { let prev = null; while (h) { const nx = h.next; h.next = prev; prev = h; h = nx; } return prev; }
function toArray(h) { const out = []; for (let n = h; n; n = n.next) out.push(n.v); return out; }
console.log(toArray(reverse(fromArray([1, 2, 3, 4]))).join("->"));
// ==== tree-traversal
const tree = { v: 1, kids: [{ v: 2, kids: [{ v: 4, kids: [] }] }, { v: 3, kids: [] }] };
function* dfs(n) { yield n.v; for (const k of n.kids) yield* dfs(k); }
function bfs(root) { const q = [root], out = []; while (q.length) { const n = q.shift(); out.push(n.v); q.push(...n.kids); } return out; }
console.log([...dfs(tree)].join(), bfs(tree).join());
// ==== event-emitter
class Emitter {
  constructor() { this.h = {}; }
  on(e, f) { (this.h[e] ||= []).push(f); return () => { this.h[e] = this.h[e].filter(x => x !== f); }; }
  emit(e, ...a) { (this.h[e] || []).forEach(f => f(...a)); }
}
const em = new Emitter();
const off = em.on("x", v => console.log("first", v));
em.on("x", v => console.log("second", v));
em.emit("x", 1);
off();
em.emit("x", 2);
// ==== state-machine
const machine = { idle: { go: "running" }, running: { pause: "paused", stop: "idle" }, paused: { go: "running", stop: "idle" } };
let state = "idle";
const trail = [state];
for (const ev of ["go", "pause", "go", "stop", "pause"]) { state = machine[state][ev] ?? state; trail.push(state); }
console.log(trail.join(" > "));
// ==== roman-numerals
function roman(n) {
  const map = [[1000, "M"], [900, "CM"], [500, "D"], [400, "CD"], [100, "C"], [90, "XC"], [50, "L"], [40, "XL"], [10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"]];
  let s = "";
  for (const [v, r] of map) while (n >= v) { s += r; n -= v; }
  return s;
}
console.log(roman(1994), roman(2024), roman(4));
// ==== deep-equal
function deepEq(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(k => deepEq(a[k], b[k]));
}
console.log(deepEq({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), deepEq({ a: 1 }, { a: "1" }), deepEq(null, null));
// ==== base64-manual
const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function b64(s) {
  let bits = "", out = "";
  for (const c of s) bits += c.charCodeAt(0).toString(2).padStart(8, "0");
  while (bits.length % 6) bits += "0";
  for (let i = 0; i < bits.length; i += 6) out += chars[parseInt(bits.slice(i, i + 6), 2)];
  return out + "=".repeat((3 - (s.length % 3)) % 3);
}
console.log(b64("Man"), b64("Ma"), b64("hello world"));
// ==== levenshtein
function lev(a, b) {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length][b.length];
}
console.log(lev("kitten", "sitting"), lev("", "abc"), lev("same", "same"));
// ==== bit-tricks
const popcount = n => { let c = 0; while (n) { n &= n - 1; c++; } return c; };
console.log(popcount(255), popcount(0), (5 ^ 3).toString(2), 1 << 10, -16 >> 2, -16 >>> 28, 0xFF & 0x0F);
// ==== reduce-group-by
const items = [{ t: "a", v: 1 }, { t: "b", v: 2 }, { t: "a", v: 3 }];
const grouped = items.reduce((g, it) => { (g[it.t] = g[it.t] || []).push(it.v); return g; }, {});
console.log(JSON.stringify(grouped));
