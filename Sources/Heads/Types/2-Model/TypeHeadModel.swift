import CloneIndex
import CodeIntel
import Corpus
import Foundation
import Model
import Syntax
import Tensor
import Tokenizer

/// A fine-tuned encoder with its type head: what `codeintel finetune types` writes and `suggest-types` and
/// `eval types` load. The folder holds `config.json` (`Info`), `encoder.safetensors`, `typehead.safetensors`
/// and `tokenizer.json`, and optionally `name-prior.json` (`TypeNamePrior`; without it the suggestions are
/// evidence → head, as before the prior existed).
public final class TypeHeadModel: @unchecked Sendable {
  public static let formatName = "codeintel-typehead"
  public static let formatVersion = 1
  /// The folder name under the default model's folder.
  public static let defaultSubfolder = "types"

  /// What `config.json` holds.
  public struct Info: Codable, Sendable, Equatable {
    public var format: String
    public var version: Int
    /// The pretrained model folder the encoder started from (path as given), its name and steps, and the
    /// sha256 of its encoder.safetensors; with `randomInit` the encoder started from random weights of the
    /// same shape instead.
    public var pretrained: String
    public var pretrainedName: String
    public var pretrainedSteps: Int
    public var pretrainedSHA256: String
    public var randomInit: Bool
    public var steps: Int
    public var batchWindows: Int
    public var windowLength: Int
    public var seed: UInt64
    public var learningRate: Float
    public var head: TypeHeadConfig
    /// The closed vocabulary (normalised types), most frequent in train first; class `vocabulary.count` is
    /// "other".
    public var vocabulary: [String]
    public var encoder: String
    public var typehead: String
    public var tokenizer: String
    /// acc@1 / acc@5 of the model alone on the valid split, `any` excluded, at the end of training.
    public var validAccuracyAt1: Double?
    public var validAccuracyAt5: Double?
    /// Reliability on valid: per confidence bin [i/10, (i+1)/10) of the top-1 probability, (sites, correct).
    public var validCalibration: [[Int]]?
    /// A continued head (`finetune types --init-head`): the folder it started from and the fine-tuning steps
    /// behind it (its own and those it continued); nil for a head trained from the encoder.
    public var initHead: String?
    public var initHeadSteps: Int?
    /// Other head folders (paths relative to this one) whose probabilities are averaged with this head's at
    /// every site: an ensemble (`partners`). nil or empty: this head alone.
    public var partners: [String]?
    /// How partners are averaged: "probability" (nil: the mean of the softmaxes) or "logit" (the softmax of the
    /// mean log-probability: a product of experts, as sharp as its members).
    public var partnerAverage: String?

    /// The row label for evaluation tables.
    public var label: String {
      let trained = initHeadSteps.map { "\($0) + \(steps) steps" } ?? "\(steps) steps"
      let window = windowLength == 128 ? "" : ", \(windowLength)-token windows"
      let ensemble = (partners ?? []).isEmpty ? "" : " + \(partners!.count) averaged"
      return randomInit
        ? "type head, no pretraining (\(trained)\(window))\(ensemble)"
        : "type head, ContraCode pretraining (\(pretrainedName) \(pretrainedSteps) steps; \(trained)\(window))\(ensemble)"
    }
  }

  public let directory: URL?
  public var info: Info
  public let tokenizer: Tokenizer
  public let encoder: any SequenceEncoder
  public let head: TypeHead
  public let preparer: TypeHeadPreparer
  /// The name → types table ranked with the head's candidates (`TypeCombination.combine`); nil when the
  /// folder has no `name-prior.json`.
  public var namePrior: TypeNamePrior?
  /// The display threshold fitted on the valid splits (`type-calibration.json`); nil when the folder has none.
  public var calibration: TypeCalibration?
  /// The datastore of train sites searched by the site vector (`type-retrieval.bin`); nil when the folder has
  /// none (then the head's ranking is used alone).
  public var retrieval: TypeRetrieval?
  /// Each evidence rule's measured valid precision, the confidence of its candidates (`evidence-precision.json`);
  /// nil when the folder has none (then the rules' fixed confidences).
  public var evidencePrecision: TypeEvidencePrecision?
  /// The learned ranking of a site's candidates (`type-ranker.json`, `TypeRanker`); nil when the folder has none
  /// (then the hand-set merge, `TypeCombination.combine`).
  public var ranker: TypeRanker?
  /// Heads whose softmax is averaged with this head's at every site (`addPartner`): same vocabulary, windows,
  /// candidate forms and tokenizer, so they score the same classes of the same prepared file.
  public private(set) var partners: [TypeHeadModel] = []
  private let lock = NSLock()

