/* P2 P3 P7: glibc's socket headers first, then the Winsock headers: the
 * Windows types, numbers and functions win (ws2_libc.h). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/select.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
#include <mswsock.h>
#include <stdio.h>

#include "headers_names_body.h"
