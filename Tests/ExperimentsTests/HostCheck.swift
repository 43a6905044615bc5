import Foundation
import TestSupport

/// The host checks of one suite: leftovers of the prefix and the net.* sysctls against a
/// snapshot taken before the first trial.
final class HostCheck {
    let prefix: String
    let leftoversCheck: HostLeftovers
    let sysctls: HostSysctls

    init(prefix: String) {
        self.prefix = prefix
        leftoversCheck = HostLeftovers(prefix: prefix, runDirectory: CLI.runDirectory(prefix: prefix))
        sysctls = HostSysctls.snapshot()
    }

    func leftovers() -> [String] {
        // An exited UML guest is a zombie until init reaps it; give that a moment.
        var found = leftoversCheck.find()
        let deadline = Date().addingTimeInterval(5)
        while !found.isEmpty && Date() < deadline {
            usleep(200_000)
            found = leftoversCheck.find()
        }
        return found
    }

    func sysctlChanges() -> [String] { sysctls.differences(to: HostSysctls.snapshot()) }

    /// After a failed check, removes what is left so the next trial starts clean.
    func clean() {
        guard !leftoversCheck.find().isEmpty else { return }
        _ = try? CLI.run(["lab", "down", "--all"], prefix: prefix, timeout: 120)
    }
}
