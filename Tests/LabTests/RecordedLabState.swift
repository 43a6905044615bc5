import Foundation
import Lab

/// A state.json recorded from `lab up --name probe --mode nat --reals 1 --director uml`
/// before the format had a version (so: format 1), with the run directory as `RUNDIR`.
enum RecordedLabState {
    static let format1 = #"""
{
  "agentAddress" : "198.19.254.2:7070",
  "backend" : "uml",
  "complete" : true,
  "createdAt" : "2026-12-03T09:19:18Z",
  "directAddress" : "198.19.255.2",
  "directClientAddress" : "198.19.255.1",
  "directorLinks" : [
    {
      "interface" : "t-out",
      "namespace" : "hc-probe-sw",
      "side" : "outside"
    },
    {
      "interface" : "t-in",
      "namespace" : "hc-probe-sw",
      "side" : "inside"
    }
  ],
  "hostSysctlsTouched" : false,
  "httpPort" : 80,
  "labDirectory" : "RUNDIR/labs/probe",
  "mode" : "nat",
  "name" : "probe",
  "namespaces" : [
    "hc-probe-sw",
    "hc-probe-client",
    "hc-probe-router",
    "hc-probe-real1"
  ],
  "nodes" : [
    {
      "addresses" : [
        "198.18.0.2/24",
        "198.19.255.1/30"
      ],
      "loopbackAddresses" : [

      ],
      "name" : "client",
      "namespace" : "hc-probe-client",
      "role" : "client"
    },
    {
      "addresses" : [
        "198.18.0.1/24",
        "198.18.1.1/24"
      ],
      "loopbackAddresses" : [

      ],
      "name" : "router",
      "namespace" : "hc-probe-router",
      "role" : "router"
    },
    {
      "addresses" : [
        "198.18.1.2/24",
        "198.18.1.100/32",
        "198.18.2.1/24"
      ],
      "loopbackAddresses" : [

      ],
      "name" : "director",
      "namespace" : "hc-probe-sw",
      "role" : "director"
    },
    {
      "addresses" : [
        "198.18.2.11/24",
        "198.19.255.2/30"
      ],
      "loopbackAddresses" : [

      ],
      "name" : "real1",
      "namespace" : "hc-probe-real1",
      "role" : "real"
    }
  ],
  "ownerPid" : 18206,
  "prefix" : "hc",
  "processes" : [
    {
      "group" : true,
      "label" : "uml director",
      "marker" : "umid=hc-probe",
      "pid" : 18259
    },
    {
      "group" : true,
      "label" : "nginx real1",
      "marker" : "RUNDIR/labs/probe/real1/nginx.conf",
      "pid" : 19115
    },
    {
      "group" : true,
      "label" : "responder real1",
      "marker" : "--lab RUNDIR/labs/probe/real1",
      "pid" : 19117
    }
  ],
  "reals" : [
    {
      "address" : "198.18.2.11",
      "forwarding" : "nat",
      "index" : 1,
      "name" : "real1",
      "weight" : 1
    }
  ],
  "scheduler" : "wrr",
  "spec" : {
    "director" : "uml",
    "mode" : "nat",
    "name" : "probe",
    "reals" : 1,
    "scheduler" : "wrr",
    "weights" : [
      1
    ]
  },
  "switchNamespace" : "hc-probe-sw",
  "tcpPort" : 9000,
  "vip" : "198.18.1.100"
}
"""#

    /// The recorded file as this process's run directory would hold it.
    static var data: Data {
        Data(format1.replacingOccurrences(of: "RUNDIR", with: LabEnvironment.runDirectory).utf8)
    }

    static var path: String { LabEnvironment.statePath("probe") }
}
