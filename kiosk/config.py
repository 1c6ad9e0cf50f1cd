"""Station settings: one TOML file (``--config`` or ``KIOSK_CONFIG``), ``KIOSK_*`` overrides.

Nested keys are overridden with a double underscore: ``KIOSK_STATION__ID=ST-02``.
Every field has a docstring; ``kiosk config check`` prints the effective values.
"""

from __future__ import annotations

import datetime as dt
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from kiosk.errors import ConfigError
from kiosk.i18n import N_, _
from kiosk.pins import is_pin_hash

CONFIG_ENV = "KIOSK_CONFIG"
DEFAULT_CONFIG = Path("/etc/sentra/kiosk.toml")  # where deploy/install.sh puts an installed station's config
_config_file: ContextVar[Path | None] = ContextVar("config_file", default=None)  # the file being loaded


class Section(BaseModel):
    """A config section: unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class VenueSettings(Section):
    name: str = Field(min_length=1)
    """The venue's name as printed on cards, e.g. "Stadion Singaperbangsa"."""
    code: str = Field(pattern=r"^[A-Z0-9]{2,12}$")
    """Short venue code inside signed cards and passes: 2-12 capital letters or digits."""
    time_zone: str = "Asia/Jakarta"
    """IANA time zone of the venue; "today" is the venue's date in this zone."""
    allow_walkins: bool = True
    """Whether staff may register people who did not register online."""
    adverse_event_contact: str = ""
    """Phone or desk for adverse events after immunisation (KIPI), printed on cards."""
    trusted_venues: dict[str, str] = {}
    """Other venues whose cards are accepted here: venue code -> base64 Ed25519 public key."""

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(_("unknown time zone {value!r} (expected e.g. Asia/Jakarta)", value=value)) from None
        return value


class StationSettings(Section):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    """This station's id, unique within the venue (letters, digits, - and _)."""
    name: str = ""
    """A friendly name shown in the header, e.g. "Gate A"."""
    role: Literal["all", "checkin", "screening", "vaccination", "card"] = "all"
    """Which desk this station is: "all" lets one station do every step."""
    print_queue_tickets: bool = False
    """Print a queue ticket (the number, large) for every attendee checked in here."""
    idle_lock_seconds: float = Field(default=120.0, ge=15, le=3600)
    """Staff and technician modes go back to attendee mode after this long without a touch or a key
    (a warning shows 10 seconds before): a desk left open does not stay open."""
    trial: bool = False
    """A demo, training or test station: fake devices, the example PINs and a plan that has ended are
    allowed. A live station (false) refuses to start with any of them (kiosk/readiness.py)."""


class DatabaseSettings(Section):
    url: str = ""
    """SQLAlchemy URL of the station database; empty means station.db in the data directory."""

    @field_validator("url")
    @classmethod
    def _readable(cls, value: str) -> str:
        if not value:
            return value
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError(_("not a database URL: use sqlite:///PATH (or leave it empty for station.db in data_dir)")) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(_("a {get_backend_name} database is not supported: use sqlite:///PATH", get_backend_name=url.get_backend_name()))
        try:
            url.get_dialect().import_dbapi()
        except ImportError as exc:
            raise ValueError(_("the driver for {drivername}:// is not installed ({name}); e.g. postgresql+psycopg:// "
                               "needs psycopg", drivername=url.drivername, name=exc.name)) from None
        return value


class QuotaSettings(Section):
    stock: int = Field(ge=0, le=100_000_000)
    """Doses available for the whole period (0 to 100,000,000)."""
    first_day: dt.date
    """First service day (YYYY-MM-DD)."""
    last_day: dt.date
    """Last service day (YYYY-MM-DD); the stock must last until then, not run out faster."""
    carry_forward: bool = True
    """Whether a day's unused slots are added to the next day's cap."""
    walkin_share: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of each day's cap kept for walk-ins (0.2 = 20%)."""
    overrides: dict[dt.date, int] = {}
    """Fixed caps for particular days, e.g. {2021-08-07 = 300}: each 0 or more, within the period,
    together no more than the stock."""
    appointments: Literal["any_day", "on_or_after", "exact"] = "any_day"
    """What a registration's appointment_date means: "any_day" (ignored), "on_or_after" (not before it),
    "exact" (only on it). People without an appointment date may come any day."""

    @model_validator(mode="after")
    def _plan(self) -> QuotaSettings:
        from kiosk.domain.quota import QuotaPlan

        QuotaPlan(self.stock, self.first_day, self.last_day, self.overrides)  # its ValueError names the problem
        return self


