/* P1: without a definition of its own, a program gets Windows' FD_SETSIZE
 * of 64 even when glibc's <sys/select.h> (1024) came first. */
#include <stdlib.h>
#include <sys/select.h>
#include <poll.h>
#include <winsock2.h>

#ifdef __cplusplus
#define SA(e, m) static_assert(e, m)
#else
#define SA(e, m) _Static_assert(e, m)
#endif

SA(FD_SETSIZE == 64, "Windows' FD_SETSIZE");
SA(sizeof(fd_set) == 520, "Windows' fd_set");
SA(sizeof(struct pollfd) == 16 && POLLIN == 0x300, "struct pollfd is WSAPOLLFD");
