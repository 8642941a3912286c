#include "codec/rows_json.h"
