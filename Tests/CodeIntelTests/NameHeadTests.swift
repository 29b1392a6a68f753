import Corpus
import Foundation
import Model
import Syntax
import Testing
import Tokenizer

@testable import CodeIntel
@testable import Heads

@Suite("Method-name metrics")
struct SubtokenMetricsTests {
  @Test("code2seq subtoken precision/recall/F1, micro over examples, case-insensitive")
  func handComputed() {
    var m = SubtokenMetrics()
    m.add(predicted: ["get", "user", "name"], actual: ["get", "name"])  // tp 2, fp 1, fn 0
    m.add(predicted: ["set"], actual: ["get", "value"])  // tp 0, fp 1, fn 2
    m.add(predicted: ["get", "get"], actual: ["get"])  // tp 2 (each predicted occurrence), fp 0, fn 0
    m.add(predicted: ["GET", "Name"], actual: ["get", "name"])  // tp 2, exact
    #expect(m.truePositives == 6 && m.falsePositives == 2 && m.falseNegatives == 2)
    #expect(abs(m.precision - 0.75) < 1e-12 && abs(m.recall - 0.75) < 1e-12 && abs(m.f1 - 0.75) < 1e-12)
    #expect(m.exact == 1 && abs(m.exactMatch - 0.25) < 1e-12)
    m.add(predicted: [], actual: ["a", "b"])  // nothing predicted: 2 false negatives
    #expect(abs(m.precision - 0.75) < 1e-12 && abs(m.recall - 6.0 / 10.0) < 1e-12)
    #expect(abs(m.f1 - 2 * 0.75 * 0.6 / 1.35) < 1e-12)
    #expect(SubtokenMetrics().f1 == 0)
  }
}

/// A small learnable task: the body says what the name is.
func syntheticNames(_ n: Int, seed: Int) -> [MethodNameRecord] {
  let verbs = ["get", "set", "remove", "parse", "render", "validate"]
  let nouns = ["user", "name", "item", "config", "node", "value"]
  return (0..<n).map { k in
    let i = (k + seed) % verbs.count
    let j = (k / verbs.count + seed) % nouns.count
    let input =
      "function(x\(seed)) {\n  const \(nouns[j]) = x\(seed).\(nouns[j]);\n  return \(verbs[i])Op(\(nouns[j]), METHOD_NAME);\n}"
    return MethodNameRecord(
      package: "p\(k % 3)", path: "f.js", name: verbs[i] + nouns[j].capitalized, target: [verbs[i], nouns[j]],
      input: input)
  }
}

@Suite("Name fine-tuning", .serialized)
struct NameFinetuneTests {
  static let train = syntheticNames(48, seed: 0)
  static let valid = syntheticNames(8, seed: 1)
  static let tokenizer = try! Tokenizer.train(
    texts: train.map(\.input), configuration: Tokenizer.Configuration(vocabSize: 300))

  func pretrain() -> PretrainConfig {
    var p = PretrainConfig()
    p.dim = 16
    p.layers = 1
    p.heads = 2
    p.ffn = 32
    p.maxLength = 40
    p.dropout = 0.1
    return p
  }

  func config(seed: UInt64 = 3, steps: Int = 6) -> NameFinetuneConfig {
    var c = NameFinetuneConfig()
    c.steps = steps
    c.batchSize = 4
    c.warmupSteps = 2
    c.learningRate = 3e-3
    c.seed = seed
    c.decoderFFN = 32
    c.subtokenVocab = 20
    c.threads = 1
    c.evalEvery = 0
    c.finalEvalExamples = 0
    c.checkpointMinutes = 1000
    return c
  }

  func trainer(_ c: NameFinetuneConfig, output: String? = nil, resume: Bool = false) throws -> NameFinetuner {
    let enc = EncoderFactory.make(pretrain(), vocab: Self.tokenizer.vocabSize, seed: 11)
    return try NameFinetuner(
      config: c, tokenizer: Self.tokenizer, encoder: enc, pretrain: pretrain(), maxLength: 40,
      origin: NameHead.Origin(model: "tiny", encoderSHA256: "00", steps: 1), train: Self.train, valid: Self.valid,
      output: output, resume: resume)
  }

  func weights(_ t: NameFinetuner) -> [Float] {
    Array(UnsafeBufferPointer(start: t.decoder.parameters.data, count: t.decoder.parameters.count))
      + Array(UnsafeBufferPointer(start: t.encoder.parameters.data, count: t.encoder.parameters.count))
  }

  @Test("copy items: body subtokens the vocabulary knows, at the encoder token covering them, within the window")
  func copyItems() throws {
    let vocabulary = SubtokenVocabulary(tokens: SubtokenVocabulary.specials + ["user", "name", "get"])
    let input = "function(x0) {\n  const name = x0.user;\n  return getOp(name, METHOD_NAME);\n}"
    let encoding = Self.tokenizer.encode(input, options: EncodeOptions(fnPlaceholder: "METHOD_NAME"))
    let items = NameCopySource.items(input: input, encoding: encoding, vocabulary: vocabulary)
    // name, user, get, name (x0 and op are too short or unknown)
    #expect(items.map(\.id) == [5, 4, 6, 5])
    let bytes = Array(input.utf8)
    for (item, word) in zip(items, ["name", "user", "get", "name"]) {
      let k = Int(item.position)
      let text = String(decoding: bytes[Int(encoding.starts[k])..<Int(encoding.ends[k])], as: UTF8.self).lowercased()
      #expect(text.contains(word.prefix(1)), "\(word) → token \(k) `\(text)`")
    }
    // a window that ends before `return` keeps only the first two
    let returnByte = input.components(separatedBy: "return")[0].utf8.count
    let returnAt = try #require(encoding.tokenIndex(containingByteOffset: returnByte))
    let short = Self.tokenizer.encode(
      input, options: EncodeOptions(maxLength: returnAt, fnPlaceholder: "METHOD_NAME"))
    #expect(NameCopySource.items(input: input, encoding: short, vocabulary: vocabulary).map(\.id) == [5, 4])
  }

