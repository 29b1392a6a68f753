#!/usr/bin/env node
// Session 11, issue 18: the pre-registered wrapped-callback candidate W for `thin`
// (docs/audits/clone-thin-callback-prereg.txt). Scratch-level measuring script; the rules live in CloneWorth.
//
//   node clone-thin-callback-measure.js REPORT.json ROOT > MEASURES.json
//
// For every member of the near-miss and functional groups of REPORT (paths relative to ROOT) it re-measures the
// body's top-level statements and compound statements with the TypeScript compiler's parser (Debian's
// node-typescript), under the current rule (`cur`: a curried arrow's inner body) and under W (`w`). Output: one
// object per group id: [{path, startByte, endByte, cur: [statements, compound], w: [statements, compound]} | null].
'use strict';
const fs = require('fs');
const path = require('path');
let ts;
try { ts = require('typescript'); } catch (e) { ts = require('/usr/share/nodejs/typescript'); }

const COMPOUND = new Set([
  ts.SyntaxKind.IfStatement, ts.SyntaxKind.ForStatement, ts.SyntaxKind.ForInStatement, ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.WhileStatement, ts.SyntaxKind.DoStatement, ts.SyntaxKind.SwitchStatement, ts.SyntaxKind.TryStatement,
  ts.SyntaxKind.Block, ts.SyntaxKind.LabeledStatement, ts.SyntaxKind.WithStatement,
]);
const isFn = (n) => n && (ts.isArrowFunction(n) || ts.isFunctionExpression(n));
const isFnLike = (n) => isFn(n) || ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) ||
  ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n);

// The wrapped callback of a body under W, or null.
function wrapped(body) {
  let e = null;
  if (ts.isBlock(body)) {
    const top = body.statements.filter((s) => s.kind !== ts.SyntaxKind.EmptyStatement);
    if (top.length !== 1) return null;
    const s = top[0];
    if (ts.isExpressionStatement(s)) e = s.expression;
    else if (ts.isReturnStatement(s) && s.expression) e = s.expression;
    else return null;
  } else {
    e = body;
  }
  let awaits = 0;
  for (;;) {
    if (ts.isParenthesizedExpression(e)) { e = e.expression; continue; }
    if (ts.isAwaitExpression(e) && awaits === 0) { awaits++; e = e.expression; continue; }
    break;
  }
  if (!(ts.isCallExpression(e) || ts.isNewExpression(e)) || !e.arguments) return null;
  let best = null;
  for (const a of e.arguments) {
    if (isFn(a) && (!best || a.end - a.pos > best.end - best.pos)) best = a;
  }
  return best;
}

function size(body, w) {
  // current rule: an arrow's expression body that is itself a function is measured inside (curried arrow)
  if (!ts.isBlock(body) && isFn(body)) return size(body.body, w);
  if (w) {
    const cb = wrapped(body);
    if (cb) return size(cb.body, w);
  }
  if (ts.isBlock(body)) {
    const top = body.statements.filter((s) => s.kind !== ts.SyntaxKind.EmptyStatement);
    return [top.length, top.filter((s) => COMPOUND.has(s.kind)).length];
  }
  return [1, 0];
}

const cache = new Map();
function parse(file) {
  if (!cache.has(file)) {
    let v = null;
    try {
      const buf = fs.readFileSync(file);
      const text = buf.toString('utf8');
      const ext = path.extname(file).toLowerCase();
      const kind = ext === '.tsx' ? ts.ScriptKind.TSX : ext === '.jsx' ? ts.ScriptKind.JSX
        : (ext === '.js' || ext === '.mjs' || ext === '.cjs') ? ts.ScriptKind.JSX : ts.ScriptKind.TS;
      const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
      const fns = [];
      (function walk(n) { if (isFnLike(n) && n.body) fns.push(n); ts.forEachChild(n, walk); })(sf);
      v = { buf, sf, fns };
    } catch (e) { v = null; }
    cache.set(file, v);
  }
  return cache.get(file);
}

// byte offset -> UTF-16 offset
function charAt(buf, byte) { return buf.subarray(0, byte).toString('utf8').length; }

function member(root, m) {
  const p = parse(path.join(root, m.path));
  if (!p) return null;
  const s = charAt(p.buf, m.startByte), e = charAt(p.buf, m.endByte);
  // the function-like node that overlaps the member's range most (its own function, not a nested one; a node's
  // start may include `export` or decorators that the member's range leaves out)
  // (the node whose range differs least from the member's: overlap minus what lies outside the overlap)
  let best = null, bestOverlap = 0, bestScore = -Infinity;
  for (const f of p.fns) {
    const fs_ = f.getStart(p.sf);
    const overlap = Math.min(e, f.end) - Math.max(s, fs_);
    const score = overlap - (Math.max(e, f.end) - Math.min(s, fs_) - overlap);
    if (overlap > 0 && score > bestScore) { best = f; bestOverlap = overlap; bestScore = score; }
  }
  if (!best || bestOverlap < (e - s) / 2) return null;
  return { cur: size(best.body, false), w: size(best.body, true) };
}

const [reportPath, root] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
const out = {};
for (const g of report.groups) {
  if (g.kind !== 'near-miss' && g.kind !== 'functional') continue;
  out[g.id] = g.members.map((m) => member(root, m));
}
process.stdout.write(JSON.stringify(out));