class DeviceSettings(Section):
    camera: Literal["folder", "opencv", "none"] = "folder"
    """"opencv" (a webcam, video file, image folder or image: camera_source), "folder" (the demo's
    fake camera playing images dropped in camera_folder), or "none"."""
    camera_folder: str = ""
    """Folder the fake camera plays; empty means camera/ in the data directory."""
    camera_source: str = "0"
    """For "opencv": a device index ("0"), a device path (/dev/video0), a video file, an image folder or one image."""
    camera_width: int = Field(default=1280, ge=160, le=3840)
    """Requested frame width from a webcam."""
    camera_height: int = Field(default=720, ge=120, le=2160)
    """Requested frame height from a webcam."""
    camera_fps: int = Field(default=15, ge=1, le=60)
    """Requested frames per second (also the pace of files without a rate)."""
    camera_preview: bool = True
    """Show what the camera sees on the scan screen, so attendees can aim."""
    decoders: list[Literal["zxingcpp", "pyzbar", "opencv"]] = ["zxingcpp"]
    """Decoder chain, tried in order: "zxingcpp" (the multi-pass zxing-cpp pipeline), "pyzbar" (needs
    libzbar0), "opencv" (OpenCV's QR detector, every 8th camera frame): the later ones are fallbacks."""
    read_ektp: bool = True
    """Read the NIK off an e-KTP held to the camera (a NIK is taken when two reads agree with the card's
    printed birth date and sex); off, attendees without a QR type their NIK."""
    hid_scanner: bool = True
    """Tell a keyboard-wedge scanner's burst of keys from a person typing, on every screen that takes
    a scan (the scanned characters never land in whatever field has focus)."""
    hid_max_gap_ms: int = Field(default=30, ge=2, le=200)
    """Longest pause between a scanner's keys; a person types slower (60+ ms between keys)."""
    hid_min_length: int = Field(default=4, ge=1, le=64)
    """Shortest code a burst must hold to count as a scan."""
    hid_prefix: str = ""
    """Characters the scanner is programmed to send before each code (removed), or empty."""
    hid_suffix: list[str] = ["enter", "tab"]
    """What ends a scan: key names ("enter", "tab") or single characters; a burst that just stops
    is a scan too, after hid_max_gap_ms."""
    printer_url: str = "preview://"
    """Printer: usb://VID:PID, tcp://HOST:PORT, serial:///dev/ttyUSB0?baud=19200, file:///dev/usb/lp0,
    or preview://PATH (ESC/POS bytes to files in PATH; empty: slips/ in the data directory)."""
    printer_profile: str = "TM-T20II"
    """python-escpos printer profile (sets paper width and QR support)."""