  @Test("a pointer-generator head trains, writes its gate, and loads back predicting the same names")
  func pointerGenerator() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("names-pg-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var c = config(steps: 40)
    c.pointerGenerator = true
    let t = try trainer(c, output: dir)
    try t.run()
    #expect(t.decoder.config.copy && t.decoder.parameters.entry("copy.gate.bias") != nil)
    // it learns: the loss falls
    let early = t.losses.prefix(5).reduce(0, +) / 5
    let late = t.losses.suffix(5).reduce(0, +) / 5
    #expect(late < early - 0.3, "loss \(early) → \(late)")
    let head = try NameHead.load(directory: dir)
    #expect(head.decoder.config.copy && head.info.training.pointerGenerator == true)
    let inputs = Self.valid.map(\.input)
    let reloaded = head.predict(inputs: inputs, beam: 3, top: 2)
    #expect(reloaded == t.makeHead(seconds: 0).predict(inputs: inputs, beam: 3, top: 2))
    // the confidence signals of `finetune name-threshold --dump`: one step per subtoken and <eos>, whose
    // log-probabilities add up to the name's own (teacher forcing agrees with the beam), and gates in [0, 1]
    let names = reloaded.map { $0.map(\.subtokens) }
    let signals = head.stepSignals(inputs: inputs, names: names)
    #expect(signals.count == inputs.count)
    for (list, sig) in zip(reloaded, signals) {
      #expect(sig.count == list.count)
      for (p, s) in zip(list, sig) {
        #expect(s.stepLogProbabilities.count == p.subtokens.count + 1 && s.gates.count == p.subtokens.count + 1)
        #expect(abs(s.stepLogProbabilities.reduce(0, +) - p.logProbability) < 1e-3)
        #expect(s.stepLogProbabilities.allSatisfy { $0 <= 0 } && s.gates.allSatisfy { $0 >= 0 && $0 <= 1 })
      }
    }
    let none = head.stepSignals(inputs: inputs, names: inputs.map { _ in [] })
    #expect(none.count == inputs.count && none.allSatisfy { $0.isEmpty })
  }

  @Test("deterministic for a seed; another seed differs")
  func deterministic() throws {
    let a = try trainer(config())
    try a.run()
    let b = try trainer(config())
    try b.run()
    #expect(a.losses == b.losses && a.losses.count == 6)
    #expect(weights(a) == weights(b))
    let c = try trainer(config(seed: 4))
    try c.run()
    #expect(c.losses != a.losses)
  }

