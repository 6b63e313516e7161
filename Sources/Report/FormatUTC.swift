import Protocol

/// Unix seconds as `2023-11-14 22:13:20 UTC` (see `UTCTime`).
func formatUTC(_ unixSeconds: Int) -> String {
    UTCTime(unixSeconds: unixSeconds).text + " UTC"
}

/// Unix seconds as `2023-11-14T22:13:20Z`, the form Locust 2.47 writes in `First Seen` / `Last Seen`
/// (its `format_utc_timestamp`).
func formatISO8601UTC(_ unixSeconds: Int) -> String {
    UTCTime(unixSeconds: unixSeconds).iso8601 + "Z"
}
