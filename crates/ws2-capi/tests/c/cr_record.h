/* A completion routine that records what it was given (shared by the C
 * tests that check routine arguments). */
#ifndef WS2_TEST_CR_RECORD_H
#define WS2_TEST_CR_RECORD_H

#include "ov_common.h"

/* ---- completion routine bookkeeping: what the last routine was given ---- */
static int cr_runs;
static DWORD cr_err, cr_bytes, cr_flags;
static LPWSAOVERLAPPED cr_ov;

static void CALLBACK routine(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED ov, DWORD dwFlags)
{
    cr_runs++;
    cr_err = dwError;
    cr_bytes = cbTransferred;
    cr_ov = ov;
    cr_flags = dwFlags;
}

static inline void reset_routine(void)
{
    cr_runs = 0;
    cr_err = cr_bytes = cr_flags = 0xdead;
    cr_ov = NULL;
}

#endif
