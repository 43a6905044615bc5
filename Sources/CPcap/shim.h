#ifndef LVSBENCH_CPCAP_SHIM_H
#define LVSBENCH_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
