import Foundation

/// The append-only files a training run writes as it goes (`train.log`, `metrics.jsonl`), shared by
/// pretraining and the fine-tuning of both heads.
public enum RunFiles {
  /// Appends `data` to the file at `url`, creating the file when it does not exist yet.
  public static func append(_ data: Data, to url: URL) throws {
    if let handle = try? FileHandle(forWritingTo: url) {
      handle.seekToEndOfFile()
      handle.write(data)
      try? handle.close()
    } else {
      try data.write(to: url)
    }
  }

  /// Appends `object` as one JSON line (keys sorted).
  public static func appendJSONLine(_ object: [String: Any], to url: URL) throws {
    let line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) + Data("\n".utf8)
    try append(line, to: url)
  }

  /// On resume: keeps only the JSON lines whose `step` is at most `step` (later lines belong to the tail a
  /// checkpoint lost) and returns them in order. A missing file keeps nothing and returns nothing.
  @discardableResult
  public static func trimJSONLines(at url: URL, upToStep step: Int) throws -> [[String: Any]] {
    guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
    var kept = Data()
    var objects: [[String: Any]] = []
    for line in data.split(separator: UInt8(ascii: "\n")) {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
        let s = object["step"] as? Int, s <= step
      else { continue }
      kept.append(Data(line) + Data("\n".utf8))
      objects.append(object)
    }
    try kept.write(to: url)
    return objects
  }
}
