/*
 * winerror.h -- Win32 error codes (GetLastError) and HRESULTs, with the
 * Windows SDK's numbers and macros.  Included by windows.h.  The Winsock
 * codes (WSAE*) are in winsock2.h.  FormatMessage(FORMAT_MESSAGE_FROM_SYSTEM)
 * has a message for every code defined here.
 *
 * HRESULT is a 32-bit signed int here (Windows' is a 32-bit long): with a
 * 64-bit long, 0x8007007A would be positive and FAILED() would be false.
 */
#ifndef WS2_WINERROR_H
#define WS2_WINERROR_H

#include "windows.h"

/* ---- Win32 error codes ---- */
#define NO_ERROR                        0
#define ERROR_SUCCESS                   0
#define ERROR_INVALID_FUNCTION          1
#define ERROR_FILE_NOT_FOUND            2
#define ERROR_PATH_NOT_FOUND            3
#define ERROR_TOO_MANY_OPEN_FILES       4
#define ERROR_ACCESS_DENIED             5
#define ERROR_INVALID_HANDLE            6
#define ERROR_NOT_ENOUGH_MEMORY         8
#define ERROR_INVALID_ACCESS            12
#ifndef ERROR_INVALID_DATA
#define ERROR_INVALID_DATA              13
#endif
#define ERROR_OUTOFMEMORY               14
#define ERROR_NOT_READY                 21
#define ERROR_BAD_LENGTH                24
#define ERROR_GEN_FAILURE               31
#define ERROR_SHARING_VIOLATION         32
#define ERROR_HANDLE_EOF                38
#define ERROR_NOT_SUPPORTED             50
#define ERROR_REM_NOT_LIST              51
#define ERROR_DUP_NAME                  52
#define ERROR_BAD_NETPATH               53
#define ERROR_NETWORK_BUSY              54
#define ERROR_BAD_NET_RESP              58
#define ERROR_UNEXP_NET_ERR             59
#define ERROR_NETNAME_DELETED           64
#define ERROR_TOO_MANY_NAMES            68
#define ERROR_REQ_NOT_ACCEP             71
#define ERROR_FILE_EXISTS               80
#define ERROR_INVALID_PARAMETER         87
#define ERROR_BROKEN_PIPE               109
#ifndef ERROR_BUFFER_OVERFLOW
#define ERROR_BUFFER_OVERFLOW           111
#endif
#define ERROR_CALL_NOT_IMPLEMENTED      120
#define ERROR_SEM_TIMEOUT               121
#define ERROR_INSUFFICIENT_BUFFER       122
#ifndef ERROR_INVALID_NAME
#define ERROR_INVALID_NAME              123
#endif
#define ERROR_MOD_NOT_FOUND             126
#define ERROR_PROC_NOT_FOUND            127
#define ERROR_DISCARDED                 157
#define ERROR_NOT_LOCKED                158
#define ERROR_ALREADY_EXISTS            183
#define ERROR_BAD_EXE_FORMAT            193
#define ERROR_ENVVAR_NOT_FOUND          203
#ifndef ERROR_NO_DATA
#define ERROR_NO_DATA                   232
#endif
#define ERROR_PIPE_NOT_CONNECTED        233
#define ERROR_MORE_DATA                 234
#define ERROR_NO_WORK_DONE              235
#define ERROR_NO_MORE_ITEMS             259
#define ERROR_NOT_OWNER                 288
#define ERROR_TOO_MANY_POSTS            298
#define ERROR_MR_MID_NOT_FOUND          317
#define ERROR_NO_SUCH_DEVICE            433
#define ERROR_INVALID_ADDRESS           487
#define ERROR_ABANDONED_WAIT_0          735
#define ERROR_OPERATION_ABORTED         995
#define ERROR_IO_INCOMPLETE             996
#define ERROR_IO_PENDING                997
#define ERROR_NOACCESS                  998
#ifndef ERROR_CAN_NOT_COMPLETE
#define ERROR_CAN_NOT_COMPLETE          1003
#endif
#define ERROR_INVALID_FLAGS             1004
#define ERROR_NO_UNICODE_TRANSLATION    1113
#define ERROR_NOT_FOUND                 1168
#define ERROR_INVALID_NETNAME           1214
#ifndef ERROR_CANCELLED
#define ERROR_CANCELLED                 1223
#endif
#define ERROR_CONNECTION_REFUSED        1225
#define ERROR_GRACEFUL_DISCONNECT       1226
#define ERROR_ADDRESS_ALREADY_ASSOCIATED 1227
#define ERROR_ADDRESS_NOT_ASSOCIATED    1228
#define ERROR_CONNECTION_INVALID        1229
#define ERROR_CONNECTION_ACTIVE         1230
#define ERROR_NETWORK_UNREACHABLE       1231
#define ERROR_HOST_UNREACHABLE          1232
#define ERROR_PROTOCOL_UNREACHABLE      1233
#define ERROR_PORT_UNREACHABLE          1234
#define ERROR_REQUEST_ABORTED           1235
#define ERROR_CONNECTION_ABORTED        1236
#define ERROR_RETRY                     1237
#define ERROR_CONNECTION_COUNT_LIMIT    1238
#define ERROR_HOST_DOWN                 1256
#define ERROR_PRIVILEGE_NOT_HELD        1314
#define ERROR_NO_SYSTEM_RESOURCES       1450
#define ERROR_WORKING_SET_QUOTA         1453
#define ERROR_PAGEFILE_QUOTA            1454
#define ERROR_COMMITMENT_LIMIT          1455
#define ERROR_TIMEOUT                   1460
#define ERROR_INVALID_USER_BUFFER       1784
#define ERROR_INVALID_PRIORITY          1800
#define ERROR_RESOURCE_DATA_NOT_FOUND   1812
#define ERROR_RESOURCE_TYPE_NOT_FOUND   1813
#define ERROR_RESOURCE_LANG_NOT_FOUND   1815
#define ERROR_NOT_ENOUGH_QUOTA          1816