  @Test("a resumed run ends exactly where an uninterrupted one does; the head folder loads and predicts")
  func resume() throws {
    let dirA = FileManager.default.temporaryDirectory.appendingPathComponent("names-a-\(UUID())").path
    let dirB = FileManager.default.temporaryDirectory.appendingPathComponent("names-b-\(UUID())").path
    defer {
      try? FileManager.default.removeItem(atPath: dirA)
      try? FileManager.default.removeItem(atPath: dirB)
    }
    let a = try trainer(config(), output: dirA)
    try a.run()
    let first = try trainer(config(), output: dirB)
    try first.run(stopAt: 3)
    let second = try trainer(config(), output: dirB, resume: true)
    #expect(second.step == 3)
    try second.run()
    #expect(weights(second) == weights(a))
    #expect(Array(first.losses + second.losses) == a.losses)
    let head = try NameHead.load(directory: dirA)
    #expect(head.info.format == "codeintel-names" && head.info.label == "with pretraining" && head.info.steps == 6)
    #expect(head.info.pretrained.encoderSHA256 == "00")
    let p = head.predict(inputs: Self.valid.map(\.input), beam: 3, top: 2)
    #expect(p.count == Self.valid.count && p.allSatisfy { !$0.isEmpty && $0.count <= 2 })
    // a folder written without decoding options decodes with no copy bias
    let configPath = dirA + "/config.json"
    let configText = try String(contentsOfFile: configPath, encoding: .utf8)
    #expect(!configText.contains("decoding") && head.info.decoding == nil && head.decoding == .none)
    #expect(head.predict(inputs: Self.valid.map(\.input), beam: 3, top: 2, decoding: NameDecoding(copyBias: 0)) == p)
    // with them, the head uses them: the same names as an explicit override
    var object = try #require(try JSONSerialization.jsonObject(with: Data(configText.utf8)) as? [String: Any])
    object["decoding"] = ["copyBias": 3, "frequencyBias": 1]
    try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: configPath))
    let biased = try NameHead.load(directory: dirA)
    let options = NameDecoding(copyBias: 3, frequencyBias: 1)
    #expect(biased.decoding == options)
    let q = biased.predict(inputs: Self.valid.map(\.input), beam: 3, top: 2)
    #expect(q == head.predict(inputs: Self.valid.map(\.input), beam: 3, top: 2, decoding: options))
    for name in [
      "encoder.safetensors", "decoder.safetensors", "subtokens.json", "tokenizer.json", "metrics.jsonl", "config.json",
    ] {
      #expect(FileManager.default.fileExists(atPath: dirA + "/" + name), "\(name)")
    }
    #expect(throws: (any Error).self) { try trainer(config(), output: dirA + "-missing", resume: true) }
  }

  @Test("--init-head: a warm start begins at the saved head's weights and vocabulary, resumes exactly, and is recorded")
  func warmStart() throws {
    let tmp = FileManager.default.temporaryDirectory
    let dirs = ["names-h-", "names-w-", "names-r-"].map { tmp.appendingPathComponent($0 + UUID().uuidString).path }
    defer { for d in dirs { try? FileManager.default.removeItem(atPath: d) } }
    var c = config(steps: 6)
    c.pointerGenerator = true
    let base = try trainer(c, output: dirs[0])
    try base.run()
    let head = try NameHead.load(directory: dirs[0], withRetrieval: false)
    // the continuation sees other functions (other targets too), with a fresh schedule
    let more = syntheticNames(40, seed: 2).map {
      MethodNameRecord(package: $0.package, path: $0.path, name: $0.name, target: $0.target + ["data"], input: $0.input)
    }
    var w = c
    w.steps = 4
    w.learningRate = 1e-3
    func warm(_ dir: String, resume: Bool = false) throws -> NameFinetuner {
      try NameFinetuner(config: w, initHead: head, train: more, valid: Self.valid, output: dir, resume: resume)
    }
    let a = try warm(dirs[1])
    // exactly the saved weights and the head's vocabulary (not one built from the new targets)
    #expect(weights(a) == weights(base) && a.vocabulary == base.vocabulary && !a.vocabulary.tokens.contains("data"))
    let expected = base.loss(of: a.batch(at: 0), in: more, train: false).loss
    try a.run()
    #expect(a.losses.count == 4 && a.losses[0] == expected, "first loss \(a.losses[0]) vs the head's \(expected)")
    #expect(weights(a) != weights(base))
    // the head it began from is in the recipe, with the pretrained origin the head had
    let written = try NameHead.load(directory: dirs[1], withRetrieval: false)
    let record = try #require(written.info.training.initHead)
    #expect(record.steps == 6 && record.path == head.directory.path && written.info.steps == 4)
    #expect(record.decoderSHA256 == (try NameFinetuner.sha256(ofFile: dirs[0] + "/decoder.safetensors")))
    #expect(written.info.pretrained == head.info.pretrained && written.info.maxLength == head.info.maxLength)
    #expect(written.vocabulary == head.vocabulary)
    // --resume still continues exactly
    let first = try warm(dirs[2])
    try first.run(stopAt: 2)
    let second = try warm(dirs[2], resume: true)
    #expect(second.step == 2)
    try second.run()
    #expect(weights(second) == weights(a) && first.losses + second.losses == a.losses)
  }

  @Test("--init-head refuses a head of another length, tokenizer, encoder or decoder in one sentence")
  func warmStartRefused() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("names-m-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let c = config(steps: 2)
    try trainer(c, output: dir).run()
    let head = try NameHead.load(directory: dir, withRetrieval: false)
    func refusal(
      _ c: NameFinetuneConfig, tokenizer: Tokenizer = Self.tokenizer, pretrain p: PretrainConfig? = nil
    ) -> String {
      let p = p ?? pretrain()
      do {
        _ = try NameFinetuner(
          config: c, tokenizer: tokenizer, encoder: EncoderFactory.make(p, vocab: tokenizer.vocabSize, seed: 5),
          pretrain: p, maxLength: 40, origin: NameHead.Origin(model: "tiny", encoderSHA256: "00", steps: 1),
          train: Self.train, valid: Self.valid, output: nil, initHead: head)
        return ""
      } catch { return "\(error)" }
    }
    // the same shape is accepted (the check can pass)
    #expect(refusal(c) == "")
    var shorter = c
    shorter.maxLength = 32
    var wider = pretrain()
    wider.dim = 32
    var deeper = c
    deeper.decoderLayers = 2
    var random = c
    random.randomInit = true
    let other = try Tokenizer.train(
      texts: syntheticNames(48, seed: 3).map { $0.input + " other" },
      configuration: Tokenizer.Configuration(vocabSize: 300))
    let cases: [(String, String)] = [
      (refusal(shorter), "reads 40 input tokens and this run 32"),
      (refusal(c, pretrain: wider), "is not of this run's architecture"),
      (refusal(deeper), "its decoder"),
      (refusal(c, tokenizer: other), "tokenizer"),
      (refusal(random), "--random-init"),
    ]
    for (message, expected) in cases {
      #expect(message.contains(expected), "\(message)")
      #expect(!message.isEmpty && !message.contains("\n"), "one line: \(message)")
    }
  }

  @Test("fine-tuning learns the synthetic task (loss falls, valid F1 above chance)")
  func learns() throws {
    var c = config(steps: 150)
    c.finalEvalExamples = 8
    let t = try trainer(c)
    let s = try t.run()
    let early = t.losses.prefix(5).reduce(0, +) / 5
    let late = t.losses.suffix(5).reduce(0, +) / 5
    #expect(late < early * 0.75, "loss \(early) → \(late)")
    #expect((s.valid?.f1 ?? 0) > 0.3, "valid F1 \(s.valid?.f1 ?? 0)")
  }
}

