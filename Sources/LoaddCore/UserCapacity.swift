import SystemdSupport

/// How many virtual users this node may run, and why no more.
struct UserCapacity: Equatable, Sendable {
    /// The soft open-files limit after raising it to the hard one.
    var openFilesLimit: Int
    /// What the descriptors allow (`FileDescriptorLimit.maxUsers`).
    var byOpenFiles: Int
    /// `max_users:` from the config; 0 when unset.
    var configured: Int

    init(openFilesLimit: UInt64, configured: Int) {
        self.openFilesLimit = Int(clamping: openFilesLimit)
        byOpenFiles = FileDescriptorLimit.maxUsers(openFiles: openFilesLimit)
        self.configured = configured
    }

    var maxUsers: Int { configured > 0 ? min(configured, byOpenFiles) : byOpenFiles }

    /// Why `users` is refused, naming the limit and the knob that moves it; `nil` when it fits.
    func refusal(users: Int) -> String? {
        guard users > maxUsers else { return nil }
        if configured > 0 && configured <= byOpenFiles {
            return "\(users) users exceed max_users: \(configured) in loadd's config; raise it or use fewer users"
        }
        return "\(users) users exceed what this node can hold: \(byOpenFiles) users with an open-files limit of "
            + "\(openFilesLimit) (one descriptor per user, \(FileDescriptorLimit.reservedForDaemon) kept for loadd); "
            + "raise LimitNOFILE= in loadd.service (or `ulimit -n`), or spread the users over more nodes"
    }
}
