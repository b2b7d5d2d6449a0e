/* Who else holds a socket: see forks.h. */
#include "forks.h"
