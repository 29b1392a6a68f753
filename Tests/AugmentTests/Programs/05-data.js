// ==== array-methods
const xs = [5, 3, 8, 1, 9, 2];
console.log(xs.filter(x => x % 2).map(x => x * 10).join(), xs.slice().sort((a, b) => a - b).join());
console.log(xs.reduce((a, b) => a + b, 0), xs.find(x => x > 5), xs.findIndex(x => x > 100), xs.includes(8));
console.log(xs.some(x => x > 8), xs.every(x => x > 0), xs.indexOf(9), xs.flatMap(x => [x, -x]).length);
// ==== array-holes-and-length
const holes = [1, , 3];
console.log(holes.length, 1 in holes, holes.map(x => x * 2).join(), Object.keys(holes).join());
const grow = [];
grow[4] = "e";
grow.length = 6;
console.log(grow.length, grow.filter(() => true).length, JSON.stringify(grow));
// ==== sort-stability
const people = [["b", 2], ["a", 1], ["c", 2], ["d", 1]];
console.log(people.sort((p, q) => p[1] - q[1]).map(p => p[0]).join(""));
console.log([10, 9, 1, 100].sort().join(), ["B", "a", "C"].sort().join());
// ==== map-set
const mp = new Map([["k1", 1], [{}, 2], [NaN, "nan"]]);
mp.set("k1", 10).set(0, "zero");
console.log(mp.size, mp.get("k1"), mp.get(NaN), mp.get(-0), [...mp.keys()].length);
const st = new Set([1, 2, 2, 3, "3", NaN, NaN]);
console.log(st.size, st.has("3"), [...st].join("|"));
// ==== weakmap-private
const priv = new WeakMap();
function Person(name) { priv.set(this, { name }); }
Person.prototype.getName = function () { return priv.get(this).name; };
console.log(new Person("Zed").getName(), priv.has({}));
// ==== json-roundtrip
const data = { n: 1.5, s: "q\"uote", a: [1, "two", null, true], nested: { e: {} }, u: undefined, f() {} };
const txt = JSON.stringify(data);
console.log(txt);
console.log(JSON.stringify(JSON.parse(txt), null, 2));
console.log(JSON.stringify({ date: 0 }, (k, v) => typeof v === "number" ? v + 1 : v));
// ==== string-methods
const str = "  Hello, World  ";
console.log(str.trim().toUpperCase(), str.trimStart().length, str.split(",").map(s => s.trim()).join("|"));
console.log("abc".padStart(6, "-"), "abc".padEnd(5, "*"), "ab".repeat(3), "hello".at(-1), "Straße".normalize("NFD").length);
console.log("a-b-c".replaceAll("-", "+"), "x".codePointAt(0), String.fromCharCode(72, 105), "%".charCodeAt());
// ==== string-escapes
const esc = 'single \'quoted\' "double" \\ back\tslash\n';
const esc2 = "double \"quoted\" 'single' \u00e9 \x41 \u{1F600}";
console.log(esc, esc2, esc.length, esc2.length, 'it\'s', "say \"hi\"", '\u2028'.length);
// ==== unicode-strings
const emoji = "😀👍🏽";
console.log(emoji.length, [...emoji].length, emoji.codePointAt(0).toString(16), "\ud83d".length);
console.log("é" === "\u00e9", "ﬀ".toUpperCase(), "İ".toLowerCase().length);
// ==== number-formatting
console.log((1234.5678).toFixed(2), (0.000001234).toPrecision(2), (255).toString(16), (255).toString(2));
console.log(1e21 + 1, 123e-20, 0.1 * 3, 100 / 3, 5e-324, 1.7976931348623157e308, 2 ** 1024);
console.log(Number("0x10"), parseInt("08"), parseFloat("3.14abc"), Number(""), Number(" 12 "), +"1e3");
console.log(Number.MAX_SAFE_INTEGER + 2, 9007199254740993, 0.1 + 0.7, 1 / 3, -1e-7, 1e300 * 10);
// ==== number-literal-forms
console.log(0x1F, 0o17, 0b1010, 1_000_000, .5, 5., 1e3, 0.0, 017 + 0, 0.1e1, 0XAB, 1E-3);
// ==== math-functions
console.log(Math.round(2.5), Math.round(-2.5), Math.floor(-0.5), Math.trunc(-4.7), Math.sign(-3));
console.log(Math.max(), Math.min(), Math.hypot(3, 4), Math.cbrt(27), Math.abs(-0), Object.is(Math.round(-0.4), -0));
// ==== date-fixed
const dt = new Date(Date.UTC(2020, 1, 29, 12, 30));
console.log(dt.toISOString(), dt.getUTCDay(), new Date(0).toISOString(), Date.UTC(1970, 0, 2));
// ==== object-methods
const src = { a: 1, b: { c: 2 } };
const copy = Object.assign({}, src, { d: 3 });
console.log(JSON.stringify(copy), copy.b === src.b, JSON.stringify(Object.fromEntries([["x", 1], ["y", 2]])));
console.log(Object.entries(src).length, JSON.stringify(Object.freeze({ q: 1 })), Object.keys("ab").join());
// ==== getter-on-class-and-object-spread
const withGetter = { get now() { return "computed"; } };
const spreadCopy = { ...withGetter };
console.log(typeof Object.getOwnPropertyDescriptor(spreadCopy, "now").get, spreadCopy.now);
// ==== typed-arrays
const ta = new Uint8Array([250, 260, -1]);
const f32 = new Float32Array([0.1]);
console.log(ta.join(), f32[0], new Int16Array(new ArrayBuffer(4)).length, Uint8Array.from("123").join());
// ==== proxy-reflect
const logged = [];
const prox = new Proxy({ a: 1 }, {
  get(t, p, r) { logged.push("get " + String(p)); return Reflect.get(t, p, r); },
  has(t, p) { logged.push("has " + p); return p in t; },
});
console.log(prox.a, "a" in prox, prox.zz);
console.log(logged.join("; "));
// ==== getter-side-effects-order
const trace = [];
const obj3 = { get a() { trace.push("a"); return 1; }, get b() { trace.push("b"); return 2; } };
const sumab = obj3.a + obj3.b * obj3.a;
console.log(sumab, trace.join(""));
// ==== equality-objects
const oa = { v: 1 }, ob = { v: 1 };
console.log(oa == ob, oa === oa, [1] == 1, [1, 2] == "1,2", NaN !== NaN, Object.is(NaN, 0 / 0));
// ==== string-compare-localeless
const words = ["banana", "Apple", "cherry", "apple"];
console.log(words.slice().sort().join(), words.map(w => w < "b").join());
