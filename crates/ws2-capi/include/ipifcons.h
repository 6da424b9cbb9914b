/*
 * ipifcons.h -- interface types (IANA ifType numbers, as Windows reports
 * them in IfType / MIB_IF_TYPE_*).
 */
#ifndef WS2_IPIFCONS_H
#define WS2_IPIFCONS_H

#define MIN_IF_TYPE                     1
#define IF_TYPE_OTHER                   1
#define IF_TYPE_REGULAR_1822            2
#define IF_TYPE_HDH_1822                3
#define IF_TYPE_DDN_X25                 4
#define IF_TYPE_RFC877_X25              5
#define IF_TYPE_ETHERNET_CSMACD         6
#define IF_TYPE_IS088023_CSMACD         7
#define IF_TYPE_ISO88024_TOKENBUS       8
#define IF_TYPE_ISO88025_TOKENRING      9
#define IF_TYPE_ISO88026_MAN            10
#define IF_TYPE_FDDI                    15
#define IF_TYPE_PPP                     23
#define IF_TYPE_SOFTWARE_LOOPBACK       24
#define IF_TYPE_SLIP                    28
#define IF_TYPE_ATM                     37
#define IF_TYPE_IEEE80211               71
#define IF_TYPE_TUNNEL                  131
#define IF_TYPE_IEEE1394                144
#define IF_TYPE_INFINIBAND              199
#define IF_TYPE_WWANPP                  243
#define IF_TYPE_WWANPP2                 244
#define MAX_IF_TYPE                     259

#define MIB_IF_TYPE_OTHER               1
#define MIB_IF_TYPE_ETHERNET            6
#define MIB_IF_TYPE_TOKENRING           9
#define MIB_IF_TYPE_FDDI                15
#define MIB_IF_TYPE_PPP                 23
#define MIB_IF_TYPE_LOOPBACK            24
#define MIB_IF_TYPE_SLIP                28

#define IF_OPER_STATUS_NON_OPERATIONAL  0
#define IF_OPER_STATUS_UNREACHABLE      1
#define IF_OPER_STATUS_DISCONNECTED     2
#define IF_OPER_STATUS_CONNECTING       3
#define IF_OPER_STATUS_CONNECTED        4
#define IF_OPER_STATUS_OPERATIONAL      5

#define MIB_IF_ADMIN_STATUS_UP          1
#define MIB_IF_ADMIN_STATUS_DOWN        2
#define MIB_IF_ADMIN_STATUS_TESTING     3

#endif /* WS2_IPIFCONS_H */
