#include "core/metrics.h"

struct metrics metrics;