  public init(
    info: Info, tokenizer: Tokenizer, encoder: any SequenceEncoder, head: TypeHead, namePrior: TypeNamePrior? = nil,
    directory: URL? = nil
  ) {
    self.info = info
    self.tokenizer = tokenizer
    self.encoder = encoder
    self.head = head
    self.namePrior = namePrior
    self.directory = directory
    preparer = TypeHeadPreparer(
      tokenizer: tokenizer, vocabulary: info.vocabulary, windowLength: info.windowLength,
      composes: info.head.forms > TypeCandidateForm.nameForms.count)
  }

  /// Averages `partner`'s probabilities with this head's from now on (an ensemble of heads). The partner must
  /// read the same prepared file: the same vocabulary, window length, candidate forms and tokenizer; otherwise
  /// one sentence says which differs. A partner's own partners, prior, calibration and retrieval are not used.
  public func addPartner(_ partner: TypeHeadModel, name: String) throws {
    func refuse(_ what: String) -> CodeIntelError {
      CodeIntelError("type head partner \(name): its \(what) differs from the head's; it cannot be averaged with it")
    }
    // the same instance would take its own lock twice while scoring
    guard partner !== self else { throw CodeIntelError("type head partner \(name): a head cannot be its own partner") }
    guard partner.info.vocabulary == info.vocabulary else { throw refuse("vocabulary") }
    guard partner.info.windowLength == info.windowLength else { throw refuse("window length") }
    guard partner.info.head.forms == info.head.forms, partner.info.head.vocabulary == info.head.vocabulary else {
      throw refuse("head shape")
    }
    let probe = "function f(a: Map<string, number>) { return a.get('x') ?? 0; }"
    guard partner.tokenizer.vocabSize == tokenizer.vocabSize,
      partner.tokenizer.encode(probe, options: EncodeOptions()).ids == tokenizer.encode(probe, options: EncodeOptions()).ids
    else { throw refuse("tokenizer") }
    partners.append(partner)
  }

  /// The logits of every site of windows `items`, in `forward`'s order (a partner's share of an ensemble).
  func partnerLogits(_ items: [(file: TypeHeadFile, window: Int)]) -> [[Float]] {
    lock.lock()
    defer { lock.unlock() }
    let was = encoder.training
    encoder.training = false
    defer { encoder.training = was }
    return forward(items).logits
  }

  /// The members' distributions at one site averaged (`Info.partnerAverage`): the mean of their softmaxes, or the
  /// softmax of their mean log-softmax.
  static func average(_ members: [[Float]], logit: Bool) -> [Float] {
    let n = Float(members.count)
    if !logit {
      var p = [Float](repeating: 0, count: members[0].count)
      for m in members {
        let q = TypeHead.softmax(m)
        for i in p.indices { p[i] += q[i] / n }
      }
      return p
    }
    var mean = [Float](repeating: 0, count: members[0].count)
    for m in members {
      let l = TypeHead.logSoftmax(m)
      for i in mean.indices { mean[i] += l[i] / n }
    }
    return TypeHead.softmax(mean)
  }

  /// Feature width for an encoder of width `dim`: the states before and after the site, the window's pooled
  /// state, and the site kind one-hot.
  public static func featureDim(encoderDim d: Int) -> Int { 3 * d + TypeHeadSite.kinds.count }

  // MARK: Loading and writing

  public static func load(directory: String) throws -> TypeHeadModel {
    try load(directory: directory, withPartners: true)
  }

  /// A head folder's `config.json` alone (its vocabulary, shapes and provenance), without loading the weights.
  public static func info(directory: String) throws -> Info {
    try info(ModelFolder(path: directory, kind: "type head"))
  }

  static func info(_ folder: ModelFolder) throws -> Info {
    try folder.config(Info.self, format: formatName, version: formatVersion)
  }

