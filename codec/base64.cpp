#include "codec/base64.h"
