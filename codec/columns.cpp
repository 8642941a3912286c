#include "codec/columns.h"