class SyncSettings(Section):
    server: Literal["none", "fhir", "json"] = "none"
    """Where records go: "fhir" (a FHIR R4 server such as SATUSEHAT), "json" (JSON records POSTed to
    an endpoint), or "none" (records wait in the station database)."""
    url: str = ""
    """The FHIR base URL (https://.../fhir) or the JSON endpoint."""
    auth: Literal["none", "token", "oauth2"] = "none"
    """How to authenticate: nothing, a static bearer token, or OAuth2 client credentials."""
    token: SecretStr = SecretStr("")
    """The static bearer token (better set as KIOSK_SYNC__TOKEN than written here)."""
    token_url: str = ""
    """OAuth2 token endpoint."""
    client_id: str = ""
    """OAuth2 client id."""
    client_secret: SecretStr = SecretStr("")
    """OAuth2 client secret (better set as KIOSK_SYNC__CLIENT_SECRET)."""
    client_auth: Literal["client_secret_post", "client_secret_basic"] = "client_secret_post"
    """How the client id and secret reach the token endpoint: in the form body (client_secret_post, as the
    national platform's clients do) or as HTTP Basic (client_secret_basic)."""
    scope: str = ""
    """OAuth2 scope to ask for; empty asks for the client's default."""
    patients: Literal["lookup", "create"] = "lookup"
    """FHIR: "lookup" finds each person's Patient by NIK on the server (the national platform's Patients come
    from the civil registry; a NIK it does not know goes on the needs-attention list), "create" makes the
    Patient when none has the NIK (a venue's own FHIR store)."""
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    """How long one request may take before it is retried."""
    batch_size: int = Field(default=50, ge=1, le=1000)
    """Records claimed per batch."""
    retry_base_seconds: float = Field(default=2.0, gt=0, le=3600)
    """First retry delay after a failure; doubled each time, with jitter."""
    retry_cap_seconds: float = Field(default=300.0, gt=0, le=86400)
    """Longest delay between retries (a server's Retry-After is honoured up to a day)."""
    lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    """How long a sender holds the station's sending lease without renewing it."""
    poll_seconds: float = Field(default=5.0, gt=0, le=3600)
    """How often an idle sender looks for new records."""

    @model_validator(mode="after")
    def _complete(self) -> SyncSettings:
        if self.server != "none" and not self.url.startswith(("http://", "https://")):
            raise ValueError(_("url must be an http(s):// address for server = \"{server}\"", server=self.server))
        if self.auth == "token" and not self.token.get_secret_value():
            raise ValueError(_("auth = \"token\" needs token (or KIOSK_SYNC__TOKEN)"))
        if self.auth == "oauth2":
            missing = [k for k in ("token_url", "client_id") if not getattr(self, k)]
            if not self.client_secret.get_secret_value():
                missing.append("client_secret")
            if missing:
                raise ValueError(_("auth = \"oauth2\" needs {missing}", missing=', '.join(missing)))
        return self


class HubSettings(Section):
    url: str = ""
    """PostgreSQL URL of the venue hub (postgresql+psycopg://ROLE:PASSWORD@HOST/DB?sslmode=verify-full); set, it
    makes this a venue station sharing one cap and one list of who came. Empty: the station stands alone."""
    lease_seconds: int = Field(default=600, ge=2, le=86_400)
    """A lease not renewed for this long may be reclaimed by another station (the hub keeps the part this
    station may have spent while cut off)."""
    offline_slots: int = Field(default=20, ge=0, le=100_000)
    """How many people this station may check in while cut off from the hub, between two contacts."""
    block_max: int = Field(default=50, ge=1, le=100_000)
    """The most slots leased at once; the block shrinks as the day fills so few sit idle."""
    low_water: int = Field(default=5, ge=0, le=100_000)
    """Refill in the background when this station holds fewer free slots than this."""
    poll_seconds: float = Field(default=5.0, gt=0, le=3600)
    """How often the station renews its lease, pulls registrations and doses, and sends its records."""
    connect_timeout_seconds: int = Field(default=2, ge=1, le=60)
    """How long to wait for the hub before working cut off (and trying again in the background)."""

    @field_validator("url")
    @classmethod
    def _postgres(cls, value: str) -> str:
        if not value:
            return value
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError(_("not a database URL: use postgresql+psycopg://ROLE:PASSWORD@HOST/DB")) from None
        if url.get_backend_name() != "postgresql":
            raise ValueError(_("the hub is PostgreSQL, not {get_backend_name}: use postgresql+psycopg://...",
                               get_backend_name=url.get_backend_name()))
        if url.drivername != "postgresql+psycopg":
            raise ValueError(_("use the psycopg driver: postgresql+psycopg://... (not {drivername}://)", drivername=url.drivername))
        try:
            url.get_dialect().import_dbapi()
        except ImportError as exc:
            raise ValueError(_("the driver for {drivername}:// is not installed ({name}): pip install psycopg",
                               drivername=url.drivername, name=exc.name)) from None
        return value


