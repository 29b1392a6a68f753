import Syntax

// MARK: - Mangle

/// Renames local variables and parameters to the shortest free names, `a, b, …, z, aa, ab, …`, like a
/// minifier's mangler; bindings used as JSX tags get `A, B, …` so they stay components.
///
/// Why behaviour is preserved: the same rules and the same capture check as `RenameLocals` (see its doc
/// comment): a name is taken for a binding only when nothing of that name occurs inside the binding's
/// scope, reserved words (`do`, `if`, `in`, …) are skipped, and everything observable by name (program
/// scope, exports, imports, `arguments`, eval/with scopes, `.name` of functions and classes) is left alone.
/// Names are reused across scopes that do not see each other, as minifiers do. Deterministic: the `rng`
/// is used only when `probability` is below 1.
public struct Mangle: Transform {
  public let name = "mangle"
  /// Probability that each renamable binding is renamed.
  public var probability: Double
  /// Keep the names of function and class declarations and named function/class expressions.
  public var keepFunctionNames: Bool

  public init(probability: Double = 1, keepFunctionNames: Bool = true) {
    self.probability = probability
    self.keepFunctionNames = keepFunctionNames
  }

  public func edits(for input: TransformInput, rng: inout SeededRandom) throws -> [ByteEdit] {
    let analysis = input.scopes
    var planner = RenamePlanner(analysis: analysis)
    var renames: [(Binding, String)] = []
    let candidates = RenamePlanner.renamableBindings(
      analysis, language: input.language,
      keepFunctionNames: keepFunctionNames)
    for binding in candidates {
      guard probability >= 1 || rng.chance(probability) else { continue }
      let capital = planner.needsCapital(binding)
      var index = 0
      while true {
        let candidate = Mangle.shortName(index, capital: capital)
        index += 1
        if candidate == binding.name { break }  // already as short as it gets
        if planner.isAvailable(candidate, for: binding) {
          planner.commit(binding, as: candidate)
          renames.append((binding, candidate))
          break
        }
      }
    }
    return planner.edits(for: renames)
  }

  /// The `index`-th short name: `a … z`, then `aa, ab, …` (bijective base 26); capitalised first letter
  /// when `capital`.
  public static func shortName(_ index: Int, capital: Bool = false) -> String {
    var n = index
    var letters: [UInt8] = []
    repeat {
      letters.append(UInt8(ascii: "a") + UInt8(n % 26))
      n = n / 26 - 1
    } while n >= 0
    letters.reverse()
    if capital { letters[0] -= 32 }
    return String(decoding: letters, as: UTF8.self)
  }
}
