/* Windows spelling of <mswsock.h>. */
#include "mswsock.h"
