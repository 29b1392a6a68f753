// ==== generators-basic
function* gen(n) {
  for (let i = 0; i < n; i++) {
    const got = yield i * 2;
    if (got) console.log("got", got);
  }
  return "done";
}
const it = gen(3);
console.log(JSON.stringify(it.next()), JSON.stringify(it.next("a")), JSON.stringify(it.next()));
console.log(JSON.stringify(it.next()), JSON.stringify(it.next()));
// ==== generators-delegate
function* inner() { yield 1; yield 2; return 3; }
function* outer() { const r = yield* inner(); yield r; yield* [4, 5]; }
console.log([...outer()].join(" "));
// ==== generator-return-throw
function* g2() {
  try { yield 1; yield 2; } finally { console.log("cleanup"); }
}
const i2 = g2();
console.log(i2.next().value);
console.log(JSON.stringify(i2.return(9)));
const i3 = g2();
i3.next();
try { i3.throw(new Error("inj")); } catch (e) { console.log("caught", e.message); }
// ==== async-await-order
const order = [];
async function a() { order.push("a1"); await null; order.push("a2"); return "A"; }
async function b() { order.push("b1"); const v = await a(); order.push("b2:" + v); }
b().then(() => { order.push("then"); console.log(order.join(",")); });
order.push("sync");
// ==== async-errors
async function fails(n) {
  if (n > 1) throw new TypeError("too big: " + n);
  return n;
}
(async () => {
  for (const n of [1, 2]) {
    try { console.log("ok", await fails(n)); } catch (e) { console.log("err", e.name, e.message); }
  }
  const settled = await Promise.allSettled([fails(0), fails(5)]);
  console.log(settled.map(s => s.status).join());
})();
// ==== promise-chains
Promise.resolve(1)
  .then(v => v + 1)
  .then(v => { throw new Error("at " + v); })
  .catch(e => e.message)
  .finally(() => console.log("finally"))
  .then(v => console.log("value", v));
Promise.all([1, Promise.resolve(2), new Promise(r => setTimeout(() => r(3), 1))]).then(v => console.log(v.join("+")));
// ==== async-generators
async function* ticks(n) { for (let i = 0; i < n; i++) { await null; yield "t" + i; } }
(async () => {
  const seen = [];
  for await (const t of ticks(3)) seen.push(t);
  console.log(seen.join(" "));
})();
// ==== this-binding
const holder = {
  name: "holder",
  regular() { return this && this.name; },
  arrow: () => typeof this,
  nested() { return [1].map(function () { return this === undefined ? "undef" : typeof this; })[0]; },
  nestedArrow() { return [1].map(() => this.name)[0]; },
};
const loose = holder.regular;
console.log(holder.regular(), holder.arrow(), holder.nested(), holder.nestedArrow(), typeof loose());
console.log(holder.regular.call({ name: "other" }), holder.regular.bind({ name: "bound" })());
// ==== this-strict
function strictThis() { "use strict"; return this; }
function sloppyThis() { return typeof this; }
console.log(strictThis(), strictThis.call(5), sloppyThis(), typeof sloppyThis.call(5));
// ==== arguments-object
function args() {
  const a = Array.prototype.slice.call(arguments);
  return arguments.length + ":" + a.join("/");
}
function mapped(x) { arguments[0] = "changed"; return x; }
function unmapped(x) { "use strict"; arguments[0] = "changed"; return x; }
const arrowArgs = function () { return (() => arguments[1])(); };
console.log(args(1, 2, 3), args(), mapped("orig"), unmapped("orig"), arrowArgs("a", "b"));
// ==== default-params
function greet(name = "world", punct = name.length > 3 ? "!" : "?") { return "hi " + name + punct; }
console.log(greet(), greet("bob"), greet(undefined, "."), greet(null));
// ==== rest-spread
function sum(first, ...rest) { return first + rest.reduce((s, v) => s + v, 0); }
const nums = [1, 2, 3];
console.log(sum(...nums, 4), sum(10), Math.max(...nums), [...nums, ...[4, 5]].length);
const merged = { ...{ a: 1, b: 2 }, b: 3, ...null, ...{ c: 4 } };
console.log(JSON.stringify(merged), [..."héllo"].length);
// ==== destructuring-defaults
const { p = 1, q: { r = 2, s = 3 } = {}, ...others } = { q: { r: 20 }, t: 5, u: 6 };
console.log(p, r, s, JSON.stringify(others));
const [first, , third = "def", ...tail] = [1, 2, undefined, 4, 5];
console.log(first, third, tail.join());
function params({ a, b = a * 2 } = {}, [c, d] = [7, 8]) { return [a, b, c, d].join(); }
console.log(params(), params({ a: 1 }), params({ a: 1, b: 1 }, [0]));
// ==== destructuring-swap-nested
let m = 1, n = 2;
[m, n] = [n, m];
const { data: { items: [, second] } } = { data: { items: ["x", "y", "z"] } };
console.log(m, n, second);
for (const [k, v] of Object.entries({ one: 1, two: 2 })) console.log(k, v);
// ==== recursion-memo
const memo = new Map();
function fib(k) {
  if (k < 2) return k;
  if (memo.has(k)) return memo.get(k);
  const v = fib(k - 1) + fib(k - 2);
  memo.set(k, v);
  return v;
}
console.log(fib(50), fib(90), memo.size);
// ==== iife-and-closures
const counter = (function () {
  let private_ = 0;
  return { next: () => ++private_, reset() { private_ = 0; } };
})();
counter.next(); counter.next();
console.log(counter.next());
counter.reset();
console.log(counter.next());
// ==== higher-order
const compose = (...fs) => x => fs.reduceRight((acc, f) => f(acc), x);
const inc = x => x + 1, dbl = x => x * 2;
console.log(compose(inc, dbl)(5), compose(dbl, inc)(5), compose()(7));
const curry = f => a => b => f(a, b);
console.log(curry(Math.pow)(2)(10));
// ==== function-properties
function named(a, b) {}
const anon = function () {};
const arrowFn = (x, y = 1, ...z) => {};
console.log(named.name, named.length, anon.name, arrowFn.name, arrowFn.length);
// ==== call-apply-bind
function intro(greeting, punct) { return greeting + ", " + this.name + punct; }
const who = { name: "Ada" };
console.log(intro.call(who, "Hi", "!"), intro.apply(who, ["Yo", "?"]), intro.bind(who, "Hey")("."));
