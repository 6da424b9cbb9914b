/* P1: a program's FD_SETSIZE, defined before its first #include as
 * Microsoft's fd_set page asks, sizes fd_set (and caps FD_SET), whatever
 * glibc's <sys/select.h> (FD_SETSIZE 1024) does around it. */
#define FD_SETSIZE 200
#include <winsock2.h>
#include <stdlib.h>
#include <sys/select.h>
#include <ws2tcpip.h>

#ifdef __cplusplus
#define SA(e, m) static_assert(e, m)
#else
#define SA(e, m) _Static_assert(e, m)
#endif

SA(FD_SETSIZE == 200, "the program's FD_SETSIZE");
SA(sizeof(fd_set) == 8 + 200 * sizeof(SOCKET), "fd_set of the program's size");

int fd_set_capacity(void);
int fd_set_capacity(void)
{
    fd_set s;
    int i;
    FD_ZERO(&s);
    for (i = 0; i < 300; i++) FD_SET((SOCKET)(4 * (i + 1)), &s);
    return (int)s.fd_count; /* 200 */
}
