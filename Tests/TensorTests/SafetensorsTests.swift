import Foundation
import Testing

@testable import Tensor

// MARK: - Safetensors

@Suite struct SafetensorsTests {
  func tempPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tensor-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
  }

  func store(seed: UInt64) -> ParameterStore {
    var layout = ParameterLayout()
    layout.add("embed.weight", [5, 4])
    layout.add("layer.0.bias", [4])
    let s = ParameterStore(layout: layout)
    var rng = TensorRandom(seed: seed)
    rng.fillNormal(s.data, count: s.count, std: 1)
    return s
  }

  @Test func roundTripF32IsExact() throws {
    let a = store(seed: 1)
    let b = store(seed: 2)
    let path = tempPath("rt32.safetensors")
    try a.save(to: path, metadata: ["config": "{\"d\":4}"])
    let meta = try b.load(from: path)
    #expect(meta["config"] == "{\"d\":4}" && meta["format_version"] == "1")
    #expect((0..<a.count).allSatisfy { a.data[$0] == b.data[$0] })
  }

  @Test func roundTripF16IsClose() throws {
    let a = store(seed: 1)
    let b = store(seed: 2)
    let path = tempPath("rt16.safetensors")
    try a.save(to: path, dtype: .f16)
    let file = try Safetensors.read(path: path)
    #expect(file.dtypes["embed.weight"] == .f16)
    try b.load(file, path: path)
    #expect((0..<a.count).allSatisfy { abs(a.data[$0] - b.data[$0]) <= 1e-3 * max(1, abs(a.data[$0])) })
  }

  @Test func mismatchesSayWhatToDo() throws {
    let a = store(seed: 1)
    let path = tempPath("mm.safetensors")
    try a.save(to: path)
    var other = ParameterLayout()
    other.add("embed.weight", [6, 4])
    other.add("layer.0.bias", [4])
    #expect(throws: TensorError.self) { try ParameterStore(layout: other).load(from: path) }
    do {
      try ParameterStore(layout: other).load(from: path)
    } catch let e as TensorError {
      #expect(e.description.contains("embed.weight") && e.description.contains("config"))
    }
    var missing = ParameterLayout()
    missing.add("embed.weight", [5, 4])
    missing.add("layer.1.bias", [4])
    #expect(throws: TensorError.self) { try ParameterStore(layout: missing).load(from: path) }
    // another format version
    let items = [
      Safetensors.Item(name: "embed.weight", shape: [5, 4], data: a.data),
      Safetensors.Item(name: "layer.0.bias", shape: [4], data: a.data + 20),
    ]
    try Safetensors.write(items, metadata: ["format_version": "99"], to: path)
    do {
      try store(seed: 3).load(from: path)
      Issue.record("a version-99 file loaded")
    } catch let e as TensorError {
      #expect(e == .version(path: path, found: "99", expected: "1"))
    }
    #expect(throws: TensorError.self) { try Safetensors.decode([1, 2, 3]) }
    #expect(throws: TensorError.self) { try Safetensors.decode([255, 0, 0, 0, 0, 0, 0, 0, 1]) }
  }

  /// A file written here must read back in Python's safetensors + numpy with identical values.
  @Test func pythonReadsOurFile() throws {
    let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
    let env = ProcessInfo.processInfo.environment["CODEINTEL_PYTHON"]
    guard let exe = env ?? pythonWithSafetensors() ?? python else {
      print("skipped: no python3 found; install python3 with `pip install safetensors numpy` to run this check")
      return
    }
    let probe = run(exe, ["-c", "import safetensors.numpy, numpy"])
    guard probe.status == 0 else {
      print("skipped: \(exe) lacks safetensors/numpy; run `pip install safetensors numpy` to enable this check")
      return
    }
    let a = store(seed: 5)
    for (dtype, name) in [(Safetensors.DType.f32, "py32"), (.f16, "py16")] {
      let path = tempPath("\(name).safetensors")
      try a.save(to: path, metadata: ["config": "{}"], dtype: dtype)
      let script = """
        import sys, json
        from safetensors.numpy import load_file
        from safetensors import safe_open
        t = load_file(sys.argv[1])
        with safe_open(sys.argv[1], framework="np") as f: meta = f.metadata()
        bits = lambda v: v.view("<u4" if v.dtype.itemsize == 4 else "<u2").ravel()
        out = {k: [int(x) for x in bits(v)] for k, v in t.items()}
        out["__dtype__"] = str(t["embed.weight"].dtype); out["__meta__"] = meta
        print(json.dumps(out))
        """
      let r = run(exe, ["-c", script, path])
      #expect(r.status == 0, "python failed: \(r.output)")
      let json = try #require(try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any])
      #expect(json["__dtype__"] as? String == (dtype == .f32 ? "float32" : "float16"))
      #expect((json["__meta__"] as? [String: String])?["format_version"] == "1")
      for e in a.layout.entries {
        // compare bit patterns: the values numpy holds are exactly the ones written
        let values = try #require(json[e.name] as? [Int])
        #expect(values.count == e.count)
        for (i, v) in values.enumerated() {
          let mine = a.data[e.offset + i]
          let expected = dtype == .f32 ? Int(mine.bitPattern) : Int(Float16(mine).bitPattern)
          #expect(v == expected, "\(e.name)[\(i)]")
        }
      }
    }
  }

  func pythonWithSafetensors() -> String? {
    let which = run("/usr/bin/env", ["sh", "-c", "command -v python3"])
    let path = which.output.trimmingCharacters(in: .whitespacesAndNewlines)
    return which.status == 0 && !path.isEmpty ? path : nil
  }

  func run(_ exe: String, _ args: [String]) -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    do { try p.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
