#!/usr/bin/env node
// The type checker behind `codeintel suggest-types --check` and the LSP's checked type hints.
//
// One long-lived process per workspace. It keeps one TypeScript language service per tsconfig.json (or one
// with default options for files outside any project) and in-memory texts of the files it was told about,
// so checking an edited version re-parses that file and re-checks it against the cached lib and imported
// files instead of building a program from scratch.
//
// Protocol: one JSON object per line on stdin, one answer per line on stdout.
//   start-up answer:  {"ready": true, "typescript": "4.8.4"}   or {"ready": false, "error": "..."} (then exit)
//   {"id", "op": "baseline", "file", "text"}  -> {"id", "diagnostics": N}
//       remembers the diagnostics of this text as the file's baseline
//   {"id", "op": "baseline", "file", "text", "lazy": true}  -> {"id"}
//       remembers the text only: its diagnostics are computed at the first check whose text has any (a check
//       of a text without diagnostics adds none, whatever the baseline), so a clean file costs one run less
//   {"id", "op": "check", "file", "text"}     -> {"id", "added": ["TS2322 Type 'string' is not ...", ...],
//                                                  "at": {"TS2322 Type 'string' is not ...": [812, 2040, null]}}
//       the diagnostics of `text` that the baseline does not have (compared as a multiset of code + the first
//       line of the message, so diagnostics that only moved, or only reworded the explanation under that line,
//       do not count; with "compare": "full", code + the whole message chain); `at` gives, for each added one, the UTF-8 byte offsets in
//       `text` of every diagnostic with that code and message (which of them is the new one cannot be told;
//       null: a diagnostic without a position)
//   A lazy baseline of the same text as the file's current one keeps the diagnostics already computed for it.
//   With "names": ["__codeintelProbe3:", ...] (names the baseline cannot hold), when a lazy baseline has not been
//   computed yet and every name appears in some diagnostic, the answer holds only the diagnostics that name one
//   (all of them new, whatever the baseline) and "named": true, without computing the baseline.
//   {"id", "op": "returns", "file", "text", "offsets": [812, ...]}  -> {"id", "types": ["Promise<string>", null, ...]}
//       the return type the compiler infers, in `text`, for the function whose parameter list's `)` ends at each
//       UTF-8 byte offset (where a return annotation `: T` goes); null where no function without a return
//       annotation closes its parameters there
//   {"id", "op": "close", "file"}             -> {"id"}
// Any failure answers {"id", "error": "..."}.
// Needs Debian's node-typescript (NODE_PATH=/usr/share/nodejs).
'use strict';
const path = require('path');
const readline = require('readline');

let ts;
try {
  ts = require('typescript');
} catch (e) {
  process.stdout.write(JSON.stringify({ ready: false, error: 'cannot load the typescript module: ' + e.message }) + '\n');
  process.exit(0);
}

const defaultOptions = {
  strict: true, noImplicitAny: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.NodeJs, esModuleInterop: true, jsx: ts.JsxEmit.Preserve,
  allowJs: true, resolveJsonModule: true, skipLibCheck: true, experimentalDecorators: true, noEmit: true,
};
const registry = ts.createDocumentRegistry();
const texts = new Map(); // file -> {text, version}
const baselines = new Map(); // file -> Map(key -> count)
const services = new Map(); // tsconfig path (or '') -> {service, files: Set}

function optionsFor(configPath) {
  if (!configPath) return defaultOptions;
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) return defaultOptions;
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath));
  return Object.assign({}, parsed.options, { noEmit: true });
}

