/// One task's share of the iterations, as Locust's task ratio table shows it.
public struct TaskRatio: Codable, Sendable, Equatable {
    /// 1-based, in scenario order.
    public var task: Int
    public var weight: Int
    /// `weight` over all tasks' weights, 0…1.
    public var ratio: Double
    /// The task's requests in order, `METHOD name`.
    public var requests: [String]

    public init(task: Int, weight: Int, ratio: Double, requests: [String]) {
        self.task = task
        self.weight = weight
        self.ratio = ratio
        self.requests = requests
    }
}
