/*
 * ws2_fdsetsize.h -- keeps a program's FD_SETSIZE and drops glibc's.  Not a
 * Windows header; included (more than once, no include guard) by
 * windows.h, ws2_libc.h and winsock2.h.
 *
 * Windows programs define FD_SETSIZE before including winsock2.h to size
 * fd_set (64 otherwise).  glibc's <sys/select.h>, which ws2's headers
 * include (and <stdlib.h> brings in GNU modes), defines it too, as
 * __FD_SETSIZE (1024), silently replacing a value defined before it.  So
 * ws2's headers push FD_SETSIZE around the glibc headers they include,
 * and this header drops a definition that is glibc's: it is told apart by
 * giving __FD_SETSIZE a value of its own for a moment.  A program that
 * defines FD_SETSIZE after including <stdlib.h> or <sys/select.h> itself
 * redefines glibc's macro (a warning), as on any Linux build.
 */
#if defined(FD_SETSIZE) && defined(__FD_SETSIZE)
#pragma push_macro("__FD_SETSIZE")
#undef __FD_SETSIZE
#define __FD_SETSIZE (-1)
#if FD_SETSIZE == -1
#define WS2_FD_SETSIZE_IS_GLIBCS
#endif
#pragma pop_macro("__FD_SETSIZE")
#ifdef WS2_FD_SETSIZE_IS_GLIBCS
#undef FD_SETSIZE
#undef WS2_FD_SETSIZE_IS_GLIBCS
#endif
#endif
