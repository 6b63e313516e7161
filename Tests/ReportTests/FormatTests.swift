import Report
import Testing

@Test(arguments: [
    (2.5, 0, "3"), (-2.5, 0, "-3"), (1.234, 2, "1.23"), (0.005, 2, "0.01"), (12, 3, "12.000"),
    (-0.004, 2, "0.00"), (0.05, 1, "0.1"), (1_000_000.5, 1, "1000000.5"), (Double.nan, 2, "nan"),
    (-Double.infinity, 2, "-inf"),
])
func formatFixedWritesExactlyTheRequestedDecimals(value: Double, decimals: Int, expected: String) {
    #expect(formatFixed(value, decimals: decimals) == expected)
}
