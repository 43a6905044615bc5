import Balancing
import IPVSControl

/// The balancer a lab's director runs: the one place that names its implementation, so the
/// lab, the tuner and the undo log reach it only through the `Balancer` seam.
public enum DirectorBalancer {
    public static func on(_ director: any LabNode) -> any Balancer { IPVSBalancer(runner: director) }
}
