// Shell words for commands we print (resume hints, model cards): one way to quote them.

import Foundation

/// `s` as one word for a POSIX shell: as is when made only of safe characters (letters, digits
/// and `._-/+:,@%=`), else in single quotes with each `'` written as `'\''`.
public func shellQuoted(_ s: String) -> String {
    let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+:,@%=")
    if !s.isEmpty && s.unicodeScalars.allSatisfy(safe.contains) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
}
