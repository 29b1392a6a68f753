#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive advisory lock (`flock`) on `<repo>/.codeintel/lock`, held while an index is opened or
/// updated, so two `codeintel` runs on one repository take turns instead of both inserting the same
/// files (`UNIQUE constraint failed: files.path`, issue 18). The second run says that it waits, then
/// finds the index up to date. The lock goes with the process, so a killed run never leaves it held.
final class IndexLock {
  private let fd: Int32

  /// Takes the lock at `path`, creating the file if needed; calls `waiting` once if another process (or
  /// another open of the same file) holds it, then blocks until it is free.
  init(path: String, waiting: () -> Void) throws {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw CloneIndexError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK else {
        let why = String(cString: strerror(errno))
        close(fd)
        throw CloneIndexError.io("cannot lock \(path): \(why)")
      }
      waiting()
      while flock(fd, LOCK_EX) != 0 {
        guard errno == EINTR else {
          let why = String(cString: strerror(errno))
          close(fd)
          throw CloneIndexError.io("cannot lock \(path): \(why)")
        }
      }
    }
    self.fd = fd
  }

  deinit {
    flock(fd, LOCK_UN)
    close(fd)
  }
}
