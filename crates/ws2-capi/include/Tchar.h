/* Windows spelling of <tchar.h>. */
#include "tchar.h"
