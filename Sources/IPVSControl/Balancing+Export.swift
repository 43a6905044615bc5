// IPVS is the first balancer: whoever drives it uses the seam's value types with it.
@_exported import Balancing
