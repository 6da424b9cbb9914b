/* P1: FD_SETSIZE defined between <windows.h> (WIN32_LEAN_AND_MEAN, so no
 * Winsock yet) and <winsock2.h>, as Windows code does: no clash with
 * glibc's, and it sizes fd_set. */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#define FD_SETSIZE 1024
#include <winsock2.h>

#ifdef __cplusplus
#define SA(e, m) static_assert(e, m)
#else
#define SA(e, m) _Static_assert(e, m)
#endif

SA(FD_SETSIZE == 1024, "the program's FD_SETSIZE");
SA(sizeof(fd_set) == 8 + 1024 * sizeof(SOCKET), "fd_set of the program's size");
