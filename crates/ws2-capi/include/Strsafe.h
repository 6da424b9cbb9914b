/* Windows spelling of <strsafe.h>. */
#include "strsafe.h"
