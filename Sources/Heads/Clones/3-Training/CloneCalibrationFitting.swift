import Foundation

// MARK: - Fitting the calibration

extension CloneCalibration {
  /// The precision every stored threshold must reach on the calibration pairs.
  public static let targetPrecision = 0.99

  /// Fits the combination on the natural column of three scorers' scores on a calibration set. Each
  /// threshold is the lowest (most recall) whose precision on the calibration pairs is at least
  /// `targetPrecision` (best F1 where none reaches it): the calibration negatives are random pairs of
  /// functions, far fewer and easier than the non-clone pairs of a repository, so the threshold leans to
  /// precision rather than the balanced F1 optimum.
  public static func fit(
    encoder: CloneScores, hashed: CloneScores, jaccard: CloneScores, labels: [Bool], model: String, fittedOn: String,
    command: String
  ) -> CloneCalibration {
    let e = encoder.values[0][0]
    let h = hashed.values[0][0]
    let j = jaccard.values[0][0]
    let features = labels.indices.map { [e[$0], h[$0], j[$0]] }
    let logistic = LogisticModel.fit(features: features, labels: labels)
    let p = features.map(logistic.probability)
    func pick(_ s: [Double]) -> DecisionThreshold {
      DecisionThreshold.forPrecision(targetPrecision, scores: s, labels: labels)
        ?? DecisionThreshold.bestF1(scores: s, labels: labels)
    }
    return CloneCalibration(
      model: model, fittedOn: fittedOn, command: command, pairs: labels.count, positives: labels.filter { $0 }.count,
      criterion: "the lowest threshold with precision ≥ \(targetPrecision) on the calibration pairs (natural texts)",
      combination: logistic, combinationThreshold: pick(p), encoderThreshold: pick(e), hashedThreshold: pick(h))
  }
}

// MARK: - Grouped cross-validation

extension CloneCalibration {
  /// The logistic combination scored by `folds`-fold cross-validation grouped by `Pair.groups` (LeetCode
  /// problems, packages): a pair is tested in the fold of its first group, and each fold's model is fitted
  /// on the natural scores of the pairs none of whose groups are in that fold. So no model sees a problem
  /// it is tested on.
  public static func crossValidated(
    _ name: String, inputs: [CloneScores], pairs: [ClonePairSet.Pair], folds: Int
  ) -> CloneScores {
    func fold(_ g: String) -> Int { Int(AdversarialEdits.fnv1a(g) % UInt64(folds)) }
    var models: [LogisticModel] = []
    for f in 0..<folds {
      var x: [[Double]] = []
      var y: [Bool] = []
      for (i, p) in pairs.enumerated() where !p.groups.contains(where: { fold($0) == f }) {
        x.append(inputs.map { $0.values[0][0][i] })
        y.append(p.positive)
      }
      models.append(
        x.isEmpty || Set(y).count < 2
          ? LogisticModel(weights: inputs.map { _ in 1 }, bias: 0) : .fit(features: x, labels: y))
    }
    let testFold = pairs.map { fold($0.groups.first ?? "") }
    var out = inputs[0].values
    for v in out.indices {
      for c in out[v].indices {
        let per = c == 0 ? 1 : inputs[0].tries
        for i in out[v][c].indices {
          out[v][c][i] = models[testFold[i / per]].probability(inputs.map { $0.values[v][c][i] })
        }
      }
    }
    return CloneScores(scorer: name, tries: inputs[0].tries, values: out)
  }
}
