#include "csystemd.h"

int csystemd_listen_fds_start(void) { return SD_LISTEN_FDS_START; }
