#ifndef LOADD_CSYSTEMD_H
#define LOADD_CSYSTEMD_H
// Why this shim exists: to give Swift one module for libsystemd's notify, socket-activation and
// journal entry points (sd_journal_sendv takes an iovec array, which Swift can call directly;
// sd_journal_send is variadic and is not wrapped on purpose).
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>

/// SD_LISTEN_FDS_START as a function: C macros with values are imported, but this keeps the
/// one constant the daemon depends on next to the call that uses it.
int csystemd_listen_fds_start(void);

#endif
