/* Windows spelling of <windows.h> (Linux file names are case-sensitive). */
#include "windows.h"
