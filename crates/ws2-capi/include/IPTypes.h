/* Windows spelling of <iptypes.h>. */
#include "iptypes.h"
