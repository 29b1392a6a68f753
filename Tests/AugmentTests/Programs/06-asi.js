// ==== asi-no-semicolons-style
const list = [3, 1, 2]
const sorted = list.slice().sort()
let total = 0
for (const v of sorted) total += v
console.log(sorted.join(''), total)
const obj = { a: 1 }
const k = 'a'
console.log(obj[k])
// ==== asi-template-start
const tagFn = s => s.length + ':' + s[0]
const out = tagFn
`abc`
console.log(typeof out, out)
// ==== asi-return-object
function noObj() {
  return
  { a: 1 }
}
function yesObj() {
  return {
    a: 1
  }
}
console.log(noObj(), yesObj().a)
// ==== asi-postfix
let i = 1
let j = 2
i
++j
console.log(i, j)
// ==== asi-throw-and-break
function t() {
  for (;;) {
    break
  }
  try {
    throw new Error('nl')
  } catch (e) {
    return e.message
  }
}
console.log(t())
// ==== asi-arrow-bodies
const f = () =>
  1 + 2
const g = x => ({ x })
const h = async () => 1
console.log(f(), g(4).x, typeof h)
h().then(v => console.log('async', v))
// ==== asi-minus-plus-lines
let m = 5
let n = m
-1
let p = m
+ +1
console.log(n, p)
// ==== asi-class-fields
class F {
  a = 1
  b = this.a + 1;
  ['c'] = 3
  static d = 'dee'
  m() { return this.a + this.b + this.c }
}
console.log(new F().m(), F.d)
// ==== asi-let-as-identifier
var let_ = 1
var yield_ = 2
var async = 3
var of = 4
console.log(let_ + yield_ + async + of)
// ==== asi-get-set-identifiers
const gs = { get: 1, set: 2, static: 3, get x() { return this.get + this.set } }
console.log(gs.x, gs.static)
// ==== comments-everywhere
/* leading block */
function /* name */ commented(/* no params */) // trailing line
{
  // a line comment
  const v = 1 /* inline */ + /* another */ 2 // end
  /**
   * doc comment
   */
  return v /* before semicolon */;
}
console.log(commented()) // done
// ==== comment-asi-interplay
function cm() {
  return /* same line */ 7
}
let a = 1 /*
*/ let b = 2
console.log(cm(), a, b)
// ==== html-like-comments-free
const lt = 3, gt = 1
console.log(lt < !gt, lt-- > gt, lt)
// ==== directives
function strictFn() {
  'use strict'
  try { undeclaredAssign = 1 } catch (e) { return e.name }
  return 'no error'
}
function sloppyFn() { sloppyGlobal = 1; return typeof sloppyGlobal }
console.log(strictFn(), sloppyFn())
// ==== quote-styles
const sq = 'has "double" inside'
const dq = "has 'single' inside"
const both = 'mix \' and "'
const bs = "back\\slash \"q\""
console.log(sq, dq, both, bs, sq.length + dq.length + both.length + bs.length)
// ==== keywords-as-properties
const kw = { if: 1, for: 2, class: 3, new: 4, typeof: 5, delete: 6, in: 7, default: 8 }
console.log(kw.if + kw.for + kw.class + kw.new + kw.typeof + kw.delete + kw.in + kw.default, kw['default'])
// ==== division-after-paren-and-brace
const q1 = (10) / 2 / 1
const q2 = [4][0] / 2
const q3 = { v: 8 }.v / 4
console.log(q1, q2, q3)
// ==== unary-chains
const z = 3
console.log(- -z, +-z, !-z, ~-z, typeof -z, - +z, -(-z), !!!z)
// ==== ternary-chains
const grade = s => s > 89 ? 'A' : s > 79 ? 'B' : s > 69 ? 'C' : 'F'
console.log([95, 85, 75, 5].map(grade).join(''))
const pickFn = true ? function () { return 'fn' } : null
console.log(pickFn())
