import io
import random
import struct
import warnings
import zlib

import pytest
from PIL import Image, ImageCms, JpegImagePlugin, PngImagePlugin

from chalicelib.renditions import CONTENT_TYPE, MAX_BYTES, Rejected, Rendition, renditions_of

ORIENTATION, MAKE, GPS = 0x0112, 0x010F, 0x8825
METADATA = {"comment", "exif", "icc_profile", "xmp"}
NOT_AN_IMAGE = "Not a JPEG, PNG or WebP image"
DAMAGED = "The file is damaged or incomplete"
ANIMATED = "Animated images are not supported"


def encoded(image: Image.Image, image_format: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, image_format, **params)
    return out.getvalue()


def decoded(rendition: Rendition) -> Image.Image:
    image = Image.open(io.BytesIO(rendition.data))
    assert image.format == "JPEG"
    assert image.size == (rendition.width, rendition.height)
    return image


def red_left_blue_right(size: tuple[int, int]) -> Image.Image:
    image = Image.new("RGB", size, "red")
    image.paste("blue", (size[0] // 2, 0, size[0], size[1]))
    return image


def noise(size: tuple[int, int]) -> Image.Image:
    """A picture that compresses as badly as a photo, so that half its file is half its pixels."""
    return Image.effect_noise(size, 64).convert("RGB")


def sizes(rendition: Rendition) -> tuple[int, int]:
    return rendition.width, rendition.height


def near(colour: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(got - want) <= 8 for got, want in zip(colour, expected))


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header promises width x height 1-bit pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def twelve_megapixel_jpeg() -> bytes:
    return encoded(red_left_blue_right((4000, 3000)), "JPEG")


def test_a_12_megapixel_jpeg_becomes_a_1080_and_a_320_jpeg(twelve_megapixel_jpeg):
    photo = renditions_of(twelve_megapixel_jpeg)

    assert sizes(photo.large) == (1080, 810)
    assert sizes(photo.thumbnail) == (320, 240)
    for rendition in (photo.large, photo.thumbnail):
        image = decoded(rendition)
        assert image.mode == "RGB"
        assert image.get_format_mimetype() == CONTENT_TYPE


def test_a_large_jpeg_is_decoded_at_reduced_scale(monkeypatch, twelve_megapixel_jpeg):
    drafts = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(image, mode, size):
        result = draft(image, mode, size)
        drafts.append((mode, size, image.size))
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    renditions_of(twelve_megapixel_jpeg)

    assert drafts[0] == ("RGB", (1080, 810), (2000, 1500))


@pytest.mark.parametrize("stored, orientation, large", [
    ((2400, 1200), 1, (1080, 540)),
    ((1200, 2400), 1, (540, 1080)),
    ((2400, 1800), 6, (810, 1080)),
    ((4400, 1000), 8, (245, 1080)),  # a panorama: the short side is reduced by as much as the long one
])
def test_a_reduced_decode_keeps_at_least_1080_pixels_on_the_longer_side(monkeypatch, stored, orientation, large):
    drafted = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def recording_draft(image, mode, size):
        result = draft(image, mode, size)
        drafted.append(image.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    photo = renditions_of(encoded(Image.new("RGB", stored, "green"), "JPEG", exif=exif))

    assert max(drafted[0]) < max(stored)
    assert max(drafted[0]) >= 1080
    assert sizes(photo.large) == large


def test_a_photo_with_orientation_6_comes_out_portrait_without_its_exif():
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "Camera maker"
    exif[GPS] = {1: "N", 2: (52.0, 22.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}
    upload = encoded(red_left_blue_right((1600, 1200)), "JPEG", exif=exif)
    with Image.open(io.BytesIO(upload)) as sent:
        assert sent.getexif()[ORIENTATION] == 6
        assert sent.getexif().get_ifd(GPS)[2] == (52.0, 22.0, 0.0)

    photo = renditions_of(upload)

    assert sizes(photo.large) == (810, 1080)
    assert sizes(photo.thumbnail) == (240, 320)
    for rendition in (photo.large, photo.thumbnail):
        image = decoded(rendition)
        assert len(image.getexif()) == 0
        assert image.getexif().get_ifd(GPS) == {}
        assert "exif" not in image.info
        assert b"Exif" not in rendition.data
    # Orientation 6: the stored left edge is the top of the photo as taken.
    large = decoded(photo.large)
    assert near(large.getpixel((405, 100)), (255, 0, 0))
    assert near(large.getpixel((405, 980)), (0, 0, 255))


def metadata_for(image_format: str) -> dict:
    exif = Image.Exif()
    exif[MAKE] = "Camera maker"
    metadata = {
        "exif": exif,
        "icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        "xmp": b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret xmp</x:xmpmeta>',
    }
    if image_format == "JPEG":
        metadata["comment"] = "secret comment"
    if image_format == "PNG":
        del metadata["xmp"]
        metadata["pnginfo"] = PngImagePlugin.PngInfo()
        metadata["pnginfo"].add_text("Comment", "secret text")
    return metadata


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_no_comment_exif_icc_profile_or_xmp_is_carried_over(image_format):
    upload = encoded(Image.new("RGB", (200, 100), "green"), image_format, **metadata_for(image_format))
    with Image.open(io.BytesIO(upload)) as sent:
        assert {"exif", "icc_profile"} <= sent.info.keys()

    photo = renditions_of(upload)

    for rendition in (photo.large, photo.thumbnail):
        assert not METADATA & decoded(rendition).info.keys()
        for secret in (b"secret", b"Camera maker", b"ICC_PROFILE", b"Exif"):
            assert secret not in rendition.data


@pytest.mark.parametrize("size, large, thumbnail", [
    ((500, 300), (500, 300), (320, 192)),
    ((300, 500), (300, 500), (192, 320)),
    ((100, 40), (100, 40), (100, 40)),
    ((1, 1), (1, 1), (1, 1)),
])
def test_small_images_are_never_enlarged(size, large, thumbnail):
    photo = renditions_of(encoded(Image.new("RGB", size, "green"), "JPEG"))

    assert sizes(photo.large) == large
    assert sizes(photo.thumbnail) == thumbnail


def test_transparent_pixels_of_a_png_come_out_white():
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 100, 100))

    large = decoded(renditions_of(encoded(image, "PNG")).large)

    assert near(large.getpixel((50, 50)), (255, 0, 0))
    assert near(large.getpixel((150, 50)), (255, 255, 255))


def test_the_transparent_colour_of_a_palette_png_comes_out_white():
    image = Image.new("P", (200, 100), 0)
    image.putpalette([0, 0, 0, 255, 0, 0])
    image.paste(1, (0, 0, 100, 100))

    large = decoded(renditions_of(encoded(image, "PNG", transparency=0)).large)

    assert near(large.getpixel((50, 50)), (255, 0, 0))
    assert near(large.getpixel((150, 50)), (255, 255, 255))


def test_a_16_bit_grey_png_keeps_its_greys():
    grey = decoded(renditions_of(encoded(Image.new("I;16", (50, 40), 32768), "PNG")).large)

    assert near(grey.getpixel((25, 20)), (128, 128, 128))


def test_a_webp_is_accepted():
    photo = renditions_of(encoded(red_left_blue_right((800, 600)), "WEBP"))

    assert sizes(photo.large) == (800, 600)
    assert near(decoded(photo.large).getpixel((100, 300)), (255, 0, 0))


def test_a_jpeg_with_extra_views_is_its_first_picture():
    first, depth_map = Image.new("RGB", (1600, 1200), "red"), Image.new("RGB", (1600, 1200), "blue")
    upload = encoded(first, "MPO", save_all=True, append_images=[depth_map])
    with Image.open(io.BytesIO(upload)) as sent:
        assert (sent.format, sent.n_frames) == ("MPO", 2)

    photo = renditions_of(upload)

    assert sizes(photo.large) == (1080, 810)
    assert near(decoded(photo.large).getpixel((540, 405)), (255, 0, 0))


def test_malformed_exif_does_not_stop_a_photo():
    # A GPS latitude stored as text: Pillow reads it, but fails to write it back.
    def entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
        return struct.pack(">HHI", tag, kind, count) + value
    gps_offset = 8 + 2 + 2 * 12 + 4
    first_ifd = struct.pack(">H", 2) + entry(ORIENTATION, 3, 1, struct.pack(">HH", 6, 0))
    first_ifd += entry(GPS, 4, 1, struct.pack(">I", gps_offset)) + struct.pack(">I", 0)
    gps_ifd = struct.pack(">H", 1) + entry(2, 2, 4, b"abc\0") + struct.pack(">I", 0)
    exif = b"Exif\0\0MM\0\x2a" + struct.pack(">I", 8) + first_ifd + gps_ifd
    upload = encoded(Image.new("RGB", (40, 30), "green"), "JPEG", exif=exif)
    with Image.open(io.BytesIO(upload)) as sent:
        assert sent.getexif().get_ifd(GPS) == {2: "abc"}

    photo = renditions_of(upload)

    assert sizes(photo.large) == (30, 40)
    assert b"Exif" not in photo.large.data


def animated(image_format: str) -> bytes:
    frames = [Image.new("RGB", (64, 48), colour) for colour in ("red", "blue")]
    return encoded(frames[0], image_format, save_all=True, append_images=frames[1:], duration=100)


def cut_in_half(image_format: str) -> bytes:
    whole = encoded(noise((400, 300)), image_format)
    return whole[: len(whole) // 2]


@pytest.mark.parametrize("upload, reason", [
    pytest.param(lambda: b"not an image, whatever its name says" * 100, NOT_AN_IMAGE, id="garbage"),
    pytest.param(lambda: b"", NOT_AN_IMAGE, id="empty"),
    pytest.param(lambda: encoded(Image.new("RGB", (64, 48)), "GIF"), NOT_AN_IMAGE, id="gif"),
    pytest.param(lambda: encoded(Image.new("RGB", (64, 48)), "BMP"), NOT_AN_IMAGE, id="bmp"),
    pytest.param(lambda: encoded(Image.new("RGB", (64, 48)), "TIFF"), NOT_AN_IMAGE, id="tiff"),
    pytest.param(lambda: cut_in_half("JPEG"), DAMAGED, id="truncated jpeg"),
    pytest.param(lambda: cut_in_half("PNG"), DAMAGED, id="truncated png"),
    pytest.param(lambda: animated("WEBP"), ANIMATED, id="animated webp"),
    pytest.param(lambda: animated("PNG"), ANIMATED, id="animated png"),
    pytest.param(lambda: encoded(Image.new("CMYK", (64, 48)), "JPEG"), "CMYK images are not supported", id="cmyk"),
])
def test_an_upload_that_cannot_be_a_photo_is_rejected_with_a_reason(upload, reason):
    with pytest.raises(Rejected) as rejected:
        renditions_of(upload())

    assert rejected.value.reason == str(rejected.value) == reason


def test_a_png_bomb_is_rejected_before_its_pixels_are_expanded(monkeypatch):
    bomb = encoded(Image.new("1", (8000, 6000)), "PNG")
    assert len(bomb) < 200_000

    def expanding(image):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", expanding)
    with pytest.raises(Rejected, match="^Larger than 40 megapixels$"):
        renditions_of(bomb)


@pytest.mark.parametrize("width, height", [
    (10_000, 10_000),  # past Pillow's own limit, where it only warns
    (20_000, 10_000),  # past twice that, where it raises
])
def test_a_header_past_pillows_own_limit_is_rejected_without_a_warning(width, height):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(Rejected, match="^Larger than 40 megapixels$"):
            renditions_of(png_header_claiming(width, height))

    assert not [warning for warning in caught if issubclass(warning.category, Image.DecompressionBombWarning)]


def test_a_file_over_10_mib_is_rejected_before_it_is_opened(monkeypatch):
    png = encoded(Image.new("RGB", (10, 10), "green"), "PNG")
    at_the_limit = png + bytes(MAX_BYTES - len(png))  # bytes after a PNG's end are ignored
    assert sizes(renditions_of(at_the_limit).large) == (10, 10)

    def opening(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Image, "open", opening)
    with pytest.raises(Rejected, match="^Larger than 10 MiB$"):
        renditions_of(at_the_limit + b"\0")


# Pillow warns about the EXIF it cannot read, and carries on.
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data", "ignore:Truncated File Read")
def test_corrupted_uploads_are_accepted_or_rejected_but_never_crash():
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[GPS] = {1: "N", 2: (52.0, 22.0, 0.0)}
    uploads = [encoded(noise((64, 48)), image_format, exif=exif) for image_format in ("JPEG", "PNG", "WEBP")]
    chance = random.Random(20240601)
    for _ in range(300):
        corrupted = bytearray(chance.choice(uploads))
        for _ in range(chance.randint(1, 8)):
            corrupted[chance.randrange(len(corrupted))] = chance.randrange(256)
        try:
            renditions_of(bytes(corrupted))
        except Rejected:
            pass


def test_a_progressive_jpeg_with_thousands_of_scans_is_rejected_before_decoding(monkeypatch):
    """Each scan is decoded over the whole image, draft mode or not: a few KB
    of repeated scans would keep the consumer busy past its timeout."""
    out = io.BytesIO()
    Image.new("L", (1200, 1200), 128).save(out, "JPEG", progressive=True)
    data = out.getvalue()
    last_scan = data.rindex(b"\xff\xda")
    hostile = data[:last_scan] + data[last_scan:-2] * 200 + data[-2:]
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", lambda self: pytest.fail("decoded"))
    with pytest.raises(Rejected, match="Too many progressive scans"):
        renditions_of(hostile)


def test_an_ordinary_progressive_jpeg_is_accepted():
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), "teal").save(out, "JPEG", progressive=True)
    assert renditions_of(out.getvalue()).large.width == 1080
