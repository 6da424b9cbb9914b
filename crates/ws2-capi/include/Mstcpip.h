/* Windows spelling of <mstcpip.h>. */
#include "mstcpip.h"
