import Protocol

extension Plan {
    /// What a fleet worker's plan keeps of its `FleetShare` besides the load settings
    /// `apply(_:share:)` writes into the plan itself (users, rate, warm-up, duration): where it
    /// enters the stages, its slice of their levels and its rows of the `data:` file. One value,
    /// so a plan is a worker's share or is not; readers take the whole run when it is `nil`.
    public struct Share: Sendable, Equatable {
        /// How far into its stages the fleet already is when this worker starts: zero from the
        /// run's start; a worker that joins a staged run mid-way enters the shape there.
        public var stagesElapsed: Duration
        /// The part of the stages' levels (and of the warm-up level before them) this worker runs;
        /// `.whole` when its share follows no stages.
        public var stageSlice: LoadSlice
        /// Which rows of the `data:` file this worker's users take (the fleet shares the file).
        public var dataPartition: DataPartition

        public init(
            stagesElapsed: Duration = .zero, stageSlice: LoadSlice = .whole, dataPartition: DataPartition = .whole
        ) {
            self.stagesElapsed = stagesElapsed
            self.stageSlice = stageSlice
            self.dataPartition = dataPartition
        }
    }
}
