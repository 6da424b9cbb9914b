/*
 * ifdef.h -- interface identifiers and states: NET_LUID, NET_IFINDEX,
 * IF_OPER_STATUS, connection and tunnel types (64-bit Windows layouts).
 */
#ifndef WS2_IFDEF_H
#define WS2_IFDEF_H

#include "windows.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IF_MAX_STRING_SIZE          256
#define IF_MAX_PHYS_ADDRESS_LENGTH  32
#define NDIS_IF_MAX_STRING_SIZE     IF_MAX_STRING_SIZE

typedef ULONG NET_IFINDEX, *PNET_IFINDEX;
typedef ULONG IF_INDEX, *PIF_INDEX;
typedef USHORT NET_IFTYPE, *PNET_IFTYPE;
typedef ULONG IFTYPE;
typedef UINT32 NET_IF_COMPARTMENT_ID, *PNET_IF_COMPARTMENT_ID;
typedef GUID NET_IF_NETWORK_GUID, *PNET_IF_NETWORK_GUID;

#define NET_IFINDEX_UNSPECIFIED         ((NET_IFINDEX)0)
#define NET_IF_COMPARTMENT_ID_UNSPECIFIED ((NET_IF_COMPARTMENT_ID)0)
#define NET_IF_COMPARTMENT_ID_PRIMARY   ((NET_IF_COMPARTMENT_ID)1)

/* NetLuidIndex: bits 24-47; IfType: bits 48-63 (ws2 uses the interface
 * index as NetLuidIndex: see the README's naming scheme). */
typedef union _NET_LUID_LH {
    ULONG64 Value;
    struct {
        ULONG64 Reserved : 24;
        ULONG64 NetLuidIndex : 24;
        ULONG64 IfType : 16;
    } Info;
} NET_LUID_LH, *PNET_LUID_LH;
typedef NET_LUID_LH NET_LUID, *PNET_LUID;
typedef NET_LUID IF_LUID, *PIF_LUID;

typedef enum {
    IfOperStatusUp = 1,
    IfOperStatusDown,
    IfOperStatusTesting,
    IfOperStatusUnknown,
    IfOperStatusDormant,
    IfOperStatusNotPresent,
    IfOperStatusLowerLayerDown
} IF_OPER_STATUS;

typedef enum _NET_IF_CONNECTION_TYPE {
    NET_IF_CONNECTION_DEDICATED = 1,
    NET_IF_CONNECTION_PASSIVE = 2,
    NET_IF_CONNECTION_DEMAND = 3,
    NET_IF_CONNECTION_MAXIMUM = 4
} NET_IF_CONNECTION_TYPE, *PNET_IF_CONNECTION_TYPE;

typedef enum {
    TUNNEL_TYPE_NONE = 0,
    TUNNEL_TYPE_OTHER = 1,
    TUNNEL_TYPE_DIRECT = 2,
    TUNNEL_TYPE_6TO4 = 11,
    TUNNEL_TYPE_ISATAP = 13,
    TUNNEL_TYPE_TEREDO = 14,
    TUNNEL_TYPE_IPHTTPS = 15
} TUNNEL_TYPE, *PTUNNEL_TYPE;

#ifdef __cplusplus
}
#endif

#endif /* WS2_IFDEF_H */