@Suite("Name mismatch evidence")
struct NameAnalysisTests {
  func reasons(_ source: String) throws -> [String: [String]] {
    let tree = try Parser(language: .javascript).parse(source)
    var out: [String: [String]] = [:]
    for r in NameAnalysis.analyze(
      tree: tree, units: extractUnits(from: tree), head: nil, rules: Set(MismatchRule.allCases))
    {
      out[r.name] = r.reasons
    }
    return out
  }

  @Test("suggestions: one per set of subtokens, best ordering kept, at most top")
  func distinct() {
    let ps = [
      NamePrediction(subtokens: ["total", "items"], logProbability: -1),
      NamePrediction(subtokens: ["items", "total"], logProbability: -2),
      NamePrediction(subtokens: ["sum"], logProbability: -3),
      NamePrediction(subtokens: ["Total", "Items"], logProbability: -4),
      NamePrediction(subtokens: ["total"], logProbability: -5),
      NamePrediction(subtokens: ["count"], logProbability: -6),
    ]
    #expect(NameAnalysis.distinctNames(ps, top: 3).map(\.name) == ["totalItems", "sum", "total"])
    #expect(NameAnalysis.distinctNames(ps, top: 10).count == 4)
  }

  @Test("body rules: predicates returning literals, getters returning nothing, setters returning without assigning")
  func rules() throws {
    let r = try reasons(
      """
      function isValid(u) { if (!u) return "missing"; return "ok"; }
      function isReady(u) { if (!u) return false; return "ok"; }
      function hasKeys(o) { const k = Object.keys(o); return k.length > 0; }
      function getTotal(xs) { let s = 0; for (const x of xs) s += x; }
      function getItem(xs) { const first = xs[0]; return first; }
      function getLater(xs) { const f = () => { return 1; }; f(); }
      function setName(u, n) { const c = u; return c.name + n; }
      function setAge(u, a) { u.age = a; return u; }
      function setKey(m, k) { m.set(k, 1); return m; }
      class A { isOpen() { const s = this.state; return { s }; } }
      """)
    #expect(r["isValid"]!.count == 1 && r["isValid"]![0].contains("string literal"))
    #expect(r["isReady"]! == [])  // a boolean return: not every return is a non-boolean literal
    #expect(r["hasKeys"]! == [])
    #expect(r["getTotal"]! == ["named `get…` but returns nothing"])
    #expect(r["getItem"]! == [])
    #expect(r["getLater"]! == ["named `get…` but returns nothing"])  // the nested arrow's return is not its own
    #expect(r["setName"]! == ["named `set…` but returns a value without assigning anything"])
    #expect(r["setAge"]! == [] && r["setKey"]! == [])
    #expect(r["isOpen"]!.count == 1 && r["isOpen"]![0].contains("object literal"))
    // one-statement bodies and constructors are not examined (the dataset skips them)
    #expect(try reasons("function isX() { return 'a'; }").isEmpty)
  }

  @Test("body rules stay quiet on the false warnings seen on real code (issue 19)")
  func realFalsePositives() throws {
    let r = try reasons(
      """
      function setDay(dirtyDate, day) { const date = toDate(dirtyDate); const diff = day - date.getDay(); return addDays(date, diff); }
      function setHours(date, h) { const d = new Date(date.getTime()); d.setHours(h); return d; }
      function setIn(obj, key, v) { const copy = obj; return { ...copy, [key]: v }; }
      class Observer {
        #dispatch(a) { this.state = a; }
        setData(data, opts) { const action = { type: 'success', data }; this.#dispatch(action); return data; }
        setOptions(o) { const next = o; this.updateAll(next); return next; }
      }
      function setWith(target, v) { const f = target.setter; return f.call(target, v); }
      const handler = {
        set(target, key, value) { const ok = Reflect.has(target, key); return ok ? 'stored' : 'ignored'; },
        has: function (target, key) { const k = String(key); return 'present'; },
      };
      class Query extends Base { getNext(x) { const y = x + 1; console.log(y); } }
      function getUser(id, callback) { const key = 'u' + id; db.get(key, callback); }
      function getRows(sql) { const q = sql.trim(); pool.query(q, (err, rows) => { use(rows); }); }
      function isEmpty(xs) { if (xs.length) return 0; return 1; }
      function getDuplicates(object, state) { const found = []; inspect(object, found); state.duplicates = found; }
      """)
    #expect(r["setDay"]! == [])  // immutable setter: returns a modified copy (date-fns)
    #expect(r["setHours"]! == [])
    #expect(r["setIn"]! == [])
    #expect(r["setData"]! == [])  // mutates through `this.#dispatch(…)`
    #expect(r["setOptions"]! == [])
    #expect(r["setWith"]! == [])  // delegation through `.call`
    #expect(r["set"]! == [] && r["has"]! == [])  // Proxy traps: the API fixes the names
    #expect(r["getNext"]! == [])  // a subclass member: the base class may fix the name
    #expect(r["getUser"]! == [] && r["getRows"]! == [])  // callback-style getters
    #expect(r["isEmpty"]! == [])  // 0/1 used as booleans
    #expect(r["getDuplicates"]! == [])  // hands its result over through an out-parameter (js-yaml's dumper)
    // …while the same shapes without the excuse are still flagged
    let still = try reasons(
      """
      class Plain { getNext(x) { const y = x + 1; console.log(y); } }
      const h = { hasKey(o) { const k = Object.keys(o); return 'yes'; } };
      """)
    #expect(still["getNext"]! == ["named `get…` but returns nothing"])
    #expect(still["hasKey"]!.count == 1)  // not a Proxy trap: a predicate name returning a string literal
  }

