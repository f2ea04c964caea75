import sharp from 'sharp';

/** Longest side of a preview, in pixels. */
export const PREVIEW_MAX_PIXELS = 480;
export const PREVIEW_MIME_TYPE = 'image/webp';

/** Guards against decompression bombs: an image larger than this is given no preview. */
const MAX_INPUT_PIXELS = 100_000_000;
const PREVIEW_TIMEOUT_SECONDS = 30;

/**
 * A WebP at most PREVIEW_MAX_PIXELS on its longest side, turned upright by
 * its EXIF orientation and never enlarged; only the first frame of an
 * animation. Rejects for a corrupt or oversized image: the caller keeps the
 * file without a preview.
 */
export async function makeImagePreview(file: string): Promise<Buffer> {
  return sharp(file, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .rotate()
    .resize({
      width: PREVIEW_MAX_PIXELS,
      height: PREVIEW_MAX_PIXELS,
      fit: 'inside',
      withoutEnlargement: true,
    })
    .webp({ quality: 80 })
    .timeout({ seconds: PREVIEW_TIMEOUT_SECONDS })
    .toBuffer();
}
