// OpenBLAS's CBLAS interface plus its threading controls.
// The include folder (openblas-pthread on Debian) comes from pkg-config.
#include <cblas.h>