  @Test(
    "names an interface fixes are never judged: override members, toString and protocol methods, framework hooks; Reflect delegation"
  )
  func fixedNames() throws {
    // framework hooks named get… that return nothing (createReactClass / lifecycle methods), no `extends`
    let hooks = try reasons(
      """
      const C = createReactClass({
        getInitialState() { const s = load(); console.log(s); },
        getDefaultProps() { const p = {}; register(p); },
        getSnapshotBeforeUpdate(prev) { const h = prev.h; log(h); },
      });
      const plain = { getOther(prev) { const h = prev.h; log(h); } };
      function setField(t, k, v) { const key = String(k); return Reflect.set(t, key, v); }
      """)
    #expect(hooks["getInitialState"]! == [] && hooks["getDefaultProps"]! == [])
    #expect(hooks["getSnapshotBeforeUpdate"]! == [])
    // the same body, not a hook (and in a literal no call consumes): flagged
    #expect(hooks["getOther"]! == ["named `get…` but returns nothing"])
    #expect(hooks["setField"]! == [])  // delegates to Reflect.set: it stores
    // a TypeScript `override` member, with no `extends` clause to excuse it otherwise
    let ts = try Parser(language: .typescript).parse(
      """
      class B { override getValue(x: number) { const y = x; console.log(y); } }
      class D { getValue(x: number) { const y = x; console.log(y); } }
      """)
    let units = extractUnits(from: ts)
    let reports = NameAnalysis.analyze(tree: ts, units: units, head: nil, rules: [.get])
    #expect(reports.map(\.reasons) == [[], ["named `get…` but returns nothing"]])
    // toString, valueOf, toJSON, then: names any object may define
    let js = try Parser(language: .javascript).parse(
      """
      const o = {
        toString() { const a = this.a; return a; },
        valueOf() { const a = this.a; return a; },
        then(ok) { const a = this.a; ok(a); },
        describe() { const a = this.a; return a; },
      };
      """)
    let fixed = extractUnits(from: js).compactMap { u in
      u.name.map { ($0, NameAnalysis.nameIsFixedByAnInterface($0, unit: u, tree: js)) }
    }
    #expect(fixed.map(\.0) == ["toString", "valueOf", "then", "describe"])
    #expect(fixed.map(\.1) == [true, true, true, false])
    // an object literal with a declared type implements it: `const v: T = {…}`, `{…} satisfies T`, `({…}) as T`;
    // `as const` and an untyped literal fix nothing
    let typedTS = try Parser(language: .typescript).parse(
      """
      const a: Visitor = { enter(n) { const x = n.x; return x; } };
      const b = { leave(n) { const x = n.x; return x; } } satisfies Visitor;
      const c = ({ visit(n) { const x = n.x; return x; } }) as Visitor;
      const d = { walk(n) { const x = n.x; return x; } } as const;
      const e = { step(n) { const x = n.x; return x; } };
      """)
    let typedFixed = extractUnits(from: typedTS).compactMap { u in
      u.name.map { ($0, NameAnalysis.nameIsFixedByAnInterface($0, unit: u, tree: typedTS)) }
    }
    #expect(typedFixed.map(\.0) == ["enter", "leave", "visit", "walk", "step"])
    #expect(typedFixed.map(\.1) == [true, true, true, false, false])
  }

  @Test(
    "the false warnings of the github-test audit (docs/NAMES.md): out-parameters filled by calls, event handlers, state setters"
  )
  func auditFalsePositives() throws {
    let r = try reasons(
      """
      const mixin = {
        _getGlobalBoundsRecursive(factor, bounds, layer) { if (!factor) return; bounds.addRect(this.area); this.next(bounds); },
      };
      files.forEach(function (path) {
        var getRequest = files.get(path);
        getRequest.onsuccess = function getRequest_onsuccess() { if (ok) { unlink(path); } ok++; };
        getRequest.onerror = function getRequest_onerror() { fail++; if (fail) finish(); };
      });
      function getRequestOnDone(x) { const y = x; log(y); }
      async function getSession() { const { data, error } = await auth.getSession(); if (error) { setSession(null); } else { setSession(data.session); } }
      function getStatus(x) { const y = x; settle(y); }
      function getGlobalBounds(factor, bounds) { if (!factor) return; this.area.addRect(bounds); }
      """)
    #expect(r["_getGlobalBoundsRecursive"]! == [])  // fills its `bounds` parameter (pixijs)
    #expect(r["getRequest_onsuccess"]! == [] && r["getRequest_onerror"]! == [])  // handlers (Emscripten's libktx)
    #expect(r["getRequestOnDone"]! == [])  // a handler by its name alone
    #expect(r["getSession"]! == [])  // hands its result to a state setter (supabase's React example)
    #expect(r["getStatus"]! == ["named `get…` but returns nothing"])  // `settle(…)` is not a setter
    // a getter that calls a mutator on something that is not its parameter still returns nothing: flagged
    #expect(r["getGlobalBounds"]! == ["named `get…` but returns nothing"])
    #expect(!NameAnalysis.isHandlerName("getOnlineUsers") && NameAnalysis.isHandlerName("xhr_onload"))
  }

