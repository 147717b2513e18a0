/*
** png.h: PNG images in memory, for the plots' pixel grids (an SVG <image>
** with a data: URI is far smaller than a rectangle per pixel run).
*/
#ifndef LN_PNG_H
#define LN_PNG_H

#include "bytes.h"

/* The PNG colour types lunet writes: 8-bit grey, RGB, or palette indices. */
enum { LN_PNG_GRAY = 0, LN_PNG_RGB = 2, LN_PNG_PALETTE = 3 };

/* Encodes width x height pixels (rows of width * channels bytes, top row
** first; channels 1 for grey and palette, 3 for RGB) as a PNG appended to
** out. A palette image takes plte (nplte RGB triples, 1..256) and
** optionally trns (ntrns alpha values for the first entries). The rows are
** deflated by zlib. Returns LN_OK or an error (bad sizes, zlib failure,
** out of memory). */
int ln_png_encode(int64_t width, int64_t height, int type, const unsigned char *pixels, size_t npixels,
                  const unsigned char *plte, size_t nplte, const unsigned char *trns, size_t ntrns, ln_obuf *out);

#endif
