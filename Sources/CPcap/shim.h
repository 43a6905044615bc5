#ifndef LVSBENCH_CPCAP_SHIM_H
#define LVSBENCH_CPCAP_SHIM_H
#include <sys/select.h>
#include <sys/socket.h>
#include <pcap/pcap.h>

/* glibc declares setns(2) only under _GNU_SOURCE, which would change fd_set for this module
   alone and clash with Dispatch's view of it; declare the one function instead. */
extern int setns(int fd, int nstype);

/* Moves the calling thread into the network namespace open at fd (CLONE_NEWNET). A capture
   must be opened inside the namespace of its interface: a packet socket stays where it was made. */
static inline int lvsbench_setns_net(int fd) { return setns(fd, 0x40000000); }
#endif
