/// The version of loadd and loadctl, shown by `--version`, `loadctl version`, `GET /v1/status` and the
/// fleet handshake. It must equal the repo's `VERSION` file, which names the .deb (`make deb`);
/// `VersionFileTests` fails the build's tests when the two differ.
public enum LoaddVersion {
    public static let current = "0.9.0"
}