_NOT_A_HASH = N_("must be a PIN hash made by `kiosk pin hash` (pbkdf2_sha256$ITERATIONS$SALT$HASH, "
                  "1000+ iterations, hex salt), not the PIN itself")


class PrivacySettings(Section):
    retention_days: int = Field(default=90, ge=1, le=3650)
    """`kiosk data purge` removes the personal fields of people whose visits are all older than this many days
    and whose records the central server has acknowledged."""


class BackupSettings(Section):
    folder: Path = Path("/var/backups/sentra")
    """Where `kiosk backup run` (the daily sentra-backup.timer) puts a dated folder with the station database
    and the venue key, each mode 0600. A folder elsewhere (a USB disk) must be writable by the sentra user."""
    keep: int = Field(default=14, ge=1, le=3650)
    """How many dated backups to keep; older ones are removed after a new one is written."""


class LogSettings(Section):
    to: Literal["auto", "journald", "file", "stderr"] = "auto"
    """Where the station's log goes: "journald" (syslog socket /dev/log, identifier sentra-kiosk), "file"
    (kiosk.log in data_dir, rotated, mode 0600), "stderr"; "auto" is journald under systemd, else the file.
    Log lines carry ids and actions, never a NIK, name or phone (kiosk/logs.py also masks digit runs)."""
    level: Literal["debug", "info", "warning", "error"] = "info"
    """The least serious message kept."""


class SoundSettings(Section):
    output: Literal["bell", "alsa", "off"] = "bell"
    """Feedback sounds for admitted, refused and "see staff": "alsa" (a speaker: short tones through aplay,
    alsa-utils), "bell" (the terminal bell: one, two or three rings), or "off"."""
    device: str = "default"
    """For "alsa": the ALSA device (``aplay -L`` lists them), e.g. "default" or "plughw:1,0"."""
    volume: float = Field(default=0.5, ge=0.0, le=1.0)
    """For "alsa": loudness of the tones, 0 to 1."""


class PersonPin(Section):
    name: str = Field(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f]+$")
    """The person, as the audit names them, e.g. "Rina (perawat)"."""
    role: Literal["staff", "technician"]
    """What their PIN opens."""
    hash: str
    """Their hashed PIN (set with `kiosk pin set NAME --role ROLE`, which prompts for it)."""

    @field_validator("hash")
    @classmethod
    def _hashed(cls, value: str) -> str:
        if not is_pin_hash(value):
            raise ValueError(_(_NOT_A_HASH))
        return value


class PinSettings(Section):
    staff: str
    """Hashed shared staff PIN (make one with `kiosk pin hash`); the audit names its user "staff"."""
    technician: str
    """Hashed shared technician PIN (make one with `kiosk pin hash`)."""
    people: list[PersonPin] = []
    """Named staff and technicians, each with their own PIN: the audit names the person who unlocked."""

    @field_validator("staff", "technician")
    @classmethod
    def _hashed(cls, value: str) -> str:
        if not is_pin_hash(value):
            raise ValueError(_(_NOT_A_HASH))
        return value

    @model_validator(mode="after")
    def _distinct(self) -> PinSettings:
        names = [p.name.casefold() for p in self.people]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(_("people: {twice!r} is listed twice; each person has one entry", twice=twice[0]))
        return self