  /// `withPartners` false: the folder's own `partners` are not loaded (a partner's partners are never used, and
  /// a folder naming itself would recurse).
  static func load(directory: String, withPartners: Bool) throws -> TypeHeadModel {
    let folder = ModelFolder(path: directory, kind: "type head")
    let info = try Self.info(folder)
    let tokenizer = try folder.tokenizer(info.tokenizer)
    let encoder = try folder.encoder(info.encoder)
    let head = try TypeHead.load(from: folder.file(info.typehead).path)
    guard head.config == info.head else { throw folder.unusable("\(info.typehead) does not match config.json") }
    let prior = try TypeNamePrior.load(directory: folder.url)
    let model = TypeHeadModel(
      info: info, tokenizer: tokenizer, encoder: encoder, head: head, namePrior: prior, directory: folder.url)
    model.calibration = try TypeCalibration.load(directory: folder.url)
    model.evidencePrecision = try TypeEvidencePrecision.load(directory: folder.url)
    model.ranker = try TypeRanker.load(directory: folder.url)
    for partner in withPartners ? info.partners ?? [] : [] {
      let path = folder.url.appendingPathComponent(partner).standardizedFileURL.path
      try model.addPartner(try load(directory: path, withPartners: false), name: partner)
    }
    if let retrieval = try TypeRetrieval.load(directory: folder.url) {
      let fingerprint = try TypeRetrieval.fingerprint(
        headFolder: folder.url, encoder: info.encoder, typehead: info.typehead)
      guard retrieval.header.modelFingerprint == fingerprint else {
        throw CodeIntelError(
          "\(folder.file(TypeRetrieval.fileName).path): built with other weights than this head's; rebuild it with "
            + "`codeintel finetune types-datastore --out \(folder.url.path)`")
      }
      guard retrieval.header.dimension == head.config.hidden else {
        throw CodeIntelError(
          "\(folder.file(TypeRetrieval.fileName).path): vectors of \(retrieval.header.dimension) dimensions, the head's "
            + "are \(head.config.hidden); rebuild it with `codeintel finetune types-datastore`")
      }
      model.retrieval = retrieval
    }
    return model
  }

  /// `explicit` if given; else `types/` inside the default model folder if it exists (`$CODEINTEL_MODEL`, then
  /// `ModelFolder.defaultSearchPaths()`); else nil (evidence only).
  public static func loadDefault(explicit: String?) throws -> TypeHeadModel? {
    let found = try ModelFolder.locate(
      explicit: explicit, environmentVariable: nil, subfolder: defaultSubfolder, kind: "type head")
    return try found.folder.map { try load(directory: $0.path) }
  }

  /// Writes the folder: config, encoder, head, tokenizer, and the name prior when there is one.
  public func write(to dir: URL) throws {
    let folder = ModelFolder(url: dir, kind: "type head")
    try folder.create()
    try EncoderFactory.save(encoder, to: dir.appendingPathComponent(info.encoder).path, metadata: ["steps": String(info.steps)])
    try head.save(to: dir.appendingPathComponent(info.typehead).path, metadata: ["steps": String(info.steps)])
    try tokenizer.save(to: dir.appendingPathComponent(info.tokenizer))
    try folder.writeJSON(info, to: ModelFolder.configFile)
    try namePrior?.write(to: dir)
    try calibration?.write(to: dir)
    try ranker?.write(to: dir)
    try retrieval?.write(to: dir)
  }

  /// The default display bar: the calibrated threshold when the folder has one, else `fallback`.
  public func displayThreshold(fallback: Double) -> Double { calibration?.threshold ?? fallback }

  /// A site's ranked candidates as every path ranks them: the learned ranker when the folder has one, else the
  /// hand-set merge (`TypeRanker.ranked`). `name` is the site's name as the dataset spells it (the prior's key).
  public func rankCandidates(
    evidence: [TypeEvidence.Suggestion.Candidate], model shaped: [(type: String, probability: Float)],
    prior: [TypeNamePrior.Candidate], kind: String, name: String,
    threshold: Double = TypeCombination.evidenceThreshold, top: Int = 5, modelReason: String = "type head"
  ) -> [TypeCombination.Candidate] {
    TypeRanker.ranked(
      ranker, evidence: evidence, model: shaped, prior: prior, kind: kind,
      priorSites: namePrior?.names[name]?.sites ?? 0, threshold: threshold, top: top, modelReason: modelReason)
  }

