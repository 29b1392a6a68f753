// ==== labels-break-continue
outer: for (let i = 0; i < 4; i++) {
  inner: for (let j = 0; j < 4; j++) {
    if (j === 2) continue outer;
    if (i === 3) break outer;
    console.log(i, j);
  }
}
block: { console.log("in block"); break block; }
// ==== labels-while
let k = 0;
loop: while (true) {
  k++;
  switch (k) {
    case 1: continue loop;
    case 3: break loop;
    default: console.log("k", k);
  }
}
console.log("end", k);
// ==== regex-features
const date = /(?<y>\d{4})-(?<m>\d{2})/u.exec("on 2024-05-17");
console.log(date.groups.y, date.groups.m, date.index);
console.log("a1b2c3".replace(/\d/g, d => d * 2), "x".match(/y/), /^\/\*.*\*\/$/.test("/* c */"));
const sticky = /foo/y;
sticky.lastIndex = 3;
console.log(sticky.test("barfoo"), sticky.lastIndex, [..."a-b_c".matchAll(/[-_]/g)].length);
// ==== regex-division-ambiguity
const ten = 10, two = 2, g = 1;
console.log(ten / two / g, ten /two/ g, "a/b".split(/\//).length, (ten) / 5);
// ==== template-literals
const nm = "Ann", age = 30;
console.log(`${nm} is ${age} years`, `nested ${`inner ${age + 1}`}`, `multi
line`, `\`escaped\` \${not}`, `a${1}${2}b`);
// ==== tagged-templates
function tag(strings, ...vals) {
  return strings.raw.map((s, i) => s + (i < vals.length ? "[" + vals[i] + "]" : "")).join("");
}
console.log(tag`x${1}y${"two"}z\n`, String.raw`\u00e9${1}`, tag``);
function cache(s) { return s; }
const t1 = () => cache`same`;
console.log(t1() === t1());
// ==== optional-chaining
const deep = { a: { b: { c: 1, f() { return "called"; } } }, arr: [{ v: 9 }] };
console.log(deep?.a?.b?.c, deep.x?.y.z, deep.a.b.f?.(), deep.a.g?.(), deep.arr?.[0]?.v, deep.arr?.[5]?.v);
const nil = null;
console.log(nil?.foo, nil?.["bar"], typeof nil?.baz.qux, (nil?.a)?.b);
// ==== nullish-coalescing
const conf = { zero: 0, empty: "", nul: null, f: false };
console.log(conf.zero ?? 5, conf.empty ?? "x", conf.nul ?? "dflt", conf.missing ?? "m", conf.f ?? true);
let na = null;
na ??= "set";
let nb = 0;
nb ||= 7;
let nc = 1;
nc &&= 3;
console.log(na, nb, nc, (null || undefined) ?? "both");
// ==== bigint
const big = 2n ** 64n;
console.log(big.toString(), big - 1n, typeof big, 10n / 3n, -7n % 3n, BigInt(2 ** 53) + 1n);
console.log(0x1fn, 1n == 1, 1n === 1, 2n > 1, BigInt.asUintN(8, 257n), String(123n));
// ==== typeof-undeclared
console.log(typeof notDeclaredAnywhere, typeof notDeclaredAnywhere === "undefined");
try { notDeclaredAnywhere; } catch (e) { console.log(e.name); }
console.log(typeof (() => 1), typeof class {}, typeof Symbol(), typeof 1n, typeof [], typeof /x/);
// ==== comma-and-void
let cv = (1, 2, 3);
const vv = void "ignored";
for (var ci = 0, cj = 10; ci < cj; ci += 3, cj -= 3);
console.log(cv, vv, ci, cj);
// ==== switch-fallthrough
function sw(v) {
  const out = [];
  switch (v) {
    case 1:
      out.push("one");
    case 2: {
      out.push("two");
      break;
    }
    case "3":
      out.push("string three");
      break;
    default:
      out.push("default");
    case 4:
      out.push("four");
  }
  return out.join("+");
}
console.log(sw(1), sw(2), sw(3), sw("3"), sw(4), sw(9));
// ==== try-catch-finally
function tcf(kind) {
  const log = [];
  try {
    log.push("try");
    if (kind === 1) throw new Error("e1");
    if (kind === 2) return log.push("ret") && log.join();
  } catch ({ message }) {
    log.push("catch " + message);
  } finally {
    log.push("finally");
  }
  return log.join();
}
console.log(tcf(0), "|", tcf(1), "|", tcf(2));
// ==== finally-override
function fo() { try { return "try"; } finally { console.log("in finally"); } }
function fo2() { try { throw 1; } catch { return "caught"; } finally { } }
console.log(fo(), fo2());
// ==== do-while-loops
let dw = 0, steps = "";
do steps += dw; while (++dw < 5)
do { steps += "!" } while (false)
console.log(steps)
let w = 3
while (w--) steps = steps + w
console.log(steps)
// ==== for-in-order
const forin = { b: 1, a: 2, 1: "x", 0: "y" };
const ks = [];
for (const key in forin) ks.push(key);
console.log(ks.join(), Object.getOwnPropertyNames(forin).length);
// ==== exponent-precedence
console.log(2 ** 3 ** 2, (-2) ** 2, 2 ** -2, (2 ** 3) ** 2, -(2 ** 2));
// ==== increment-forms
let inc = 5;
const r1 = inc++ + ++inc;
const r2 = inc-- - --inc;
console.log(r1, r2, inc, - -inc, +-+inc, - - -inc);
// ==== in-operator-and-delete
const io = { a: 1, b: undefined };
console.log("a" in io, "b" in io, "c" in io, delete io.a, "a" in io, delete io.zz, Object.keys(io).join());
const arr = [1, 2, 3];
delete arr[1];
console.log(arr.length, 1 in arr, arr.join("-"));
