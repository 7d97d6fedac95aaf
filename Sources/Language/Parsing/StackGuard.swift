#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How much of the current thread's stack is left. The recursive passes (the parser, the
/// interpreter) ask before going deeper, so absurdly nested input or runaway recursion ends
/// in a diagnostic instead of a crash, whatever the thread's stack size or the build mode.
public enum StackGuard {
  /// Stack kept free below the deepest check: room for one built-in call and its kernels.
  public static let reserve = 256 * 1024

  /// True when fewer than `reserve` bytes are left below the caller's frame.
  public static func isNearlyFull() -> Bool {
    guard let bottom = stackBottom() else { return false }
    var marker = 0
    let here = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    return here < bottom || here - bottom < UInt(reserve)
  }

  #if os(Linux) || canImport(Darwin)
  /// Per-thread cache of the stack's lowest address (asking the system can read
  /// /proc/self/maps on Linux, far too slow to do at every call).
  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()
  #endif

  /// The lowest address of this thread's stack, or nil when the platform cannot tell.
  static func stackBottom() -> UInt? {
    #if os(Linux)
    if let cached = pthread_getspecific(key) { return UInt(bitPattern: cached) }
    // pthread_getattr_np is a GNU extension the Glibc module does not export: look it up.
    typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "pthread_getattr_np") else { return nil }
    let getAttributes = unsafeBitCast(symbol, to: GetAttributes.self)
    var attributes = pthread_attr_t()
    guard getAttributes(pthread_self(), &attributes) == 0 else { return nil }
    defer { pthread_attr_destroy(&attributes) }
    var address: UnsafeMutableRawPointer? = nil
    var size = 0
    guard pthread_attr_getstack(&attributes, &address, &size) == 0, let address else { return nil }
    pthread_setspecific(key, address)
    return UInt(bitPattern: address)
    #elseif canImport(Darwin)
    if let cached = pthread_getspecific(key) { return UInt(bitPattern: cached) }
    let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
    let bottom = top - UInt(pthread_get_stacksize_np(pthread_self()))
    pthread_setspecific(key, UnsafeRawPointer(bitPattern: bottom))
    return bottom
    #else
    return nil
    #endif
  }
}
