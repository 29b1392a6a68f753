#!/usr/bin/env node
// The TypeScript-compiler peer for `codeintel eval types --tsc`.
//
// Input (file named by argv[2], or stdin): JSON array of
//   {package, path, text, sites: [{kind, offset}]}   (offset: UTF-8 byte offset where `: T` goes)
// Output (stdout): JSON array, one entry per input file:
//   {fix: [string|null per site], checker: [string|null per site], error?: string}
// `fix`: the annotation the language service's `inferFromUsage` combined code fix inserts at the site.
// `checker`: the checker's own type at the site (declared/inferred type of the name; for returns the
// return type of the function's signature).
//
// Files are written under a temp dir at <package>/<path>, so relative imports between de-annotated files
// of the same package resolve; one language service per package (lib files shared through one
// document registry). Needs Debian's node-typescript (NODE_PATH=/usr/share/nodejs).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const input = JSON.parse(fs.readFileSync(process.argv[2] || 0, 'utf8'));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-types-'));
const options = {
  noImplicitAny: true, strict: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.NodeJs, esModuleInterop: true, jsx: ts.JsxEmit.Preserve,
  noEmit: true, skipLibCheck: true, experimentalDecorators: true,
};
const registry = ts.createDocumentRegistry();

// UTF-8 byte offset -> UTF-16 index of a JS string.
function byteToUtf16(text) {
  const map = new Map();
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    map.set(bytes, i);
    const c = text.codePointAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (c >= 0x10000) i++;
  }
  map.set(bytes, text.length);
  return map;
}

function fileName(f) {
  const p = path.join(root, f.package.replace(/[^A-Za-z0-9._-]/g, '_'), f.path);
  return p.endsWith('.ts') || p.endsWith('.tsx') ? p : p + '.ts';
}

// The annotation text of an inserted `: T` (or `(x: T)` for a bare arrow parameter), or null.
function annotationOf(newText) {
  const m = /^\s*\??:\s*([\s\S]+?)\s*$/.exec(newText);
  return m ? m[1] : null;
}

const byPackage = new Map();
input.forEach((f, i) => {
  const name = fileName(f);
  fs.mkdirSync(path.dirname(name), { recursive: true });
  fs.writeFileSync(name, f.text);
  if (!byPackage.has(f.package)) byPackage.set(f.package, []);
  byPackage.get(f.package).push({ f, i, name });
});

const output = new Array(input.length);
for (const [, entries] of byPackage) {
  const names = entries.map((e) => e.name);
  const host = {
    getScriptFileNames: () => names,
    getScriptVersion: () => '1',
    getScriptSnapshot: (n) => (fs.existsSync(n) ? ts.ScriptSnapshot.fromString(fs.readFileSync(n, 'utf8')) : undefined),
    getCurrentDirectory: () => root,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists, readFile: ts.sys.readFile, readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists, getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, registry);
  for (const { f, i, name } of entries) {
    const offsets = byteToUtf16(f.text);
    const fix = f.sites.map(() => null);
    const checker = f.sites.map(() => null);
    const result = { fix, checker };
    try {
      // The fix: every insertion of `: T` at a site's position.
      const at = new Map();
      f.sites.forEach((s, k) => { const u = offsets.get(s.offset); if (u !== undefined) at.set(u, k); });
      const combined = service.getCombinedCodeFix({ type: 'file', fileName: name }, 'inferFromUsage', {}, {});
      for (const change of combined.changes) {
        if (change.fileName !== name) continue;
        for (const tc of change.textChanges) {
          const type = annotationOf(tc.newText);
          const k = at.get(tc.span.start + tc.span.length);
          if (type !== null && k !== undefined && fix[k] === null) { fix[k] = type; continue; }
          // `x => …` becomes `(x: T) => …`: the site is at the end of the replaced name.
          const m = /^\(\s*[\w$]+\s*:\s*([\s\S]+)\)$/.exec(tc.newText);
          const k2 = at.get(tc.span.start + tc.span.length);
          if (m && k2 !== undefined && fix[k2] === null) fix[k2] = m[1].trim();
        }
      }
      // The checker's own view of each site.
      const program = service.getProgram();
      const tc = program.getTypeChecker();
      const source = program.getSourceFile(name);
      const byEnd = new Map();
      const visit = (node) => {
        if ((ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) && node.name) {
          let end = node.name.end;
          const q = node.questionToken || node.exclamationToken;
          if (q) end = q.end;
          byEnd.set('d' + end, node);
        }
        if (ts.isFunctionLike(node) && node.parameters) {
          const close = source.text.indexOf(')', node.parameters.end);
          if (close >= 0) byEnd.set('r' + (close + 1), node);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      f.sites.forEach((s, k) => {
        const u = offsets.get(s.offset);
        if (u === undefined) return;
        const flags = ts.TypeFormatFlags.NoTruncation;
        if (s.kind === 'return') {
          const fn = byEnd.get('r' + u);
          if (!fn) return;
          const sig = tc.getSignatureFromDeclaration(fn);
          if (sig) checker[k] = tc.typeToString(tc.getReturnTypeOfSignature(sig), fn, flags);
        } else {
          const decl = byEnd.get('d' + u);
          if (!decl) return;
          checker[k] = tc.typeToString(tc.getTypeAtLocation(decl.name), decl, flags);
        }
      });
    } catch (e) {
      result.error = String(e && e.message || e);
    }
    output[i] = result;
  }
}
fs.rmSync(root, { recursive: true, force: true });
process.stdout.write(JSON.stringify(output));
