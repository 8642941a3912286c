#include "codec/csv_scanner.h"