  // MARK: One batch

  struct Pending {
    var batch = 0, length = 0
    var positions: [(item: Int, before: Int, after: Int)] = []
  }
  private var pending = Pending()
  private let features = Buffer(), dStates = Buffer(), dPooled = Buffer()

  /// Encodes a batch of windows (each of some file) and scores every site in them. Returns the logits per
  /// site (vocabulary then that file's candidates) and which (item, site index in the file) each row is.
  func forward(_ items: [(file: TypeHeadFile, window: Int)]) -> (logits: [[Float]], refs: [(item: Int, site: Int)]) {
    let b = items.count
    let t = items.map { $0.file.windows[$0.window].tokens.count }.max() ?? 0
    var tokens = [Int32](repeating: 0, count: b * t)
    var mask = [Float](repeating: 0, count: b * t)
    for (i, item) in items.enumerated() {
      for (j, id) in item.file.windows[item.window].tokens.enumerated() {
        tokens[i * t + j] = id
        mask[i * t + j] = 1
      }
    }
    let out = encoder.forward(tokens: tokens, mask: mask, batch: b, length: t)
    let d = encoder.dim
    let fd = Self.featureDim(encoderDim: d)
    let n = items.reduce(0) { $0 + $1.file.windows[$1.window].sites.count }
    let x = features.reserve(max(n, 1) * fd)
    x.update(repeating: 0, count: max(n, 1) * fd)
    var pool: [TypeHeadCandidate] = []
    var offers: [[TypeHeadOffer]] = []
    var refs: [(item: Int, site: Int)] = []
    var positions: [(item: Int, before: Int, after: Int)] = []
    let states = out.states.data
    let pooled = out.pooled.data
    var row = 0
    for (i, item) in items.enumerated() {
      let base = pool.count
      pool += item.file.candidates
      for s in item.file.windows[item.window].sites {
        let dst = x + row * fd
        (dst).update(from: states + (i * t + s.before) * d, count: d)
        (dst + d).update(from: states + (i * t + s.after) * d, count: d)
        (dst + 2 * d).update(from: pooled + i * d, count: d)
        if let k = TypeHeadSite.kinds.firstIndex(of: item.file.sites[s.site].kind) { dst[3 * d + k] = 1 }
        offers.append(
          item.file.offers[s.site].map { TypeHeadOffer(candidate: base + $0.candidate, features: $0.features) })
        refs.append((i, s.site))
        positions.append((i, s.before, s.after))
        row += 1
      }
    }
    pending = Pending(batch: b, length: t, positions: positions)
    let logits = head.forward(features: x, n: n, candidates: pool, offers: offers)
    return (logits, refs)
  }

  /// Back-propagates the cross-entropy of the last `forward` into the head and the encoder; returns the loss.
  func backward(targets: [Int?]) -> Float {
    let (loss, dx) = head.lossAndBackward(targets: targets)
    let d = encoder.dim
    let fd = Self.featureDim(encoderDim: d)
    let (b, t) = (pending.batch, pending.length)
    let ds = dStates.reserve(b * t * d)
    ds.update(repeating: 0, count: b * t * d)
    let dp = dPooled.reserve(b * d)
    dp.update(repeating: 0, count: b * d)
    for (r, pos) in pending.positions.enumerated() {
      let src = dx + r * fd
      let before = ds + (pos.item * t + pos.before) * d
      let after = ds + (pos.item * t + pos.after) * d
      let pd = dp + pos.item * d
      for q in 0..<d {
        before[q] += src[q]
        after[q] += src[d + q]
        pd[q] += src[2 * d + q]
      }
    }
    encoder.backward(dPooled: dp, dStates: ds)
    return loss
  }

  /// One training forward + backward over the batch; returns the loss (gradients added, not applied).
  public func trainStep(_ items: [(file: TypeHeadFile, window: Int)]) -> Float {
    guard !items.isEmpty else { return 0 }
    let (_, refs) = forward(items)
    let targets = refs.map { items[$0.item].file.targets[$0.site] }
    guard targets.contains(where: { $0 != nil }) else { return 0 }
    return backward(targets: targets)
  }

