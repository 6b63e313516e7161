import Protocol
import Testing

@testable import Federation

/// A master acknowledges a worker's stats only once a written save for resuming holds them, so a
/// master killed between two saves loses nothing: the workers still hold what it had not saved.
@Suite struct AckSaveGateTests {
    private let run = RunID(rawValue: "gated")
    private let w1 = NodeID(rawValue: "w1")
    private let w2 = NodeID(rawValue: "w2")

    private func ack(_ sequence: UInt64, run: RunID? = nil) -> StatsAck {
        StatsAck(run: run ?? self.run, assignment: 1, sequence: sequence)
    }

    @Test func beforeTheRunsFirstSaveEveryAckGoesAtOnce() {
        var gate = AckSaveGate()
        var pending = [w1: ack(3)]
        #expect(gate.due(&pending, current: run, finished: false) == [w1: ack(3)])
        #expect(pending.isEmpty)
    }

    @Test func onceSavedAnAckWaitsUntilASaveHoldingItIsWritten() {
        var gate = AckSaveGate()
        var pending = [w1: ack(3)]
        gate.capture(&pending, of: run)
        // Merged after the save was taken: not in it, so held past the save's write too.
        pending[w2] = ack(7)
        #expect(gate.due(&pending, current: run, finished: false).isEmpty, "nothing before the write")
        gate.saved()
        #expect(gate.due(&pending, current: run, finished: false) == [w1: ack(3)])
        #expect(gate.due(&pending, current: run, finished: false).isEmpty, "an ack goes once")
        #expect(pending == [w2: ack(7)])
        gate.capture(&pending, of: run)
        gate.saved()
        #expect(gate.due(&pending, current: run, finished: false) == [w2: ack(7)])
    }

    @Test func aSaveThatFailsKeepsItsAcksForTheNextOneAndTheNewerAckWins() {
        var gate = AckSaveGate()
        var pending = [w1: ack(3)]
        gate.capture(&pending, of: run)   // its write failed: `saved()` never came
        pending[w1] = ack(5)
        gate.capture(&pending, of: run)
        gate.saved()
        #expect(gate.due(&pending, current: run, finished: false) == [w1: ack(5)])
    }

    @Test func aFinishedRunOrAnotherRunLetsEverythingGo() {
        var gate = AckSaveGate()
        var pending = [w1: ack(3)]
        gate.capture(&pending, of: run)
        pending[w2] = ack(4)
        // The run finished: its results are written and no save follows.
        #expect(gate.due(&pending, current: run, finished: true) == [w1: ack(3), w2: ack(4)])
        let next = RunID(rawValue: "next")
        pending = [w1: ack(9, run: next)]
        #expect(gate.due(&pending, current: next, finished: false) == [w1: ack(9, run: next)])
    }
}