function serviceFor(file) {
  const configPath = ts.findConfigFile(path.dirname(file), ts.sys.fileExists) || '';
  let entry = services.get(configPath);
  if (!entry) {
    const options = optionsFor(configPath);
    const files = new Set();
    const host = {
      getScriptFileNames: () => [...files],
      getScriptVersion: (n) => (texts.has(n) ? String(texts.get(n).version) : '0'),
      getScriptSnapshot: (n) => {
        if (texts.has(n)) return ts.ScriptSnapshot.fromString(texts.get(n).text);
        const t = ts.sys.readFile(n);
        return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t);
      },
      getCurrentDirectory: () => (configPath ? path.dirname(configPath) : path.dirname(file)),
      getCompilationSettings: () => options,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (n) => texts.has(n) || ts.sys.fileExists(n),
      readFile: (n) => (texts.has(n) ? texts.get(n).text : ts.sys.readFile(n)),
      readDirectory: ts.sys.readDirectory, directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    entry = { service: ts.createLanguageService(host, registry), files };
    services.set(configPath, entry);
  }
  entry.files.add(file);
  return entry.service;
}

function setText(file, text) {
  const old = texts.get(file);
  if (old && old.text === text) return;
  texts.set(file, { text, version: old ? old.version + 1 : 1 });
}

// A diagnostic's identity: its code and the first line of its message (the head of the chain), or with `full`
// its whole flattened chain. The chain's later lines explain the head with the types involved, so an annotation
// can reword them without adding an error (`(len?: any) => …` becomes `(len?: number) => …` under the same
// `Property 'truncate' … is not assignable to the same property in base type …`).
function keyOf(d, full) {
  const text = full || typeof d.messageText === 'string'
    ? ts.flattenDiagnosticMessageText(d.messageText, ' ')
    : d.messageText.messageText;
  return 'TS' + d.code + ' ' + text;
}

// Per key (`keyOf`): how many diagnostics the file has; with `starts`, also their UTF-16 offsets. The map also
// holds, as `.messages`, each diagnostic's code and message chain, from which `wholeCounts` counts by whole chains
// when a check asks for them (only the breakage harness does: the search's checks do not pay for it).
function diagnostics(file, starts, full) {
  const service = serviceFor(file);
  const all = service.getSyntacticDiagnostics(file).concat(service.getSemanticDiagnostics(file));
  const counts = new Map();
  for (const d of all) {
    const key = keyOf(d, full);
    counts.set(key, (counts.get(key) || 0) + 1);
    if (starts) {
      if (!starts.has(key)) starts.set(key, []);
      starts.get(key).push(typeof d.start === 'number' ? d.start : null);
    }
  }
  counts.messages = all.map((d) => ({ code: d.code, messageText: d.messageText }));
  return counts;
}

// A baseline's counts by whole chains, computed once from its `.messages`.
function wholeCounts(base) {
  if (!base.whole) {
    base.whole = new Map();
    for (const d of base.messages) {
      const key = keyOf(d, true);
      base.whole.set(key, (base.whole.get(key) || 0) + 1);
    }
  }
  return base.whole;
}

// The UTF-8 length of the character at UTF-16 offset `unit` of `text`, and how many UTF-16 units it takes (a lone
// surrogate counts as three bytes, as the encoder writes U+FFFD).
function characterAt(text, unit) {
  const c = text.charCodeAt(unit);
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff && unit + 1 < text.length) return [4, 2];
  return [3, 1];
}

// UTF-16 offsets of `text` as UTF-8 byte offsets (what the caller's positions are).
function byteOffsets(text, offsets) {
  const order = offsets.map((o, i) => i).filter((i) => offsets[i] !== null).sort((a, b) => offsets[a] - offsets[b]);
  const out = offsets.map(() => null);
  let unit = 0;
  let byte = 0;
  for (const i of order) {
    const target = Math.min(offsets[i], text.length);
    while (unit < target) {
      const [bytes, units] = characterAt(text, unit);
      byte += bytes;
      unit += units;
    }
    out[i] = byte;
  }
  return out;
}

