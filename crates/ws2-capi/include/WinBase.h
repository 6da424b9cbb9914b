/* Windows spelling of <winbase.h>. */
#include "winbase.h"