  // MARK: Prediction

  /// Ranked (type, probability) for every site of a prepared file, in site order, best first (at most `top`;
  /// "other" left out). Probabilities are the softmax over the vocabulary and the file's candidates.
  public func predict(_ file: TypeHeadFile, top: Int = 5, batchWindows: Int = 16) -> [[(type: String, probability: Float)]] {
    var out = [[(type: String, probability: Float)]](repeating: [], count: file.sites.count)
    var w = 0
    while w < file.windows.count {
      for (site, ranked) in scoreWindows(file, Array(w..<min(w + batchWindows, file.windows.count)), top: top) {
        out[site] = ranked
      }
      w += batchWindows
    }
    return out
  }

  /// Predictions for a file's text and sites (prepares the file first). `tree` is the text's parse tree when
  /// the caller has it (else the text is parsed). With `cache` (the editor's, one
  /// per document), the windows are the anchored ones (`TypeHeadWindow.anchored`: an edit changes only the
  /// windows near it) and each is computed alone or taken from the cache (`predict(_:top:cache:)`).
  public func predict(
    text: String, tsx: Bool, sites: [TypeHeadSite], tree: Tree? = nil, top: Int = 5,
    cache: TypeHeadCache? = nil
  ) -> [[(type: String, probability: Float)]] {
    let file = preparer.prepare(text: text, tsx: tsx, sites: sites, tree: tree, anchored: cache != nil)
    guard let cache else { return predict(file, top: top) }
    return predict(file, top: top, cache: cache)
  }

  /// Like `predict(_:top:batchWindows:)`, but every window is encoded and scored on its own, and a window whose
  /// input (`TypeHeadCache.Key`) is in `cache` is answered from it: after an edit, only the windows the edit
  /// touched are computed. Because each window is computed alone, the result does not depend on what the
  /// cache held: a warm cache gives exactly what an empty one gives.
  /// A window is a few small products, which run best on one thread: OpenBLAS's threads and the encoder's
  /// workers are set to one meanwhile (the results do not depend on either).
  public func predict(_ file: TypeHeadFile, top: Int = 5, cache: TypeHeadCache) -> [[(type: String, probability: Float)]] {
    let blasThreads = BLAS.threads
    BLAS.setThreads(1)
    defer { BLAS.setThreads(blasThreads) }
    let transformer = encoder as? TransformerEncoder
    let workers = transformer?.threads
    transformer?.threads = 1
    defer { if let workers { transformer?.threads = workers } }
    var out = [[(type: String, probability: Float)]](repeating: [], count: file.sites.count)
    let candidateTokens = file.candidates.flatMap { $0.tokens + [-1 - Int32($0.form)] }
    // With a datastore, what a retrieved label may use (the file's names, each site's type parameters) is
    // input too.
    let candidates = cache.context(
      TypeHeadCache.Candidates(
        texts: file.candidateTexts + (retrieval != nil ? ["\u{0}scope"] + file.scopeNames.sorted() : []),
        tokens: candidateTokens))
    for (w, window) in file.windows.enumerated() {
      var key = TypeHeadCache.Key(tokens: window.tokens, positions: [], names: [], offers: [], candidates: candidates)
      for s in window.sites {
        let site = file.sites[s.site]
        key.positions += [Int32(s.before), Int32(s.after), Int32(TypeHeadSite.kinds.firstIndex(of: site.kind) ?? -1)]
        key.names.append(site.name)
        if retrieval != nil { key.names += ["\u{0}"] + site.typeParameters }
        for offer in file.offers[s.site] { key.offers += [Float(offer.candidate)] + offer.features }
      }
      if let known = cache.get(key), known.count == window.sites.count {
        for (j, s) in window.sites.enumerated() { out[s.site] = known[j] }
        continue
      }
      let computed = scoreWindows(file, [w], top: top)
      var value: TypeHeadCache.Predictions = []
      for s in window.sites {
        value.append(computed[s.site] ?? [])
        out[s.site] = computed[s.site] ?? []
      }
      cache.put(key, value)
    }
    return out
  }

