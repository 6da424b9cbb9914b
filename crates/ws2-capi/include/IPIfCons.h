/* Windows spelling of <ipifcons.h>. */
#include "ipifcons.h"
