#include "codec/gzip.h"
