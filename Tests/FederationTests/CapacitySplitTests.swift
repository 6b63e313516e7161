import Federation
import Protocol
import Testing

private func worker(_ name: String, cores: Int, weight: Double = 1, maxUsers: Int = 0) -> WorkerCapacity {
    WorkerCapacity(node: NodeID(rawValue: name), cores: cores, weight: weight, maxUsers: maxUsers)
}

private func users(_ split: [NodeID: UserShare], _ name: String) -> Int? { split[NodeID(rawValue: name)]?.users }

@Suite struct CapacitySplitTests {
    @Test func usersFollowCoresTimesWeightAndAddUpExactly() throws {
        let split = try CapacitySplit.split(
            users: 1000, spawnRate: 100,
            among: [
                worker("a", cores: 4), worker("b", cores: 2), worker("c", cores: 2, weight: 0.5),
            ])
        // Shares 4 : 2 : 1 of 1000 → 571.43, 285.71, 142.86; the largest remainders (b .71, c .86) get one more.
        #expect(users(split, "a") == 571)
        #expect(users(split, "b") == 286)
        #expect(users(split, "c") == 143)
        #expect(split.values.reduce(0) { $0 + $1.users } == 1000)
    }

    @Test func sumsAreExactForManyOddSplits() throws {
        for total in [0, 1, 2, 3, 7, 99, 100, 101, 997, 10_000, 123_457] {
            for count in 1...7 {
                let workers = (0..<count).map { worker("w\($0)", cores: $0 % 3 + 1, weight: [1, 0.5, 2][$0 % 3]) }
                let split = try CapacitySplit.split(users: total, spawnRate: 37.5, among: workers)
                #expect(split.count == count)
                #expect(split.values.reduce(0) { $0 + $1.users } == total, "\(total) over \(count)")
                let spawning = split.values.filter { $0.users > 0 }
                if !spawning.isEmpty {
                    #expect(abs(spawning.reduce(0) { $0 + $1.spawnRate } - 37.5) < 1e-9)
                }
                #expect(split.values.allSatisfy { $0.spawnRate > 0 })
            }
        }
    }

    @Test func spawnRateIsProportionalToUsersSoEveryWorkerFinishesRampingTogether() throws {
        let split = try CapacitySplit.split(
            users: 300, spawnRate: 30, among: [worker("a", cores: 2), worker("b", cores: 1)])
        let a = try #require(split[NodeID(rawValue: "a")])
        let b = try #require(split[NodeID(rawValue: "b")])
        #expect(a.users == 200 && b.users == 100)
        #expect(abs(Double(a.users) / a.spawnRate - Double(b.users) / b.spawnRate) < 1e-9)
    }

    @Test func equalWorkersBreakTiesByNameSoSplitsAreStable() throws {
        let workers = [worker("c", cores: 1), worker("a", cores: 1), worker("b", cores: 1)]
        let first = try CapacitySplit.split(users: 2, spawnRate: 1, among: workers)
        let again = try CapacitySplit.split(users: 2, spawnRate: 1, among: workers.reversed())
        #expect(first == again)
        #expect(users(first, "a") == 1 && users(first, "b") == 1 && users(first, "c") == 0)
    }

    @Test func aWorkersUserLimitCapsItsShareAndTheRestGoesToOthers() throws {
        let split = try CapacitySplit.split(
            users: 1000, spawnRate: 10,
            among: [
                worker("big", cores: 8, maxUsers: 300), worker("small", cores: 2),
            ])
        #expect(users(split, "big") == 300)
        #expect(users(split, "small") == 700)
    }

    @Test func moreUsersThanTheFleetHoldsIsRefusedWithTheLimits() {
        #expect(throws: SplitError.self) {
            try CapacitySplit.split(
                users: 1001, spawnRate: 10,
                among: [
                    worker("a", cores: 1, maxUsers: 500), worker("b", cores: 1, maxUsers: 500),
                ])
        }
        do {
            _ = try CapacitySplit.split(users: 1001, spawnRate: 10, among: [worker("a", cores: 1, maxUsers: 500)])
        } catch {
            #expect(error.description.contains("1001 users exceed"))
            #expect(error.description.contains("a 500"))
        }
    }

    @Test func noWorkersOrOnlyZeroWeightsIsRefused() {
        #expect(throws: SplitError.self) { try CapacitySplit.split(users: 10, spawnRate: 1, among: []) }
        #expect(throws: SplitError.self) {
            try CapacitySplit.split(users: 10, spawnRate: 1, among: [worker("a", cores: 4, weight: 0)])
        }
    }

    @Test func aZeroWeightWorkerGetsNoUsersWhileOthersCarryThem() throws {
        let split = try CapacitySplit.split(
            users: 10, spawnRate: 5,
            among: [
                worker("spare", cores: 4, weight: 0), worker("main", cores: 1),
            ])
        #expect(users(split, "spare") == 0)
        #expect(users(split, "main") == 10)
    }
}