/* ---- HRESULTs ---- */
#define SEVERITY_SUCCESS    0
#define SEVERITY_ERROR      1
#define FACILITY_NULL       0
#define FACILITY_WIN32      7
#define FACILITY_NT_BIT     0x10000000

#define SUCCEEDED(hr)           (((HRESULT)(hr)) >= 0)
#define FAILED(hr)              (((HRESULT)(hr)) < 0)
#define IS_ERROR(Status)        (((unsigned int)(Status)) >> 31 == SEVERITY_ERROR)
#define HRESULT_CODE(hr)        ((hr) & 0xFFFF)
#define HRESULT_FACILITY(hr)    (((hr) >> 16) & 0x1fff)
#define HRESULT_SEVERITY(hr)    (((hr) >> 31) & 0x1)
#define MAKE_HRESULT(sev, fac, code) \
    ((HRESULT)(((unsigned int)(sev) << 31) | ((unsigned int)(fac) << 16) | ((unsigned int)(code))))
#define HRESULT_FROM_WIN32(x) \
    ((HRESULT)(x) <= 0 ? ((HRESULT)(x)) \
                       : ((HRESULT)(((x) & 0x0000FFFF) | (FACILITY_WIN32 << 16) | 0x80000000)))
#define HRESULT_FROM_NT(x)      ((HRESULT)((x) | FACILITY_NT_BIT))

#define _HRESULT_TYPEDEF_(sc)   ((HRESULT)(sc))
#define S_OK            ((HRESULT)0)
#define S_FALSE         ((HRESULT)1)
#define E_NOTIMPL       _HRESULT_TYPEDEF_(0x80004001)
#define E_NOINTERFACE   _HRESULT_TYPEDEF_(0x80004002)
#define E_POINTER       _HRESULT_TYPEDEF_(0x80004003)
#define E_ABORT         _HRESULT_TYPEDEF_(0x80004004)
#define E_FAIL          _HRESULT_TYPEDEF_(0x80004005)
#define E_UNEXPECTED    _HRESULT_TYPEDEF_(0x8000FFFF)
#define E_ACCESSDENIED  _HRESULT_TYPEDEF_(0x80070005)
#define E_HANDLE        _HRESULT_TYPEDEF_(0x80070006)
#define E_OUTOFMEMORY   _HRESULT_TYPEDEF_(0x8007000E)
#define E_INVALIDARG    _HRESULT_TYPEDEF_(0x80070057)

#endif /* WS2_WINERROR_H */
