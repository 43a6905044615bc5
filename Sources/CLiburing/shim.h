#ifndef LVSBENCH_CLIBURING_SHIM_H
#define LVSBENCH_CLIBURING_SHIM_H
/* liburing.h defines _XOPEN_SOURCE, which hides fd_set's glibc field names from any
   header included after it; include the socket headers first. */
#include <sys/select.h>
#include <sys/socket.h>
#include <liburing.h>
#endif
