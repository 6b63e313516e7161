/// What one worker runs of a fleet run, as the master worked it out from the plan it compiled and
/// the fleet's split: its load (users, an arrival rate, or a slice of the stages), how much of the
/// warm-up and the run is left, where in the stages it joins, its slice of the `data:` rows and the
/// run's second its own second 0 is. The worker compiles the scenario text (templates and regexes
/// cannot travel compiled) and sets this on the plan with `Plan.apply(_:share:)`, the same call
/// that applies the run's overrides; nothing else patches a worker's plan.
public struct FleetShare: Codable, Sendable, Equatable {
    /// Closed model without stages: this worker's users and spawn rate (users per second).
    public var users: Int
    public var spawnRate: Double
    /// Open model: this worker's arrivals per second; `nil` for the closed model.
    public var rate: Double?
    /// Open model: this worker's cap on iterations in flight.
    public var maxInFlight: Int?
    /// True when the worker runs the scenario's stages (its `stageSlice` of their levels); false
    /// when the run has none (none in the scenario, or a user count or rate replaced them).
    public var staged: Bool
    /// This worker's part of a staged run's load shape (see `LoadSlice`).
    public var stageSlice: LoadSlice
    /// A staged run joined after its warm-up: how far into the stages the fleet already is, so the
    /// joiner enters the load shape there (0 otherwise).
    public var stagesElapsedMs: Int
    /// What is left of the warm-up, and of the measured span after it (`nil`: until stopped). The
    /// worker stops by itself then even if the master's `stop` never comes.
    public var warmupMs: Int?
    public var remainingMs: Int?
    /// The run's second this worker's second 0 is: a worker joining 40 s in starts at 40.
    public var startSecond: Int
    /// This worker's slice of a `data:` file: its user *n* takes row `n × dataSlots + dataSlot`.
    /// Checked on decode (`FieldRanges`): `1 ≤ dataSlots`, `0 ≤ dataSlot < dataSlots`.
    public var dataSlot: Int
    public var dataSlots: Int

    /// A worker's share; the defaults are an unstaged share from the run's start with all the data rows.
    public init(
        users: Int, spawnRate: Double, rate: Double? = nil, maxInFlight: Int? = nil, staged: Bool = false,
        stageSlice: LoadSlice = .whole, stagesElapsedMs: Int = 0, warmupMs: Int? = nil, remainingMs: Int?,
        startSecond: Int, dataSlot: Int = 0, dataSlots: Int = 1
    ) {
        self.users = users
        self.spawnRate = spawnRate
        self.rate = rate
        self.maxInFlight = maxInFlight
        self.staged = staged
        self.stageSlice = stageSlice
        self.stagesElapsedMs = stagesElapsedMs
        self.warmupMs = warmupMs
        self.remainingMs = remainingMs
        self.startSecond = startSecond
        self.dataSlot = dataSlot
        self.dataSlots = dataSlots
    }

    enum CodingKeys: String, CodingKey {
        case users, spawnRate = "spawn_rate", rate, maxInFlight = "max_in_flight", staged, stageSlice = "stage_slice"
        case stagesElapsedMs = "stages_elapsed_ms", warmupMs = "warmup_ms", remainingMs = "remaining_ms"
        case startSecond = "start_second", dataSlot = "data_slot", dataSlots = "data_slots"
    }
}
