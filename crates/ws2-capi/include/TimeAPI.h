/* Windows spelling of <mmsystem.h> (timeapi.h in newer SDKs declares the same timer calls). */
#include "mmsystem.h"