  @Test(
    "a predicate with its details in a record is not a mismatch; a record with no truth value still is (the train audit)"
  )
  func predicatesWithDetails() throws {
    let r = try reasons(
      """
      function isError(e) { const ok = e !== null && typeof e.message === 'string'; const message = ok ? null : String(e); return { isError: ok, message }; }
      function isSerializable(node) { if (node.type === 'Literal') { return { value: node.value, serializable: true }; } return { serializable: false }; }
      class Tokenizer { #isNameCharAt(buf, i) { const [c, n] = this.#codePoint(buf, i); return [this.#isNameCharCode(c), n]; } }
      function isOverBars(bars, x) { const h = hit(bars.h, x); const v = hit(bars.v, x); return { isOverEither: h || v, h, v }; }
      function isChecked(state) { const r = read(state); return { matches: r.matches === 'checked', radio: r.radio }; }
      function canCondense(top, right) { const t = top.toLowerCase(); if (t === right) { return [top]; } return [top, right]; }
      function shouldSort(model, axis) { const on = model.get('sort'); if (on) { return { axis: axis, other: axis.other }; } }
      function isValid(ts) { const d = new Date(ts); return { year: d.getFullYear(), month: d.getMonth() }; }
      """)
    #expect(r["isError"]! == [] && r["isSerializable"]! == [] && r["isNameCharAt"]! == [])
    #expect(r["isOverBars"]! == [] && r["isChecked"]! == [])
    // the values themselves (stylelint's canCondense), or a record without a truth value: still flagged
    #expect(r["canCondense"]!.count == 1 && r["isValid"]!.count == 1 && r["shouldSort"]!.count == 1)
  }

  @Test(
    "HTTP route handlers (`export const GET = async (req, res) => {…}`) are named by the framework (the train audit)")
  func httpRouteHandlers() throws {
    let r = try reasons(
      """
      export const GET = async (req, res) => { const rows = await query(req.params); res.json({ rows }); };
      export async function POST(req, res) { const body = await req.json(); await save(body); }
      function getRows(req, res) { const rows = query(req.params); log(rows); }
      """)
    #expect(r["GET"]! == [] && r["POST"]! == [])  // medusa's 101 route handlers
    #expect(r["getRows"]! == ["named `get…` but returns nothing"])  // not a route handler's name
  }

  @Test("a function whose every path throws is a stub or a test double, not a mis-named function (zustand's getItem)")
  func stubsThatThrow() throws {
    let r = try reasons(
      """
      const storage = {
        getItem: async () => { await sleep(10); throw new Error('getItem error'); },
      };
      function getWeeks(year) { const y = Number(year); if (y < 0) { throw new RangeError('year'); } else throw new Error('todo'); }
      function isLeap(year) { log(year); throw new Error('Remove this line and implement the function'); }
      function getMonth(d) { const m = d.m; if (m < 0) throw new Error('bad'); log(m); }
      function getDay(d) { const m = d.m; if (m < 0) { throw new Error('bad'); } else { log(m); } }
      function getYear(d) { if (d) return; throw new Error('no date'); }
      """)
    #expect(r["getItem"]! == [])  // zustand tests/persistAsync.test.tsx: a storage double that always fails
    #expect(r["getWeeks"]! == [])  // both branches throw
    #expect(r["isLeap"]! == [])
    // a throw on one path only, or a path that returns before the throw: the body still says what it does
    #expect(r["getMonth"]! == ["named `get…` but returns nothing"])
    #expect(r["getDay"]! == ["named `get…` but returns nothing"])
    #expect(r["getYear"]! == ["named `get…` but returns nothing"])
  }

  @Test("a member of an object literal passed to a call implements the callee's protocol (its name is the consumer's)")
  func membersOfArgumentObjects() throws {
    let r = try reasons(
      """
      const slice = createSlice({
        name: 'filters',
        reducers: {
          setFilter(state, action) { const next = action.payload; return next; },
          setQuery: function (state, action) { const q = action.payload.q; return q; },
        },
      });
      const store = persist(init, () => ({ getItem(name) { const v = name.trim(); log(v); } }));
      register([{ isEnabled(ctx) { const m = ctx.mode; return 'auto'; } }]);
      """)
    // Redux Toolkit reducers return the next state: `setFilter` is right, and createSlice chose the shape
    #expect(r["setFilter"]! == [] && r["setQuery"]! == [])
    #expect(r["getItem"]! == [])  // a storage object returned by a factory passed as an argument
    #expect(r["isEnabled"]! == [])  // a plugin object in an array argument
    // the same member in a literal that is not passed to anything is still judged
    let tree = try Parser(language: .javascript).parse(
      """
      const reducers = { setFilter(state, action) { const next = action.payload; return next; } };
      """)
    let reports = NameAnalysis.analyze(
      tree: tree, units: extractUnits(from: tree), head: nil, rules: Set(MismatchRule.allCases))
    #expect(reports.map(\.reasons) == [["named `set…` but returns a value without assigning anything"]])
  }

