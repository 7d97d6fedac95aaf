import Foundation

/// Writes a file so that readers see the old contents or the new, never a part: the bytes go
/// to a temporary file in the same directory (same file system, so the rename is atomic),
/// are flushed to disk, and the temporary file is renamed over the target. The temporary
/// file has a random name and is created exclusively (`O_EXCL`, `O_NOFOLLOW`): a link planted
/// in its place makes the write fail instead of writing through the link.
public enum AtomicFile {
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let temporary = directory + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
    guard fd >= 0 else { throw failure(path, "cannot create a temporary file in \(directory)") }
    var ok = data.withUnsafeBytes { raw -> Bool in
      var done = 0
      while done < raw.count {
        let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
        if n < 0 { if errno == EINTR { continue } else { return false } }
        done += n
      }
      return true
    }
    if ok { ok = fsync(fd) == 0 }
    let writeErrno = errno
    close(fd)
    guard ok else {
      unlink(temporary)
      errno = writeErrno
      throw failure(path, "writing failed")
    }
    guard rename(temporary, path) == 0 else {
      let e = errno
      unlink(temporary)
      errno = e
      throw failure(path, "cannot replace it")
    }
  }

  /// Creates `path` and its missing parents; an existing directory is fine, a file is not.
  public static func createDirectory(_ path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw ModelError("\(path): exists and is not a directory") }
      return
    }
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw ModelError("\(path): cannot create the directory (\(error.localizedDescription))")
    }
  }

  private static func failure(_ path: String, _ what: String) -> ModelError {
    ModelError("\(path): \(what): \(String(cString: strerror(errno)))")
  }
}
