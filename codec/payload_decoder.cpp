#include "codec/payload_decoder.h"
