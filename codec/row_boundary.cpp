#include "codec/row_boundary.h"