// UTF-8 byte offsets of `text` as UTF-16 offsets (null: not at a character boundary of `text`).
function utf16Offsets(text, offsets) {
  const at = new Map();
  let byte = 0;
  for (let unit = 0; unit <= text.length; ) {
    at.set(byte, unit);
    if (unit === text.length) break;
    const [bytes, units] = characterAt(text, unit);
    byte += bytes;
    unit += units;
  }
  return offsets.map((o) => (at.has(o) ? at.get(o) : null));
}

// The inferred return types of the unannotated functions whose parameter lists close at `offsets` (UTF-16).
function inferredReturns(file, offsets) {
  const program = serviceFor(file).getProgram();
  const source = program && program.getSourceFile(file);
  if (!source) return offsets.map(() => null);
  const checker = program.getTypeChecker();
  const byClose = new Map();
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.parameters && !node.type) {
      const close = node.getChildren(source).find(
        (c) => c.kind === ts.SyntaxKind.CloseParenToken && c.pos >= node.parameters.end);
      if (close) byClose.set(close.end, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return offsets.map((o) => {
    const node = o === null ? undefined : byClose.get(o);
    if (!node) return null;
    const signature = checker.getSignatureFromDeclaration(node);
    if (!signature) return null;
    return checker.typeToString(checker.getReturnTypeOfSignature(signature), node, ts.TypeFormatFlags.NoTruncation);
  });
}

function answer(request) {
  const file = path.resolve(request.file || '');
  switch (request.op) {
    case 'baseline': {
      if (request.lazy) {
        const old = baselines.get(file);
        if (!(old && old.text === request.text)) baselines.set(file, { text: request.text });
        return {};
      }
      setText(file, request.text);
      const counts = diagnostics(file);
      counts.text = request.text;
      baselines.set(file, counts);
      let n = 0;
      for (const c of counts.values()) n += c;
      return { diagnostics: n };
    }
    case 'check': {
      let base = baselines.get(file);
      if (!base) throw new Error('no baseline for ' + file);
      setText(file, request.text);
      const full = request.compare === 'full';
      const starts = new Map();
      const found = diagnostics(file, starts, full);
      if (found.size === 0) return { added: [], at: {} };
      if (!(base instanceof Map) && Array.isArray(request.names) && request.names.length > 0) {
        const keys = [...found.keys()];
        if (request.names.every((n) => keys.some((k) => k.includes(n)))) {
          const added = [];
          const at = {};
          for (const key of keys) {
            if (!request.names.some((n) => key.includes(n))) continue;
            for (let i = 0; i < found.get(key); i++) added.push(key);
            at[key] = byteOffsets(request.text, starts.get(key));
          }
          return { added, at, named: true };
        }
      }
      if (!(base instanceof Map)) {
        // A lazy baseline, needed now: its diagnostics, computed once.
        const text = base.text;
        setText(file, text);
        base = diagnostics(file);
        base.text = text;
        baselines.set(file, base);
      }
      const added = [];
      const at = {};
      const counts = full ? wholeCounts(base) : base;
      for (const [key, count] of found) {
        for (let i = counts.get(key) || 0; i < count; i++) added.push(key);
        if (count > (counts.get(key) || 0)) at[key] = byteOffsets(request.text, starts.get(key));
      }
      return { added, at };
    }
    case 'returns': {
      setText(file, request.text);
      const offsets = utf16Offsets(request.text, Array.isArray(request.offsets) ? request.offsets : []);
      return { types: inferredReturns(file, offsets) };
    }
    case 'close': {
      texts.delete(file);
      baselines.delete(file);
      for (const entry of services.values()) entry.files.delete(file);
      return {};
    }
    default:
      throw new Error('unknown op ' + request.op);
  }
}

process.stdout.write(JSON.stringify({ ready: true, typescript: ts.version }) + '\n');
const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let request = {};
  let reply;
  try {
    request = JSON.parse(line);
    reply = Object.assign({ id: request.id }, answer(request));
  } catch (e) {
    reply = { id: request.id, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
});
