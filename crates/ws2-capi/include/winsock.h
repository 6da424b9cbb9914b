/* winsock.h -- Winsock 1.1.  ws2's Winsock 2 declarations are a superset
 * that never clashes with it, so this is <winsock2.h> (a program may
 * include either, or both, in any order). */
#include "winsock2.h"