class Settings(BaseSettings):
    """Everything a station needs to start."""

    model_config = SettingsConfigDict(
        env_prefix="KIOSK_", env_nested_delimiter="__", extra="forbid", use_attribute_docstrings=True
    )

    venue: VenueSettings
    """The venue this station serves."""
    station: StationSettings
    """This station."""
    quota: QuotaSettings
    """The dose plan: how many people each day may serve."""
    pins: PinSettings
    """PINs that unlock staff and technician modes."""
    database: DatabaseSettings = DatabaseSettings()
    """Where records are stored."""
    devices: DeviceSettings = DeviceSettings()
    """Camera, decoders and printer."""
    sync: SyncSettings = SyncSettings()
    """Sending records to the central server."""
    hub: HubSettings = HubSettings()
    """The venue hub shared by the venue's stations (optional)."""
    privacy: PrivacySettings = PrivacySettings()
    """How long personal data stays on the station."""
    log: LogSettings = LogSettings()
    """Where the station's log goes."""
    backup: BackupSettings = BackupSettings()
    """The daily backup."""
    sound: SoundSettings = SoundSettings()
    """Feedback sounds."""
    language: Literal["id", "en"] = "id"
    """First language on screen and on slips (the other is shown beneath)."""
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("sentra-kiosk")))
    """Folder for the database, the venue key, camera images and printed slips."""

    @field_validator("data_dir")
    @classmethod
    def _folder(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(_("{value} is a file: data_dir names a folder (it is made if missing)", value=value))
        return value
    result_seconds: float = Field(default=6.0, gt=0, le=120)
    """How long the attendee result screen stays before returning to the scan screen."""

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, *_: Any, **__: Any) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init arguments win, then KIOSK_* variables, then the TOML file ``load_settings`` is reading."""
        path = _config_file.get()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        return self.database.url or f"sqlite:///{self.data_dir / 'station.db'}"

    @property
    def venue_key_path(self) -> Path:
        """Where the venue's Ed25519 signing key lives."""
        return self.data_dir / "venue-key.pem"


def config_path(path: str | Path | None = None) -> Path:
    """The config file to read: ``path`` (--config), else $KIOSK_CONFIG, else /etc/sentra/kiosk.toml."""
    given = path or os.environ.get(CONFIG_ENV)
    if given:
        try:
            found = Path(given).is_file() and os.access(given, os.R_OK)
        except OSError as exc:  # a folder on the way this user may not enter
            raise ConfigError(_("config file {given} cannot be read: {strerror}", given=given, strerror=exc.strerror)) from None
        if not found:
            if Path(given).is_file():
                raise ConfigError(_("config file {given} cannot be read by this user (the station's config is root:sentra "
                                    "0640: run admin commands as `sentra ...`)", given=given))
            raise ConfigError(_("config file {given} does not exist (set --config or {CONFIG_ENV})", given=given, CONFIG_ENV=CONFIG_ENV))
        return Path(given)
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    raise ConfigError(_("no configuration file found (looked in --config, ${CONFIG_ENV} and {DEFAULT_CONFIG})",
                        CONFIG_ENV=CONFIG_ENV, DEFAULT_CONFIG=DEFAULT_CONFIG))


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Read and validate settings; a bad file or value raises ConfigError naming the key."""
    config_file = config_path(path)
    token = _config_file.set(config_file)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, str(config_file))) from None
    except (ValueError, OSError) as exc:  # TOML syntax errors land here
        raise ConfigError(_("config file {config_file} cannot be read: {exc}", config_file=config_file, exc=exc)) from None
    finally:
        _config_file.reset(token)


def describe_validation_error(exc: ValidationError, config_file: str | None) -> str:
    """One line per bad key: ``station.id: Field required``."""
    where = _(" in {file}", file=config_file) if config_file else ""
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = _("unknown key (check the spelling)")
        elif error["type"] == "missing":
            message = _("missing (required)")
        lines.append(f"{key}: {message}")
    return _("configuration error{where}: {problems}", where=where, problems="; ".join(lines))


def effective_settings(settings: Settings) -> dict[str, Any]:
    """The settings as plain data with secrets masked, for `kiosk config check`."""
    data = settings.model_dump(mode="json")
    data["pins"] = {name: "(hashed, hidden)" for name in data["pins"]}
    data["database"]["url"] = _mask_url_password(settings.database_url)
    for secret in ("token", "client_secret"):
        data["sync"][secret] = "***" if getattr(settings.sync, secret).get_secret_value() else ""
    for section, key in (("sync", "url"), ("sync", "token_url"), ("hub", "url")):
        data[section][key] = _mask_url_password(data[section][key])
    return data


def _mask_url_password(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
