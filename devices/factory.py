"""Build the devices the settings name (the device half of the composition root)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.config import DeviceSettings, Settings
from kiosk.errors import ConfigError
from kiosk.i18n import _
from kiosk.ports import Camera, DeviceError, LiveDecoder, Printer


@dataclass
class Devices:
    """The station's camera, decoder chain and printer, plus what could not load."""

    camera: Camera | None
    decoder: LiveDecoder
    printer: Printer | None
    problems: list[str] = field(default_factory=list)
    card_reader: Any = None  # devices.ektp.reader.EktpReader when devices.read_ektp (its models load on first use)


def build_devices(settings: Settings) -> Devices:
    """Camera, decoders and printer from ``settings.devices``; nothing is opened here."""
    from devices.camera import FolderCamera

    d = settings.devices
    camera = None
    if d.camera == "folder":
        camera = FolderCamera(Path(d.camera_folder) if d.camera_folder else settings.data_dir / "camera")
    elif d.camera == "opencv":
        camera = _opencv_camera(settings)
    decoder, problems = build_chain(d)
    reader = None
    if camera is not None and d.read_ektp:
        from devices.ektp.reader import EktpReader

        reader = EktpReader()
    return Devices(camera, decoder, _printer(settings), problems, reader)


def build_chain(d: DeviceSettings) -> tuple[Any, list[str]]:
    """The decoder chain ``devices.decoders`` names, plus a message per decoder that could not load."""
    from devices.decode.decoders import DecoderChain, OpenCVDecoder, PyzbarDecoder
    from devices.decode.pipeline import ScanPipeline

    makers = {"zxingcpp": ScanPipeline, "pyzbar": PyzbarDecoder, "opencv": OpenCVDecoder}
    decoders, problems = [], []
    for name in d.decoders:
        try:
            decoders.append(makers[name]())
        except DeviceError as exc:
            problems.append(str(exc))
    return DecoderChain(decoders), problems


def _opencv_camera(settings: Settings) -> Any:
    """A webcam or video through OpenCV; an image folder or a single image for replays."""
    from devices.camera import IMAGE_SUFFIXES, FolderCamera, OpenCVCamera, StillCamera

    d = settings.devices
    source = Path(d.camera_source)
    if source.is_dir():
        return FolderCamera(source, consume=False)
    if source.suffix.lower() in IMAGE_SUFFIXES:
        return StillCamera(source)
    return OpenCVCamera(d.camera_source, d.camera_width, d.camera_height, d.camera_fps)


def _printer(settings: Settings) -> Any:
    from devices.printer import PreviewPrinter

    url = settings.devices.printer_url
    _check_profile(settings.devices.printer_profile)
    if not url.startswith("preview://"):
        from devices.escpos_printer import printer_from_url

        return printer_from_url(url, settings.devices.printer_profile)
    path = url.removeprefix("preview://")
    return PreviewPrinter(Path(path) if path else settings.data_dir / "slips", settings.devices.printer_profile,
                          ZoneInfo(settings.venue.time_zone))


def _check_profile(name: str) -> None:
    from escpos.capabilities import get_profile

    try:
        get_profile(name)
    except KeyError:
        raise ConfigError(_("devices.printer_profile: unknown profile {name!r} (e.g. TM-T20II or TM-T88V for 80 "
                            "mm, POS-5890 for 58 mm)", name=name)) from None
