// Janus's C headers for the harness: glib and jansson first, outside extern "C" (glib pulls
// C++ templates in C++ mode), then the Janus headers with C linkage.
#pragma once
#include <glib.h>
#include <jansson.h>

extern "C" {
#include <debug.h>
#include <plugins/plugin.h>
}
