/* Windows spelling of <iphlpapi.h>. */
#include "iphlpapi.h"
