#include "codec/request_body.h"
