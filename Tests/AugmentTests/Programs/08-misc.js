// ==== getter-this-in-callbacks
const store = {
  items: [1, 2, 3],
  factor: 10,
  scaled() { return this.items.map(function (x) { return x * this.factor; }, this); },
};
console.log(store.scaled().join());
// ==== closures-in-loops-var-iife
var handlers = [];
for (var q = 0; q < 3; q++) (function (n) { handlers.push(() => n); })(q);
console.log(handlers.map(h => h()).join(), q);
// ==== tdz-errors
function tdz() {
  try { return before; } catch (e) { return e.name; }
  let before = 1;
}
console.log(tdz());
try { useLater(); } catch (e) { console.log(e.name); }
const useLater = () => 1;
// ==== const-errors
const fixed = 1;
try { fixed = 2; } catch (e) { console.log(e.name); }
const frozenArr = Object.freeze([1]);
try { "use strict"; frozenArr.push(2); } catch (e) { console.log(e.name); }
console.log(fixed, frozenArr.length);
// ==== eval-scope
function ev() {
  var local = "L";
  return eval("local + '!'");
}
var geval = eval;
var gx = "global";
function ev2() { var gx = "local"; return geval("typeof gx"); }
console.log(ev(), ev2());
// ==== with-statement
var wo = { wa: 1, wb: 2 };
var wb = "outer";
with (wo) { console.log(wa + wb); }
console.log(wb);
// ==== function-declarations-in-blocks
function fib2() {
  if (true) {
    function inBlock() { return "block fn"; }
  }
  return typeof inBlock === "function" ? inBlock() : "absent";
}
console.log(fib2());
// ==== getter-setter-defineProperty-counter
let reads = 0;
const counterObj = {};
Object.defineProperty(counterObj, "v", { get() { reads++; return 5; } });
const total5 = counterObj.v + counterObj.v;
counterObj.v;
console.log(total5, reads);
// ==== chained-optional-calls
const api = { user: { getName: () => "ann", tags: null } };
console.log(api.user?.getName?.(), api.admin?.getName(), api.user.tags?.length ?? 0, api?.["user"]?.["getName"]());
// ==== spread-strings-and-iterables
const uniq = [...new Set("mississippi")].join("");
const chars = Array.from({ length: 3 }, (_, i) => String.fromCharCode(97 + i));
console.log(uniq, chars.join(""), Math.max(...[..."1937"].map(Number)));
// ==== object-shorthand-and-computed
const aa = 1, bb = "two";
const made = { aa, bb, [bb + "x"]: 3, ["k" + aa]() { return "m"; }, async am() { return 1; }, *gm() { yield 1; } };
console.log(JSON.stringify(made), made.k1(), typeof made.am, [...made.gm()].length);
// ==== nested-functions-names
function outerFn() {
  function innerFn() { return innerFn.name + "<" + outerFn.name; }
  const arrowed = () => innerFn();
  return arrowed();
}
console.log(outerFn());
// ==== arguments-length-defaults
function dl(a, b = 2, c) { return arguments.length + ":" + dl.length; }
console.log(dl(), dl(1), dl(1, undefined, 3));
// ==== sparse-loops-continue
const result = [];
for (let i = 0; i < 10; i++) {
  if (i % 3 === 0) continue;
  if (i > 7) break;
  result.push(i);
}
console.log(result.join(""));
// ==== recursion-mutual
function isEven(n) { return n === 0 ? true : isOdd(n - 1); }
function isOdd(n) { return n === 0 ? false : isEven(n - 1); }
console.log(isEven(10), isOdd(7), isEven(3));
// ==== string-building-numbers
let sb = "";
for (let i = 0; i < 5; i++) sb = sb + i * 0.5 + ",";
console.log(sb, 0.5 + "" + 1, 1 + 2 + "3" + 4 + 5);
// ==== global-this-properties
var gvar = 1;
let glet = 2;
console.log(typeof globalThis.gvar, typeof globalThis.glet, "gvar" in globalThis);
// ==== getters-in-classes-static
class Temp {
  static #scale = "C";
  static get scale() { return Temp.#scale; }
  static set scale(v) { if (v === "C" || v === "F") Temp.#scale = v; }
}
Temp.scale = "K";
const before_ = Temp.scale;
Temp.scale = "F";
console.log(before_, Temp.scale);
// ==== array-destructure-iterators
function* nat() { let n = 0; while (true) yield n++; }
const [n0, n1, , n3] = nat();
console.log(n0, n1, n3);
// ==== label-on-block-and-if
lbl: if (true) {
  console.log("before");
  break lbl;
}
console.log("after");
// ==== error-messages-builtin
try { null.x; } catch (e) { console.log(e.constructor.name); }
try { (void 0)(); } catch (e) { console.log(e.constructor.name); }
try { new Array(-1); } catch (e) { console.log(e.constructor.name, e.message); }
try { JSON.parse("{bad"); } catch (e) { console.log(e.name); }
// ==== async-ordering-mixed
const seq = [];
queueMicrotask(() => seq.push("qm"));
(async () => { seq.push("async-start"); await undefined; seq.push("after-await"); })();
Promise.resolve().then(() => seq.push("then1")).then(() => seq.push("then2"));
setTimeout(() => console.log(seq.join(",")), 0);
seq.push("end");
// ==== constant-heavy
const SECONDS = 60 * 60 * 24;
const MASK = 0xff << 8 | 0x0f;
const LABEL = "v" + 1 + "." + 2 * 3;
const FLAGS = !0 + !1 + !!"x";
const HALF = 1 / 2, NEG = -(3 - 5), MIX = "1" + 2 - 1;
console.log(SECONDS, MASK, LABEL, FLAGS, HALF, NEG, MIX, 10 / 4 * 2, 2 ** 10 - 1, typeof "x" + typeof 1);
// ==== dce-coercion-side-effects
function coerce() {
  let hits = 0;
  const a = -{ valueOf() { hits++; return 1; } };
  const b = -{ valueOf: () => hits++ };
  const c = -[{ toString() { hits++; return "2"; } }];
  const d = !{ valueOf() { hits++; return 1; } };
  const e = void { valueOf() { hits++; } };
  const f = -"3";
  return hits;
}
console.log(coerce());