  /// One site's scores before the retrieval is mixed in: the head's best types, and the site's nearest train
  /// sites with, for each label they carry, whether it is in scope at the site and the head's probability of it.
  public struct SiteScores: Sendable {
    public struct Label: Sendable {
      public var allowed: Bool
      public var head: Float
    }
    public var head: [(type: String, probability: Float)]
    public var neighbours: [Neighbor]
    public var labels: [String: Label]
    /// The head's probability of "other" (a type neither in its vocabulary nor among the site's candidates).
    public var other: Float = 0
  }

  /// The ranking of a site: the head's, mixed with the retrieval's votes when the folder has a datastore
  /// (`TypeRetrieval.mix`). `weight`, `k` and `temperature` override the datastore's (evaluation rows, the fit);
  /// `weight` 0 is the head alone, 1 the retrieval alone.
  public func mixed(
    _ scores: SiteScores, top: Int, weight: Float? = nil, k: Int? = nil, temperature: Double? = nil,
    rule: TypeRetrieval.Rule? = nil
  ) -> [(type: String, probability: Float)] {
    guard let retrieval, !scores.neighbours.isEmpty else { return Array(scores.head.prefix(top)) }
    let lambda = weight ?? Float(retrieval.weight)
    guard lambda > 0 else { return Array(scores.head.prefix(top)) }
    let votes = retrieval.votes(scores.neighbours, k: k, temperature: temperature) {
      scores.labels[$0]?.allowed ?? false
    }
    switch rule ?? retrieval.rule {
    case .interpolate:
      return TypeRetrieval.mix(
        head: scores.head, votes: votes, headProbability: { scores.labels[$0]?.head ?? 0 }, weight: lambda, top: top)
    case .other:
      return TypeRetrieval.fillOther(
        head: scores.head, votes: votes, headProbability: { scores.labels[$0]?.head ?? 0 }, other: scores.other,
        weight: lambda, top: top)
    }
  }

  /// Every site's scores (`SiteScores`), in site order: the head's best `top` types and, with a datastore, the
  /// `depth` nearest train sites (default the datastore's `k`).
  public func scores(_ file: TypeHeadFile, top: Int = 5, depth: Int? = nil, batchWindows: Int = 16) -> [SiteScores] {
    var out = [SiteScores](repeating: SiteScores(head: [], neighbours: [], labels: [:]), count: file.sites.count)
    var w = 0
    while w < file.windows.count {
      for (site, s) in scoreSites(file, Array(w..<min(w + batchWindows, file.windows.count)), top: top, depth: depth) {
        out[site] = s
      }
      w += batchWindows
    }
    return out
  }

  /// The site vectors `u` (the head's, `hidden` wide) of every site of a prepared file, row-major in site order
  /// (a site no window encodes keeps a zero row): what the retrieval datastore stores.
  public func siteVectors(_ file: TypeHeadFile, batchWindows: Int = 16) -> [Float] {
    let hd = head.config.hidden
    var out = [Float](repeating: 0, count: file.sites.count * hd)
    var w = 0
    while w < file.windows.count {
      let ws = Array(w..<min(w + batchWindows, file.windows.count))
      lock.lock()
      let was = encoder.training
      encoder.training = false
      let (_, refs) = forward(ws.map { (file: file, window: $0) })
      let u = head.u.data
      for (r, ref) in refs.enumerated() {
        for j in 0..<hd { out[ref.site * hd + j] = u[r * hd + j] }
      }
      encoder.training = was
      lock.unlock()
      w += batchWindows
    }
    return out
  }

  /// Encodes the windows `ws` of `file` as one batch and ranks their sites' types: site index → (type,
  /// probability) best first, at most `top`, "other" left out; mixed with the retrieval when there is one.
  private func scoreWindows(_ file: TypeHeadFile, _ ws: [Int], top: Int) -> [Int: [(type: String, probability: Float)]] {
    scoreSites(file, ws, top: top, depth: nil).mapValues { mixed($0, top: top) }
  }

