/* version.h — the version hsptd and hsptctl report. */
#ifndef HSPT_UTIL_VERSION_H
#define HSPT_UTIL_VERSION_H

#define HSPT_VERSION "0.1.0"

#endif
