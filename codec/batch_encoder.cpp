#include "codec/batch_encoder.h"
