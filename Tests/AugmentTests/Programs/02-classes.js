// ==== class-basic
class Point {
  constructor(x, y) { this.x = x; this.y = y; }
  norm2() { return this.x * this.x + this.y * this.y; }
  toString() { return `(${this.x}, ${this.y})`; }
  static origin() { return new Point(0, 0); }
}
const pt = new Point(3, 4);
console.log(pt.norm2(), String(pt), Point.origin().toString());
// ==== class-private-fields
class Account {
  #balance = 0;
  static #count = 0;
  constructor(owner) { this.owner = owner; Account.#count++; }
  deposit(v) { if (v <= 0) throw new RangeError("bad amount"); this.#balance += v; return this; }
  get balance() { return this.#balance; }
  #secret() { return "s:" + this.owner; }
  reveal() { return this.#secret(); }
  static count() { return Account.#count; }
  static has(o) { return #balance in o; }
}
const acct = new Account("ann").deposit(5).deposit(7);
new Account("bob");
try { acct.deposit(-1); } catch (e) { console.log(e.name, e.message); }
console.log(acct.balance, acct.reveal(), Account.count(), Account.has(acct), Account.has({}));
// ==== class-inheritance-super
class Animal {
  constructor(name) { this.name = name; }
  speak() { return this.name + " makes a sound"; }
  get kind() { return "animal"; }
}
class Dog extends Animal {
  speak() { return super.speak() + " (woof)"; }
  get kind() { return "dog/" + super.kind; }
}
const d = new Dog("rex");
console.log(d.speak(), d.kind, d instanceof Animal, Object.getPrototypeOf(Dog) === Animal);
// ==== getters-setters
const temp = {
  _c: 25,
  get f() { return this._c * 9 / 5 + 32; },
  set f(v) { this._c = (v - 32) * 5 / 9; },
};
console.log(temp.f);
temp.f = 212;
console.log(temp._c, temp.f);
const desc = Object.getOwnPropertyDescriptor(temp, "f");
console.log(typeof desc.get, typeof desc.set, desc.enumerable);
// ==== class-static-block
class Config {
  static defaults;
  static {
    const base = { debug: false, level: 3 };
    this.defaults = Object.freeze({ ...base, level: base.level + 1 });
  }
}
console.log(JSON.stringify(Config.defaults), Object.isFrozen(Config.defaults));
// ==== class-fields-arrow-this
class Button {
  label = "ok";
  count = 0;
  click = () => { this.count++; return this.label + this.count; };
}
const btn = new Button();
const click = btn.click;
console.log(click(), click(), btn.count);
// ==== class-expression-name
const K = class Inner {
  who() { return Inner.name + "/" + typeof Inner; }
};
console.log(new K().who(), K.name, typeof Inner);
// ==== class-computed-members
const sym = Symbol("tag");
const key = "dyn" + 1;
class C2 {
  [key]() { return "computed " + key; }
  get [sym]() { return "symbol getter"; }
  static ["st" + "atic"]() { return "static computed"; }
}
console.log(new C2().dyn1(), new C2()[sym], C2.static());
// ==== instanceof-custom
class Even { static [Symbol.hasInstance](n) { return n % 2 === 0; } }
console.log(2 instanceof Even, 3 instanceof Even);
// ==== class-accessor-inheritance
class Base {
  #v = 1;
  get v() { return this.#v; }
  set v(x) { this.#v = x * 2; }
}
class Derived extends Base {
  set v(x) { super.v = x + 1; }
  get v() { return super.v * 10; }
}
const dd = new Derived();
dd.v = 4;
console.log(dd.v);
// ==== toString-valueOf
const money = {
  amount: 42,
  valueOf() { return this.amount; },
  toString() { return "$" + this.amount; },
};
console.log(money + 1, `${money}`, String(money), money > 41, [money] + "");
// ==== method-chaining
class Q {
  constructor() { this.items = []; }
  add(x) { this.items.push(x); return this; }
  map(f) { const q = new Q(); this.items.forEach(i => q.add(f(i))); return q; }
  toString() { return this.items.join("|"); }
}
console.log(new Q().add(1).add(2).add(3).map(x => x * x).toString());
// ==== new-target
function Maker() {
  if (!new.target) return "called";
  this.made = true;
}
console.log(Maker(), new Maker().made);
// ==== prototype-chain
function Shape() {}
Shape.prototype.area = function () { return 0; };
function Sq(s) { this.s = s; }
Sq.prototype = Object.create(Shape.prototype);
Sq.prototype.constructor = Sq;
Sq.prototype.area = function () { return this.s * this.s; };
const shapes = [new Shape(), new Sq(3)];
console.log(shapes.map(s => s.area()).join(","), shapes[1] instanceof Shape);
// ==== object-define-property
const o2 = {};
Object.defineProperty(o2, "hidden", { value: 1, enumerable: false });
Object.defineProperty(o2, "shown", { get() { return this.hidden + 1; }, enumerable: true });
console.log(Object.keys(o2).join(), o2.hidden, o2.shown, JSON.stringify(o2));
// ==== error-subclass
class AppError extends Error {
  constructor(msg, code) { super(msg); this.name = "AppError"; this.code = code; }
}
try { throw new AppError("boom", 7); } catch (e) {
  console.log(e instanceof AppError, e instanceof Error, e.name, e.message, e.code);
}
// ==== symbol-basics
const s1 = Symbol("id"), s2 = Symbol("id");
const so = { [s1]: 1, regular: 2 };
console.log(s1 === s2, s1.toString(), s1.description, Object.keys(so).length, so[s1]);
console.log(Symbol.for("k") === Symbol.for("k"), typeof s1, Object.getOwnPropertySymbols(so).length);
// ==== symbol-iterator
const range = {
  from: 1, to: 4,
  [Symbol.iterator]() {
    let cur = this.from, last = this.to;
    return { next: () => cur <= last ? { value: cur++, done: false } : { value: undefined, done: true } };
  },
};
console.log([...range].join(","), Array.from(range, x => x * 10).join(","));
// ==== symbol-toprimitive
const temp2 = { [Symbol.toPrimitive](hint) { return hint === "number" ? 42 : "str:" + hint; } };
console.log(+temp2, `${temp2}`, temp2 + "");
