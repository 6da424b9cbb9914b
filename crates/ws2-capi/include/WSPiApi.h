/* Windows spelling of <wspiapi.h>. */
#include "wspiapi.h"
