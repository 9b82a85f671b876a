// The one place that includes Janus's C headers. glib and jansson come first, outside
// the extern "C" block: in C++ mode glib pulls templates, which cannot have C linkage.
#pragma once
#include <glib.h>
#include <jansson.h>

extern "C" {
#include <debug.h>
#include <plugins/plugin.h>
}
