/* P2 P3 P7: glibc's socket headers first, then the Winsock headers (in
 * Windows' own spellings, wspiapi.h included): the Windows types, numbers
 * and functions win (ws2_libc.h). */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/select.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <WinSock2.h>
#include <WS2tcpip.h>
#include <MSTcpIP.h>
#include <MSWSock.h>
#include <WSPiApi.h>
#include <stdio.h>

#include "headers_names_body.h"