  /// The scores of the sites of windows `ws` of `file`, encoded as one batch.
  private func scoreSites(_ file: TypeHeadFile, _ ws: [Int], top: Int, depth: Int?) -> [Int: SiteScores] {
    lock.lock()
    defer { lock.unlock() }
    let was = encoder.training
    encoder.training = false
    defer { encoder.training = was }
    let items = ws.map { (file: file, window: $0) }
    let (logits, refs) = forward(items)
    let shares = partners.map { $0.partnerLogits(items) }
    var probabilities: [[Float]] = []
    var out: [Int: SiteScores] = [:]
    for (r, ref) in refs.enumerated() {
      // the ensemble: every member's distribution over the same classes, averaged
      let p =
        shares.isEmpty
        ? TypeHead.softmax(logits[r])
        : Self.average(
          [logits[r]] + shares.map { $0[r] }.filter { $0.count == logits[r].count },
          logit: info.partnerAverage == "logit")
      probabilities.append(p)
      out[ref.site] = SiteScores(
        head: Self.rank(
          probabilities: p, vocabulary: info.vocabulary, vocabularyIndex: preparer.vocabularyIndex,
          offered: file.offers[ref.site].map { file.candidateTexts[$0.candidate] }, top: top),
        neighbours: [], labels: [:], other: info.vocabulary.count < p.count ? p[info.vocabulary.count] : 0)
    }
    guard let retrieval, !refs.isEmpty else { return out }
    let hd = head.config.hidden
    let queries = Array(UnsafeBufferPointer(start: head.u.data, count: refs.count * hd))
    let found = retrieval.neighbours(queries, count: refs.count, k: depth ?? retrieval.k)
    let k = info.vocabulary.count
    for (r, ref) in refs.enumerated() {
      let site = file.sites[ref.site]
      let typeParameters = Set(site.typeParameters)
      var offered: [String: Int] = [:]
      var labels: [String: SiteScores.Label] = [:]
      for n in found[r] {
        let label = retrieval.label(n.id)
        guard labels[label] == nil else { continue }
        if offered.isEmpty {
          for (j, o) in file.offers[ref.site].enumerated() where offered[file.candidateTexts[o.candidate]] == nil {
            offered[file.candidateTexts[o.candidate]] = j
          }
        }
        var q: Float = 0
        if let v = preparer.vocabularyIndex[label] { q += probabilities[r][v] }
        if let j = offered[label], k + 1 + j < probabilities[r].count { q += probabilities[r][k + 1 + j] }
        labels[label] = SiteScores.Label(
          allowed: TypeRetrieval.inScope(label, names: file.scopeNames, typeParameters: typeParameters), head: q)
      }
      out[ref.site]?.neighbours = found[r]
      out[ref.site]?.labels = labels
    }
    return out
  }

  /// The `top` types of one site's softmax (vocabulary, "other", then the site's offered candidates, whose texts
  /// are `offered`), best first, ties by text: a type the vocabulary and the file both offer gets the sum of its
  /// two probabilities; "other" is left out. One pass with a short sorted list (a site may have thousands of
  /// classes).
  static func rank(
    probabilities p: [Float], vocabulary: [String], vocabularyIndex: [String: Int], offered: [String], top: Int
  ) -> [(type: String, probability: Float)] {
    let k = vocabulary.count
    var vocab = Array(p.prefix(k))
    var open: [(String, Float)] = []
    for (j, text) in offered.enumerated() where k + 1 + j < p.count {
      if let v = vocabularyIndex[text] { vocab[v] += p[k + 1 + j] } else { open.append((text, p[k + 1 + j])) }
    }
    var best: [(type: String, probability: Float)] = []
    func consider(_ type: String, _ q: Float) {
      if best.count == top, let last = best.last, q < last.probability || (q == last.probability && type >= last.type) {
        return
      }
      let i = best.firstIndex { q > $0.probability || (q == $0.probability && type < $0.type) } ?? best.count
      best.insert((type, q), at: i)
      if best.count > top { best.removeLast() }
    }
    for (v, q) in vocab.enumerated() { consider(vocabulary[v], q) }
    for (text, q) in open { consider(text, q) }
    return best
  }

  /// Spaced display form of a normalised type (`A|undefined` → `A | undefined`).
  public static func display(_ type: String) -> String {
    type.replacingOccurrences(of: "|", with: " | ")
  }
}
