"""The JPEGs we serve for an uploaded photo, made from its bytes.

An upload is hostile until we have decoded it and encoded it again: its declared
type may lie, its header may promise more pixels than memory holds (a few KB of
PNG can expand to gigabytes), it may be cut short or corrupt, and it carries
what its owner may not mean to publish (GPS position, camera, comments). So we
decode only what Pillow detects as JPEG, PNG or WebP, count bytes before
decoding and pixels before expanding them, and encode new JPEGs holding nothing
but the upright, resized pixels. Anything else is Rejected, with a reason its
owner can read."""
from __future__ import annotations

import io
import math
import struct
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
LARGE, THUMBNAIL = 1080, 320
CONTENT_TYPE = "image/jpeg"
QUALITY = 85

_FORMATS = ("JPEG", "PNG", "WEBP")
# Pillow opens a JPEG followed by extra views (stereo, depth maps), which some
# cameras write, as "MPO": the first picture is the photo, the rest we ignore.
_JPEG = ("JPEG", "MPO")
# What a malformed file makes Pillow raise while decoding it. Not MemoryError,
# nor the errors a bug of ours would raise: those must not pass for "damaged".
_DECODING_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error)
TOO_MANY_BYTES = f"Larger than {MAX_BYTES // (1024 * 1024)} MiB"
_TOO_MANY_PIXELS = f"Larger than {MAX_PIXELS // 1_000_000} megapixels"
# A progressive JPEG is decoded scan by scan, each over every block of the
# full image, draft mode or not: a few KB of repeated scans can take minutes.
# Cameras and encoders write at most a dozen or so.
MAX_JPEG_SCANS = 64
_START_OF_SCAN = b"\xff\xda"
# How to turn the stored pixels upright for each EXIF orientation: what
# ImageOps.exif_transpose does, without its writing the EXIF back afterwards,
# which raises TypeError on some malformed EXIF (and we drop the EXIF anyway).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Renditions:
    large: Rendition
    thumbnail: Rendition


class Rejected(Exception):
    """The upload cannot become a photo; str(self) / .reason says why, for its owner."""

    reason: str

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def renditions_of(data: bytes) -> Renditions:
    """The photo's JPEGs; raises Rejected(reason) for any upload this module refuses."""
    if len(data) > MAX_BYTES:
        raise Rejected(TOO_MANY_BYTES)
    try:
        # Pillow's own bomb check, in open(), raises only beyond twice its limit and
        # merely warns below that: a file it warns about must not be expanded either.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # No `with`: there is no file to close, and `large` may be the opened image itself.
            upload = Image.open(io.BytesIO(data), formats=_FORMATS)
            _check_scans(upload, data)
            large = _upright_rgb(_checked(upload), LARGE)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected(_TOO_MANY_PIXELS) from None
    except UnidentifiedImageError:
        raise Rejected("Not a JPEG, PNG or WebP image") from None
    except _DECODING_ERRORS:
        # Truncated files included: Pillow refuses them while LOAD_TRUNCATED_IMAGES is False.
        raise Rejected("The file is damaged or incomplete") from None
    thumbnail = large.copy()
    thumbnail.thumbnail((THUMBNAIL, THUMBNAIL), Image.Resampling.LANCZOS)
    return Renditions(large=_jpeg(large), thumbnail=_jpeg(thumbnail))


def _checked(upload: Image.Image) -> Image.Image:
    """The upload, still undecoded, if what its header says is acceptable (open()
    has already refused formats other than _FORMATS)."""
    if upload.width * upload.height > MAX_PIXELS:
        raise Rejected(_TOO_MANY_PIXELS)
    if upload.format != "MPO" and getattr(upload, "is_animated", False):
        raise Rejected("Animated images are not supported")
    if upload.mode == "CMYK":
        raise Rejected("CMYK images are not supported")
    return upload


def _check_scans(upload: Image.Image, data: bytes) -> None:
    # Entropy-coded data escapes every 0xFF, so only markers count (an
    # embedded thumbnail's too): never fewer than the real scans.
    if upload.format in _JPEG and data.count(_START_OF_SCAN) > MAX_JPEG_SCANS:
        raise Rejected("Too many progressive scans")


def _upright_rgb(upload: Image.Image, longest: int) -> Image.Image:
    """The upload's pixels as shown, on white, no more than longest on either side."""
    if upload.format in _JPEG and max(upload.size) > longest:
        # Decoding at 1/2, 1/4 or 1/8 scale costs memory and time in proportion to
        # the output, not the upload. Draft never goes below the size asked for on
        # either side, and it sees the stored (not yet rotated) image, so asking for
        # the stored image scaled to `longest` keeps its longer side >= longest.
        scale = longest / max(upload.size)
        upload.draft("RGB", (math.ceil(upload.width * scale), math.ceil(upload.height * scale)))
    upload.load()
    turn = _UPRIGHT.get(upload.getexif().get(ExifTags.Base.Orientation))
    if upload.mode.startswith("I"):
        # 16-bit grey PNG: converting it as it is would clip nearly every pixel to white.
        upload = upload.point(lambda value: value / 256)
    transparent = upload.mode in ("RGBA", "LA", "PA") or "transparency" in upload.info
    mode = "RGBA" if transparent else "RGB"
    image = upload if upload.mode == mode else upload.convert(mode)
    # Shrunk before it is turned and flattened, so the full-size pixels are copied once at most.
    image.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    if turn is not None:
        image = image.transpose(turn)
    if transparent:
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("RGB")
    return image


def _jpeg(image: Image.Image) -> Rendition:
    # A new image has no info to leak: Pillow copies an image's comment into the
    # JPEG it saves, and the upload's EXIF, ICC profile or XMP must not follow.
    bare = Image.new("RGB", image.size)
    bare.paste(image)
    out = io.BytesIO()
    bare.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return Rendition(data=out.getvalue(), width=bare.width, height=bare.height)
