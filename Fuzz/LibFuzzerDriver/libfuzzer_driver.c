// Declarations only (include/libfuzzer_driver.h); SwiftPM needs a source file in a C target.
#include "libfuzzer_driver.h"
