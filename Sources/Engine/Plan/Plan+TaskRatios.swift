import Protocol

extension Plan {
    /// Each task's share of the iterations (its weight over the sum) and its requests: the task
    /// ratio table of the report.
    public var taskRatios: [TaskRatio] {
        let sum = tasks.reduce(0) { $0.saturatingAdd($1.weight) }
        return tasks.enumerated().map { index, task in
            let names = task.steps.compactMap { step -> String? in
                guard requests.indices.contains(step), endpoints.indices.contains(requests[step].endpoint) else {
                    return nil
                }
                return endpoints[requests[step].endpoint].description
            }
            return TaskRatio(
                task: index + 1, weight: task.weight, ratio: sum == 0 ? 0 : Double(task.weight) / Double(sum),
                requests: names)
        }
    }
}
