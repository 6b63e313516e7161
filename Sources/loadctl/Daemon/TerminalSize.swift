import Glibc

/// The terminal's rows and columns: TIOCGWINSZ on stdout, else `LINES`/`COLUMNS`, else 24 × 80.
enum TerminalSize {
    static func current() -> (rows: Int, columns: Int) {
        var size = winsize()
        let asked = withUnsafeMutablePointer(to: &size) { ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), $0) }
        if asked == 0, size.ws_row > 0, size.ws_col > 0 {
            return (Int(size.ws_row), Int(size.ws_col))
        }
        func number(_ name: String) -> Int? {
            getenv(name).flatMap { Int(String(cString: $0)) }.flatMap { (1...10_000).contains($0) ? $0 : nil }
        }
        return (number("LINES") ?? 24, number("COLUMNS") ?? 80)
    }
}
