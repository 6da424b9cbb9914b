/* Windows spelling of <winsock.h>. */
#include "winsock.h"
