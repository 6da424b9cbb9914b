/* P2 P3 P7: the Winsock headers first, then glibc's socket headers, which
 * then change nothing (ws2_libc.h included them already). */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
#include <mswsock.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/select.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdio.h>

#include "headers_names_body.h"