  @Test("model evidence: disjoint subtokens and a large gap; combination of independent evidence")
  func model() {
    let preds = [NamePrediction(subtokens: ["format", "date"], logProbability: -1.5)]  // score -0.5
    let far = NameAnalysis.modelEvidence(current: ["is", "valid"], currentScore: -2.5, predictions: preds)
    #expect(far.score == 0.5 && far.reason != nil)  // gap exactly 2 → 0.5
    // an unsure model (best name's probability exp(-1.5) ≈ 0.22 below the bar) is no evidence
    let unsure = NameAnalysis.modelEvidence(
      current: ["is", "valid"], currentScore: -4, predictions: preds, minProbability: 0.3)
    #expect(unsure.score == 0 && unsure.reason == nil)
    let sure = NameAnalysis.modelEvidence(
      current: ["is", "valid"], currentScore: -4, predictions: preds, minProbability: 0.2)
    #expect(sure.score == 1)
    let farther = NameAnalysis.modelEvidence(current: ["is", "valid"], currentScore: -4, predictions: preds)
    #expect(farther.score == 1)
    let near = NameAnalysis.modelEvidence(current: ["is", "valid"], currentScore: -1, predictions: preds)
    #expect(near.score == 0 && near.reason == nil)
    let shared = NameAnalysis.modelEvidence(current: ["format", "time"], currentScore: -9, predictions: preds)
    #expect(shared.score == 0)
    #expect(abs(NameAnalysis.combine([0.8, 0.5]) - 0.9) < 1e-12 && NameAnalysis.combine([]) == 0)
  }

