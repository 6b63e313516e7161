import Protocol

/// Unix seconds as `2023-11-14 22:13:20 UTC` (see `UTCTime`).
func formatUTC(_ unixSeconds: Int) -> String {
    UTCTime(unixSeconds: unixSeconds).text + " UTC"
}
