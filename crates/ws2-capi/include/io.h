/*
 * io.h -- Microsoft's low-level I/O names: _open, _creat, _read, _write,
 * _close, _lseek, _lseeki64, _dup, _dup2, _access, _access_s, _isatty,
 * _unlink, _setmode, _fileno, with Windows' _O_* numbers (translated to
 * Linux's by _open).  A bad descriptor, NULL pointer or unknown mode goes
 * through the invalid-parameter handler, as in Microsoft's runtime (by
 * default the process ends: see ws2_crt.h).
 *
 * There is no text mode: every descriptor is binary (no CRLF translation),
 * so _O_TEXT is accepted and ignored and _setmode reports _O_BINARY.  These
 * are Linux descriptors; a SOCKET is not one, as on Windows.  The POSIX
 * names (open, read, write, close, access) stay glibc's.
 */
#ifndef WS2_IO_H
#define WS2_IO_H

#include "windows.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define _O_RDONLY       0x0000
#define _O_WRONLY       0x0001
#define _O_RDWR         0x0002
#define _O_APPEND       0x0008
#define _O_RANDOM       0x0010
#define _O_SEQUENTIAL   0x0020
#define _O_TEMPORARY    0x0040
#define _O_NOINHERIT    0x0080
#define _O_CREAT        0x0100
#define _O_TRUNC        0x0200
#define _O_EXCL         0x0400
#define _O_SHORT_LIVED  0x1000
#define _O_TEXT         0x4000
#define _O_BINARY       0x8000
#define _O_RAW          _O_BINARY
#define _O_WTEXT        0x10000
#define _O_U16TEXT      0x20000
#define _O_U8TEXT       0x40000

#define _S_IREAD        0x0100
#define _S_IWRITE       0x0080

int ws2_crt_open(const char *filename, int oflag, int pmode);

/* _open(filename, oflag [, pmode]): pmode is read only with _O_CREAT. */
static inline int _open(const char *filename, int oflag, ...)
{
    int pmode = 0;
    if (oflag & _O_CREAT) {
        va_list args;
        va_start(args, oflag);
        pmode = va_arg(args, int);
        va_end(args);
    }
    return ws2_crt_open(filename, oflag, pmode);
}

int _creat(const char *filename, int pmode);
int _read(int fd, void *buffer, unsigned int buffer_size);
int _write(int fd, const void *buffer, unsigned int count);
int _close(int fd);
long _lseek(int fd, long offset, int origin);
long long _lseeki64(int fd, long long offset, int origin);
int _dup(int fd);
int _dup2(int fd1, int fd2);
int _access(const char *path, int mode);
errno_t _access_s(const char *path, int mode);
int _isatty(int fd);
int _unlink(const char *filename);
int _setmode(int fd, int mode);
int _fileno(FILE *stream);

#ifdef __cplusplus
}
#endif

#endif /* WS2_IO_H */