  @Test("with a trained head: suggestions, the current name's score, and the language-server suggester's input")
  func withHead() throws {
    var c = NameFinetuneConfig()
    c.steps = 30
    c.batchSize = 8
    c.warmupSteps = 3
    c.learningRate = 3e-3
    c.decoderFFN = 32
    c.subtokenVocab = 20
    c.threads = 1
    c.evalEvery = 0
    c.finalEvalExamples = 0
    var p = PretrainConfig()
    (p.dim, p.layers, p.heads, p.ffn, p.maxLength) = (16, 1, 2, 32, 40)
    let t = try NameFinetuner(
      config: c, tokenizer: NameFinetuneTests.tokenizer,
      encoder: EncoderFactory.make(p, vocab: NameFinetuneTests.tokenizer.vocabSize, seed: 1), pretrain: p,
      maxLength: 40, origin: NameHead.Origin(model: nil, encoderSHA256: nil, steps: 0),
      train: NameFinetuneTests.train, valid: [], output: nil)
    try t.run()
    let head = t.makeHead(seconds: 0)
    let source = """
      function getUser(x0) {
        const user = x0.user;
        return getOp(user, getUser);
      }
      """
    let tree = try Parser(language: .javascript).parse(source)
    let reports = NameAnalysis.analyze(tree: tree, units: extractUnits(from: tree), head: head, top: 3)
    #expect(reports.count == 1)
    let r = reports[0]
    #expect(r.suggestions.count == 3 && r.currentScore != nil)
    #expect(zip(r.suggestions, r.suggestions.dropFirst()).allSatisfy { $0.score >= $1.score })
    let unit = extractUnits(from: tree)[0]
    let viaModel = NameModel(head: head).suggestions(for: unit, in: tree, top: 3)
    #expect(viaModel.map(\.name) == r.suggestions.map(\.name))

    // A head trained with `--context path` reads the file's place before the function, in the command line and the
    // editor alike; a head without it ignores the path.
    #expect(head.modelInput("f", path: "src/a/b.ts") == "f")
    var withPlace = head.info
    withPlace.training.inputContext = .path
    let placed = NameHead(
      directory: head.directory, info: withPlace, tokenizer: head.tokenizer, encoder: head.encoder,
      decoder: head.decoder, vocabulary: head.vocabulary)
    #expect(placed.modelInput("f", path: "src/a/b.ts") == "\"src/a/b\";\nf")
    let path = "/repo/src/user/service.js"
    let placedReport = NameAnalysis.analyze(tree: tree, units: [unit], head: placed, path: path, top: 3)[0]
    let input = MethodNames.example(for: unit, in: tree)!.input
    let direct = placed.analyze(inputs: [placed.modelInput(input, path: path)], current: nil, beam: 5, top: 3)[0]
    #expect(
      placedReport.suggestions.map(\.probability)
        == NameAnalysis.distinctNames(direct.predictions, top: 3).map(\.probability))
    #expect(
      NameModel(head: placed).suggestions(for: unit, in: tree, path: path, top: 3).map(\.name)
        == placedReport.suggestions.map(\.name))

    // The display calibration: suggestions below its threshold are held back everywhere, and one that
    // reached no level shows nothing; --all-names (showAll) restores them.
    func gated(_ t: Double?) -> NameHead {
      var d = NameDisplayCalibration.fit([], source: "test")
      d.minProbability = t
      return NameHead(
        directory: head.directory, info: head.info, tokenizer: head.tokenizer, encoder: head.encoder,
        decoder: head.decoder, vocabulary: head.vocabulary, display: d)
    }
    let middle = r.suggestions[1].probability
    let half = NameAnalysis.analyze(tree: tree, units: [unit], head: gated(middle), top: 3)[0]
    #expect(half.suggestions.allSatisfy { $0.probability >= middle } && half.suggestions.count >= 2)
    #expect(half.suggestions.count + half.hidden == 3)
    let none = NameAnalysis.analyze(tree: tree, units: [unit], head: gated(nil), top: 3)[0]
    #expect(none.suggestions.isEmpty && none.hidden == 3)
    #expect(NameModel(head: gated(nil)).suggestions(for: unit, in: tree, top: 3).isEmpty)
    let all = NameAnalysis.analyze(tree: tree, units: [unit], head: gated(nil), top: 3, showAll: true)[0]
    #expect(all.suggestions.map(\.name) == r.suggestions.map(\.name) && all.hidden == 0)

    // Where a declared type fixes the name (a typed object literal's member: graphql-js's Visitor `enter`, for which
    // the head offered `apply`), no other name is suggested: a rename would break the contract. The same member of
    // an untyped literal keeps its suggestions; --all-names (showAll) still lists them all.
    func member(_ declaration: String) throws -> (NameReport, [NameReport.Suggestion], NameReport) {
      let ts = try Parser(language: .typescript).parse(
        "\(declaration) {\n  getUser(x0) {\n    const user = x0.user;\n    return getOp(user, getUser);\n  },\n};\n")
      let units = extractUnits(from: ts)
      #expect(units.count == 1)
      return (
        NameAnalysis.analyze(tree: ts, units: units, head: head, top: 3)[0],
        NameModel(head: head).suggestions(for: units[0], in: ts, top: 3),
        NameAnalysis.analyze(tree: ts, units: units, head: head, top: 3, showAll: true)[0]
      )
    }
    let (typed, typedViaModel, typedAll) = try member("const v: Visitor =")
    #expect(typed.fixedByAPI == true)
    #expect(typed.suggestions.allSatisfy { $0.name == "getUser" } && typed.suggestions.count + typed.hidden == 3)
    #expect(typedViaModel.map(\.name) == typed.suggestions.map(\.name))
    #expect(typedAll.suggestions.count == 3)
    let (plain, plainViaModel, _) = try member("const v =")
    #expect(plain.fixedByAPI == nil && plain.suggestions.count == 3 && plainViaModel.count == 3)
    #expect(plain.suggestions.contains { $0.name != "getUser" })

    // The model's disagreement: a name none of whose words the head can say (`quux`, `frob`), an eager bar
    // (no gap, any probability). It counts only with its rule on, and only as far as the head's calibration
    // lets its best name through: `showAll` lists names but does not make an uncalibrated reading evidence.
    let odd = try Parser(language: .javascript).parse(source.replacingOccurrences(of: "getUser", with: "quuxFrob"))
    let oddUnits = extractUnits(from: odd)
    func modelReasons(_ h: NameHead, rules: Set<MismatchRule>, showAll: Bool = false) -> [String] {
      NameAnalysis.analyze(
        tree: odd, units: oddUnits, head: h, top: 3, minGap: 0, minProbability: 0, showAll: showAll, rules: rules
      )[0].reasons.filter { $0.hasPrefix("the model reads it") }
    }
    #expect(modelReasons(head, rules: [.model]).count == 1)  // no display.json: the decoder's probability alone
    #expect(modelReasons(head, rules: NameAnalysis.defaultRules).isEmpty)  // off by default
    #expect(modelReasons(gated(nil), rules: [.model], showAll: true).isEmpty)  // no calibrated level: never
  }

  @Test("the rules on by default, and the --rules lists")
  func defaultRules() throws {
    #expect(NameAnalysis.defaultRules.isEmpty)  // none reached 80 % on real code (docs/NAMES.md)
    #expect(MismatchRule.parseList("default") == NameAnalysis.defaultRules)
    #expect(MismatchRule.parseList("all") == Set(MismatchRule.allCases))
    #expect(MismatchRule.parseList("set,model") == [.set, .model])
    #expect(MismatchRule.parseList("none") == [])
    #expect(MismatchRule.parseList("get,setter") == nil && MismatchRule.parseList("") == nil)
    // the `set…` rule is off by default: the same function is flagged only when it is asked for
    let tree = try Parser(language: .javascript).parse("function setName(u, n) { const c = u; return c.name + n; }")
    let units = extractUnits(from: tree)
    #expect(NameAnalysis.analyze(tree: tree, units: units, head: nil)[0].mismatch == false)
    #expect(NameAnalysis.analyze(tree: tree, units: units, head: nil, rules: [.set])[0].mismatch)
    // a report keeps every rule's evidence and is re-judged under other rules without analysing again
    let quiet = NameAnalysis.analyze(tree: tree, units: units, head: nil, rules: [])[0]
    #expect(!quiet.mismatch && quiet.reasons.isEmpty && quiet.evidence.map(\.rule) == [.set])
    let loud = quiet.applying(rules: [.set, .get])
    #expect(loud.mismatch && loud.mismatchScore == NameAnalysis.ruleWeight && loud.reasons.count == 1)
    // the evidence stays out of the JSON output
    let json = String(decoding: try JSONEncoder().encode(loud), as: UTF8.self)
    #expect(!json.contains("evidence") && json.contains("reasons"))
  }
}
