// ==== closures-counter
function makeCounter(start) {
  let n = start
  return {
    inc() { n = n + 1; return n },
    dec: function () { n -= 1; return n; },
    get value() { return n }
  }
}
const c = makeCounter(10)
c.inc(); c.inc(); c.dec()
console.log(c.value, c.inc())
// ==== closures-loop-let
var fns = [];
for (let i = 0; i < 3; i++) fns.push(() => i * 2);
console.log(fns.map(f => f()).join(","));
var gs = [];
for (var j = 0; j < 3; j++) gs.push(function () { return j; });
console.log(gs.map(g => g()).join(","));
// ==== hoisting-functions
console.log(typeof hoisted, hoisted());
function hoisted() { return "hoisted!"; }
console.log(typeof notYet);
var notYet = 5;
console.log(notYet);
// ==== hoisting-var-in-block
function f() {
  if (true) { var inner = "set"; }
  return inner;
}
console.log(f());
function g() {
  return v;
  var v = 1;
}
console.log(g());
// ==== shadowing
let x = "outer";
function show() {
  let x = "inner";
  { let x = "block"; console.log(x); }
  console.log(x);
}
show();
console.log(x);
// ==== shadow-params
function p(a, b = a + 1) {
  var a;
  console.log(a, b);
  a = 10;
  return a + b;
}
console.log(p(1), p(2, 3));
// ==== arithmetic-constants
console.log(60 * 60 * 1000, 1 / 0, -1 / 0, 0 / 0);
console.log(0.1 + 0.2, 2 ** 53 + 1, 2 ** 53 + 2, 1e21, 1e-7, 123456789012345680000);
console.log(-0 === 0, Object.is(-0, 0 * -1), 1 / (0 * -1));
console.log(7 % -3, -7 % 3, 5.5 % 2, 2 ** -1, (-8) ** (1 / 3));
console.log(1 << 31, 1 << 32, -1 >>> 0, -1 >> 28, ~5, 5 & 3 | 8 ^ 2);
// ==== string-number-concat
console.log("a" + 1 + 2, 1 + 2 + "a", "x" + 0.1 * 3, "" + 1e21 + "|" + 1e-7);
console.log("n:" + -0, "big:" + 2 ** 70, "neg:" + -1.5e-10, "t" + true + null + undefined);
console.log("abc" < "abd", "B" < "a", "10" < "9", 10 < 9, "é" > "z");
// ==== comparisons-equality
console.log(1 == true, 0 == false, null == undefined, null === undefined, NaN == NaN);
console.log(1 === 1.0, "1" == 1, [] == false, null == 0, undefined == 0);
console.log(typeof 1, typeof "s", typeof true, typeof null, typeof undefined, typeof void 0, typeof {});
// ==== logical-ops
console.log(0 || "fallback", 1 && "second", null ?? "nullish", 0 ?? "zero kept", "" || 0 || null);
console.log(true && false || true, !0, !1, !!"", !!"x");
let calls = 0;
function side() { calls++; return true; }
false && side();
true || side();
null ?? side();
console.log(calls);
// ==== if-to-and
var log = [];
function check(v) {
  if (v > 2) log.push("big:" + v);
  if (v % 2 === 0) { log.push("even:" + v); }
  v < 0 && log.push("neg");
  v === 3 || log.push("not3");
}
[1, 2, 3, 4, -1].forEach(check);
console.log(log.join(" "));
// ==== return-ternary
function sign(n) {
  if (n > 0) return "pos";
  else if (n < 0) return "neg";
  return "zero";
}
function pick(a, b) {
  if (a > b) { return a; } else { return b; }
}
function both(c) { return c ? "yes" : "no"; }
console.log(sign(3), sign(-2), sign(0), pick(3, 9), pick(9, 3), both(1), both(0));
// ==== compound-assign
function acc(list) {
  let total = 0, prod = 1, bits = 0;
  for (const v of list) {
    total = total + v;
    prod *= v;
    bits = bits | v;
  }
  let s = "";
  s += total;
  s = s + "/" + prod;
  return s + "/" + bits;
}
console.log(acc([1, 2, 3, 4]));
// ==== member-access
const obj = { alpha: 1, "beta": 2, class: 3, "with-dash": 4 };
obj.gamma = obj["alpha"] + obj.beta;
console.log(obj.alpha, obj["beta"], obj.class, obj["with-dash"], obj["gamma"], Object.keys(obj).join());
console.log("str".length, [1, 2, 3]["length"], (5).toFixed(1), 5..toString(), 0.5.toFixed(2));
// ==== undefined-and-void
function u(a) {
  if (a === undefined) return "missing";
  return a === void 0 ? "never" : "given:" + a;
}
console.log(u(), u(undefined), u(0), typeof undefined, [undefined, void 0].length);
// ==== undefined-shadowed
function shadow() {
  var undefined = 5;
  return undefined + 1;
}
console.log(shadow());
// ==== dead-code-after-return
function dead(x) {
  if (x) {
    return helper();
    console.log("never");
    function helper() { return "helper ran"; }
    var late = 1;
  }
  return typeof late;
}
console.log(dead(1), dead(0));
// ==== if-false-branches
function branches(n) {
  let out = [];
  if (false) { out.push("no"); } else { out.push("yes"); }
  if (0) out.push("zero");
  if (1) { out.push("one"); } else { out.push("not one"); }
  if (!1) out.push("not"); else out.push("else");
  return out.join("-") + n;
}
console.log(branches("!"));
// ==== asi-hazards
let a1 = 1
let b1 = a1
;[a1, b1] = [b1 + 1, a1 + 2]
console.log(a1, b1)
const t1 = `x`
;(function () { console.log("iife", t1) })()
let c1 = a1
++b1
console.log(c1, b1)
function r() {
  return
  42
}
console.log(r())
// ==== asi-regex-division
let g1 = 10
let h1 = 2
let d1 = g1
/h1/1
console.log(d1)
let re = /ab+c/gi
console.log(re.test("xxABBC"), "aBc abc".replace(/b/g, "_"), /[/]/.source)
